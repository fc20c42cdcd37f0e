// upsert() for MySQL and MariaDB: multi-row INSERT ... ON DUPLICATE KEY UPDATE with bound
// parameters, in batches that respect the protocol's 65,535-placeholder limit and the
// server's max_allowed_packet.
//
// Counting: without CLIENT_FOUND_ROWS (tide never sets it) the server reports 1 affected
// row per inserted row, 2 per updated row and 0 per row left as it was, and mysql_info()
// says "Records: N  Duplicates: D" for a multi-row INSERT, where D counts the rows it
// changed. So updated = D, inserted = affected - 2D, unchanged = N - inserted - updated.
//
// failed_row: the refused row itself inside a transaction (locate_failed_row replays the
// batch row by row), else the first row of the failing statement.
#include <driver_glue.h>
#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <tide/driver.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "connection.h"

namespace tide_mysql {
namespace {

constexpr size_t kMaxPlaceholders = 65535;
constexpr int64_t kPacketMargin = 16 * 1024;  // room for the statement id, types, NULL bitmap

// INSERT INTO `t` (`a`, ...) VALUES  — the statement up to its rows.
std::string insert_head(const tide_upsert &spec) {
  std::string sql = "INSERT INTO " + tide::driver::quoted_table('`', spec.table) + " (";
  for (size_t c = 0; c < spec.ncolumns; ++c) sql += (c ? ", " : "") + tide::driver::quoted('`', spec.columns[c]);
  return sql + ") VALUES ";
}

// What follows the rows: [ON DUPLICATE KEY UPDATE ...].
std::string conflict_clause(const tide_upsert &spec) {
  std::string sql;
  if (spec.mode == TIDE_UPSERT_UPDATE && spec.nupdate > 0) {
    sql += " ON DUPLICATE KEY UPDATE ";
    for (size_t u = 0; u < spec.nupdate; ++u) {
      std::string col = tide::driver::quoted('`', spec.update[u]);
      sql += (u ? ", " : "") + col + " = VALUES(" + col + ")";
    }
  } else if (spec.mode != TIDE_UPSERT_INSERT) {
    // IGNORE (and UPDATE with nothing to set): a no-op assignment, which the server
    // counts as 0 affected rows. INSERT IGNORE would also swallow unrelated errors.
    std::string col = tide::driver::quoted('`', spec.nkey > 0 ? spec.key[0] : spec.columns[0]);
    sql += " ON DUPLICATE KEY UPDATE " + col + " = " + col;
  }
  return sql;
}

// The statement for `rows` rows of placeholders, between head and clause.
std::string placeholder_sql(const std::string &head, const std::string &clause, size_t ncolumns, size_t rows) {
  std::string tuple = "(";
  for (size_t c = 0; c < ncolumns; ++c) tuple += c ? ", ?" : "?";
  tuple += ")";
  std::string sql = head;
  sql.reserve(sql.size() + rows * (tuple.size() + 2) + clause.size());
  for (size_t r = 0; r < rows; ++r) sql += (r ? ", " : "") + tuple;
  return sql + clause;
}

// The connection's texts for spec's shape, rebuilt only when the shape changes.
UpsertText &shape_text(tide_conn &conn, const tide_upsert &spec) {
  UpsertText &last = conn.last_upsert_;
  auto same = [](const std::vector<std::string> &have, const char *const *names, size_t n) {
    if (have.size() != n) return false;
    for (size_t i = 0; i < n; ++i)
      if (have[i] != names[i]) return false;
    return true;
  };
  const char *key = spec.nkey > 0 ? spec.key[0] : "";
  if (last.mode == spec.mode && last.table == spec.table && last.key == key &&
      same(last.columns, spec.columns, spec.ncolumns) && same(last.update, spec.update, spec.nupdate))
    return last;
  last.mode = -1;  // unusable until it is complete
  last.table = spec.table;
  last.key = key;
  last.columns.assign(spec.columns, spec.columns + spec.ncolumns);
  last.update.assign(spec.update, spec.update + spec.nupdate);
  last.head = insert_head(spec);
  last.clause = conflict_clause(spec);
  last.rows = 0;
  last.sql.clear();
  last.mode = spec.mode;
  return last;
}

// The prepared statement's text for `rows` rows, reusing the connection's last one.
const std::string &upsert_text(tide_conn &conn, const tide_upsert &spec, size_t rows) {
  UpsertText &text = shape_text(conn, spec);
  if (text.rows != rows) {
    text.sql = placeholder_sql(text.head, text.clause, spec.ncolumns, rows);
    text.rows = rows;
  }
  return text.sql;
}

// Appends v as a SQL literal; false for a value that cannot go as one without escaping
// (which would have to trust the client library's idea of the connection's character
// set, after a migration's SET NAMES too): text that is not printable ASCII or holds a
// quote or backslash, a float that is not finite. The caller then binds the values.
bool append_literal(std::string &out, const tide_value &v) {
  char number[32];
  switch (v.type) {
    case TIDE_TYPE_NULL:
      out += "NULL";
      return true;
    case TIDE_TYPE_INT:
    case TIDE_TYPE_BOOL: {
      int64_t i = v.type == TIDE_TYPE_BOOL ? (v.u.i != 0) : v.u.i;
      out.append(number, std::to_chars(number, number + sizeof number, i).ptr);
      return true;
    }
    case TIDE_TYPE_FLOAT:
      if (!std::isfinite(v.u.f)) return false;
      out.append(number, std::to_chars(number, number + sizeof number, v.u.f).ptr);  // shortest exact
      return true;
    case TIDE_TYPE_TEXT: {
      // Printable ASCII without quotes or backslashes reads the same in every character
      // set and sql_mode: the history's values almost always are.
      std::string_view text(v.u.s.ptr ? v.u.s.ptr : kEmpty, v.u.s.len);
      auto plain = [](char c) { return c >= 0x20 && c < 0x7f && c != '\'' && c != '\\' && c != '"'; };
      if (!std::all_of(text.begin(), text.end(), plain)) return false;
      out += '\'';
      out += text;
      out += '\'';
      return true;
    }
    case TIDE_TYPE_BLOB: {
      static constexpr char kHex[] = "0123456789ABCDEF";
      out += "X'";
      for (size_t i = 0; i < v.u.s.len; ++i) {
        auto b = static_cast<unsigned char>(v.u.s.ptr[i]);
        out += kHex[b >> 4];
        out += kHex[b & 15];
      }
      out += '\'';
      return true;
    }
    default:
      return false;
  }
}

// The upsert of every row with its values as literals, for the text protocol; false when
// a value cannot go as a literal (append_literal).
bool literal_sql(tide_conn &conn, const tide_upsert &spec, const tide_value *values, size_t nrows, std::string &sql) {
  const UpsertText &text = shape_text(conn, spec);
  sql = text.head;
  for (size_t r = 0; r < nrows; ++r) {
    sql += r ? ", (" : "(";
    for (size_t c = 0; c < spec.ncolumns; ++c) {
      if (c) sql += ", ";
      if (!append_literal(sql, values[r * spec.ncolumns + c])) return false;
    }
    sql += ')';
  }
  sql += text.clause;
  return true;
}

// Bytes one row takes in an execute packet, roughly (values plus length prefixes).
int64_t row_bytes(const tide_value *row, size_t ncolumns) {
  int64_t bytes = 0;
  for (size_t c = 0; c < ncolumns; ++c) {
    bool bytes_value = row[c].type == TIDE_TYPE_TEXT || row[c].type == TIDE_TYPE_BLOB;
    bytes += 2 + 9 + (bytes_value ? static_cast<int64_t>(row[c].u.s.len) : 0);
  }
  return bytes;
}

int64_t max_packet(tide_conn &conn) {
  if (conn.max_packet_ > 0) return conn.max_packet_;
  conn.max_packet_ = 1 << 24;  // MySQL's smallest default (16 MiB) when it cannot be read
  if (mysql_real_query(conn.mysql_, "SELECT @@max_allowed_packet", 27) == 0) {
    if (MYSQL_RES *res = mysql_store_result(conn.mysql_)) {
      if (MYSQL_ROW row = mysql_fetch_row(res); row && row[0]) conn.max_packet_ = std::atoll(row[0]);
      mysql_free_result(res);
    }
  }
  return conn.max_packet_;
}

// The Duplicates count: the second number in mysql_info()'s "Records: N  Duplicates: D
// Warnings: W". The server words it in its lc_messages language ("Datensätze: N
// Duplikate: D ...", "记录: N  重复: D ..."), always with the three numbers in this order.
std::optional<int64_t> info_duplicates(std::string_view info) {
  int seen = 0;
  for (size_t i = 0; i < info.size();) {
    if (info[i] < '0' || info[i] > '9') {
      ++i;
      continue;
    }
    int64_t n = 0;
    auto [next, ec] = std::from_chars(info.data() + i, info.data() + info.size(), n);
    if (ec != std::errc()) return std::nullopt;
    if (++seen == 2) return n;
    i = static_cast<size_t>(next - info.data());
  }
  return std::nullopt;
}

// Adds what one statement of `rows` rows did to result, from its affected rows and
// mysql_info().
void count(const tide_upsert &spec, tide_conn &conn, int64_t affected, size_t rows, tide_upsert_result &result) {
  if (spec.mode == TIDE_UPSERT_INSERT) {
    result.inserted += affected;
    return;
  }
  // One row gets no info string: its affected count alone says what happened.
  int64_t duplicates = affected >= 2 ? 1 : 0;
  const char *info = mysql_info(conn.mysql_);
  if (rows > 1 && info) duplicates = info_duplicates(info).value_or(duplicates);
  int64_t inserted = std::max<int64_t>(0, affected - 2 * duplicates);
  result.inserted += inserted;
  result.updated += duplicates;
  result.unchanged += static_cast<int64_t>(rows) - inserted - duplicates;
}

int check_spec(tide_conn &conn, const tide_upsert &spec, const tide_value *values, size_t nrows) {
  if (spec.struct_size < offsetof(tide_upsert, mode) + sizeof(int))
    return conn.fail(TIDE_EMISUSE, "upsert: the spec is too short for this driver");
  if (!spec.table || !*spec.table) return conn.fail(TIDE_EMISUSE, "upsert: no table");
  if (spec.ncolumns == 0 || !spec.columns) return conn.fail(TIDE_EMISUSE, "upsert: no columns");
  if (spec.ncolumns > kMaxPlaceholders)
    return conn.fail(TIDE_EMISUSE, "upsert: more columns than MySQL's 65535 parameters");
  if (nrows > 0 && !values) return conn.fail(TIDE_EMISUSE, "upsert: no values");
  if (spec.mode != TIDE_UPSERT_INSERT && spec.mode != TIDE_UPSERT_UPDATE && spec.mode != TIDE_UPSERT_IGNORE)
    return conn.fail(TIDE_EMISUSE, "upsert: unknown mode " + std::to_string(spec.mode));
  if ((spec.nkey > 0 && !spec.key) || (spec.nupdate > 0 && !spec.update))
    return conn.fail(TIDE_EMISUSE, "upsert: key or update columns missing");
  // The server needs no conflict target, but the ABI asks for one outside INSERT: a
  // caller that forgot it must hear so here, as on the other databases.
  if (spec.mode != TIDE_UPSERT_INSERT && spec.nkey == 0)
    return conn.fail(TIDE_EMISUSE, "upsert: no key columns (the conflict target)");
  return TIDE_OK;
}

// A multi-row statement failed; result.failed_row is its first row. For errors about a
// row's data (SQLSTATE classes 22 and 23: a NULL in a NOT NULL column, a duplicate, a
// value out of range) inside a transaction, find the row by replaying the batch one row
// at a time inside a savepoint rolled back afterwards, so the error names the row and
// not only its batch. InnoDB has already undone the failed statement, and the error
// path is the only one that pays. Outside a transaction a replay would commit rows.
int locate_failed_row(tide_conn &conn, const tide_upsert &spec, const tide_value *values, size_t from, size_t rows,
                      int rc, tide_upsert_result &result) {
  const tide_error &e = *conn.error_.get();
  std::string_view state = e.sqlstate ? e.sqlstate : "";
  bool about_data = state.rfind("22", 0) == 0 || state.rfind("23", 0) == 0;
  if (rows < 2 || !about_data || !conn.in_transaction()) return rc;
  std::string message = e.message ? e.message : "", sqlstate(state);
  int64_t vendor = e.vendor_code;
  if (run_simple(conn, "SAVEPOINT tide_upsert_probe") != TIDE_OK) return conn.error_.set(rc, message, vendor, sqlstate);
  const size_t ncol = spec.ncolumns;
  std::string one_sql = placeholder_sql(insert_head(spec), conflict_clause(spec), spec.ncolumns, 1);
  MYSQL_STMT *one = conn.prepare(one_sql.data(), one_sql.size());
  int found = TIDE_OK;
  for (size_t r = from; one && r < from + rows; ++r) {
    found = execute_prepared(conn, one, values + r * ncol, ncol);
    if (found == TIDE_OK) continue;
    result.failed_row = static_cast<int64_t>(r);
    break;
  }
  // Keep the single row's own error when the replay found it, else the batch's.
  std::string probe_message = conn.error_.get()->message ? conn.error_.get()->message : "";
  std::string probe_state = conn.error_.get()->sqlstate ? conn.error_.get()->sqlstate : "";
  int64_t probe_vendor = conn.error_.get()->vendor_code;
  (void)run_simple(conn, "ROLLBACK TO SAVEPOINT tide_upsert_probe");
  (void)run_simple(conn, "RELEASE SAVEPOINT tide_upsert_probe");
  if (found != TIDE_OK) return conn.error_.set(found, probe_message, probe_vendor, probe_state);
  return conn.error_.set(rc, message, vendor, sqlstate);
}

}  // namespace

// MySQL has no conflict target: ON DUPLICATE KEY UPDATE fires on any PRIMARY KEY or
// UNIQUE index the row collides with, so spec.key only names the IGNORE no-op column.
int run_upsert(tide_conn &conn, const tide_upsert &spec, const tide_value *values, size_t nrows,
               tide_upsert_result &result) {
  result = tide_upsert_result{0, 0, 0, -1};
  if (int rc = conn.require_idle("upsert"); rc != TIDE_OK) return rc;
  if (int rc = check_spec(conn, spec, values, nrows); rc != TIDE_OK) return rc;
  const size_t ncol = spec.ncolumns;
  const size_t rows_by_params = std::max<size_t>(1, kMaxPlaceholders / ncol);
  const int64_t budget = std::max<int64_t>(max_packet(conn) - kPacketMargin, 1024);
  for (size_t from = 0; from < nrows;) {
    size_t rows = 0;
    int64_t bytes = 0;
    while (from + rows < nrows && rows < rows_by_params) {
      int64_t b = row_bytes(values + (from + rows) * ncol, ncol);
      if (rows > 0 && bytes + b > budget) break;  // a single huge row goes alone
      bytes += b;
      ++rows;
    }
    const std::string &sql = upsert_text(conn, spec, rows);
    MYSQL_STMT *stmt = conn.prepare(sql.data(), sql.size());
    int rc = stmt ? execute_prepared(conn, stmt, values + from * ncol, rows * ncol) : conn.error_.get()->code;
    if (rc != TIDE_OK) {
      if (rc == TIDE_ECONNECT) return rc;
      result.failed_row = static_cast<int64_t>(from);
      return locate_failed_row(conn, spec, values, from, rows, rc, result);
    }
    count(spec, conn, static_cast<int64_t>(mysql_stmt_affected_rows(stmt)), rows, result);
    from += rows;
  }
  return TIDE_OK;
}

// The upsert as text with its values as literals, then the script's first statement, as
// one multi-statement message (the connection has CLIENT_MULTI_STATEMENTS): the server
// runs them in order, commits the upsert (under autocommit; a DDL statement commits it
// in any case) before the statement starts, and stops at the first error, so a failed
// upsert keeps the statement from running. The rest of the script then runs as exec()
// runs it. What cannot go in one message (no rows, no statement, a value that is no
// plain literal, more than max_allowed_packet, multi-statements=false in the URL) is the
// two calls: upsert(), then exec().
int run_upsert_then_exec(tide_conn &conn, const tide_upsert &spec, const tide_value *values, size_t nrows,
                         tide_upsert_result &result, const char *sql, size_t len, int &stage) {
  stage = TIDE_STAGE_NONE;
  result = tide_upsert_result{0, 0, 0, -1};
  if (int rc = conn.require_idle("upsert_then_exec"); rc != TIDE_OK) return rc;
  if (int rc = check_spec(conn, spec, values, nrows); rc != TIDE_OK) return rc;
  std::vector<Span> spans = split_spans(sql, len);
  std::string text;
  bool together =
      conn.target_.multi_statements && nrows > 0 && !spans.empty() && literal_sql(conn, spec, values, nrows, text);
  if (together) {
    text += ';';
    text.append(sql + spans[0].first, spans[0].second);
    together = static_cast<int64_t>(text.size()) <= max_packet(conn) - kPacketMargin;
  }
  if (!together) {
    if (int rc = run_upsert(conn, spec, values, nrows, result); rc != TIDE_OK) return rc;
    stage = TIDE_STAGE_UPSERT;
    return run_spans(conn, sql, spans, 0);
  }
  MYSQL *m = conn.mysql_;
  if (mysql_real_query(m, text.data(), text.size()) != 0) {
    unsigned int errnum = mysql_errno(m);
    int rc = conn.fail_mysql();
    // The connection lost, or any other failure of the client library once the message
    // was sent (CR_* numbers): the upsert may have committed, and the statement run.
    if (rc == TIDE_ECONNECT || (errnum >= CR_MIN_ERROR && errnum <= CR_MAX_ERROR)) {
      stage = TIDE_STAGE_UNKNOWN;
      return rc;
    }
    // The upsert's text is always valid: a syntax error means the server (or a proxy)
    // read the message as one statement, and ran none of it.
    if (errnum == ER_PARSE_ERROR)
      conn.error_.set_hint(
          "if the server or a proxy refuses multi-statement messages, add multi-statements=false "
          "to the URL");
    result.failed_row = 0;
    return locate_failed_row(conn, spec, values, 0, nrows, rc, result);
  }
  count(spec, conn, static_cast<int64_t>(mysql_affected_rows(m)), nrows, result);
  stage = TIDE_STAGE_UPSERT;
  // The first statement's results (the upsert has none), then the rest of the script.
  auto [start, n] = spans[0];
  const char *first = sql + start;
  int status = mysql_next_result(m);
  if (status > 0) return conn.fail_mysql(static_cast<int64_t>(start), first, n);
  if (status == 0) {
    if (int rc = drain_results(conn, static_cast<int64_t>(start), first, n); rc != TIDE_OK) return rc;
  }
  return run_spans(conn, sql, spans, 1);
}

}  // namespace tide_mysql
