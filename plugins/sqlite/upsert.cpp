// The upsert entry (driver.h, ABI 1.1) for SQLite: rows go in as multi-row
//   INSERT INTO t (cols) VALUES (...), (...)
//     ON CONFLICT (key) DO UPDATE SET c = excluded.c WHERE t.c IS NOT excluded.c ...
// statements with bound parameters, as many rows per statement as SQLite's parameter
// limit allows, each statement prepared once and reused for every batch of its shape.
//
// Counting: sqlite3_changes() counts inserted plus updated rows (a DO UPDATE whose WHERE
// is false changes nothing, so rows that already hold the new values are not counted).
// In UPDATE mode a read-only pre-count of the batch's keys already in the table splits
// that sum into inserted and updated; IGNORE and INSERT need no pre-count.

#include <driver_glue.h>
#include <sqlite3.h>
#include <tide/driver.h>

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "connection.h"
#include "sql_text.h"

namespace tide_sqlite {
namespace {

constexpr size_t kCacheSize = 8;

std::string list(const char *const *names, size_t n, const std::string &prefix = {}) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += (i ? ", " : "") + prefix + tide::driver::quoted('"', names[i]);
  return out;
}

// "(?, ?, ?), (?, ?, ?)" for rows of width columns.
std::string tuples(size_t rows, size_t width) {
  std::string one = "(";
  for (size_t c = 0; c < width; ++c) one += c ? ", ?" : "?";
  one += ")";
  std::string out;
  out.reserve(rows * (one.size() + 2));
  for (size_t r = 0; r < rows; ++r) out += (r ? ", " : "") + one;
  return out;
}

std::string upsert_sql(const tide_upsert &spec, size_t rows) {
  std::string table = tide::driver::quoted_table('"', spec.table);
  std::string sql =
      "INSERT INTO " + table + " (" + list(spec.columns, spec.ncolumns) + ") VALUES " + tuples(rows, spec.ncolumns);
  if (spec.mode == TIDE_UPSERT_INSERT) return sql;
  std::string target = spec.nkey ? " (" + list(spec.key, spec.nkey) + ")" : "";
  if (spec.mode == TIDE_UPSERT_IGNORE || spec.nupdate == 0) return sql + " ON CONFLICT" + target + " DO NOTHING";
  std::string set, differs;
  for (size_t i = 0; i < spec.nupdate; ++i) {
    std::string c = tide::driver::quoted('"', spec.update[i]);
    set += (i ? ", " : "") + c + " = excluded." + c;
    differs += (i ? " OR " : "") + table + "." + c + " IS NOT excluded." + c;
  }
  return sql + " ON CONFLICT" + target + " DO UPDATE SET " + set + " WHERE " + differs;
}

// How many of the batch's keys are already in the table.
std::string existing_sql(const tide_upsert &spec, size_t rows) {
  // "k" IN (?, ?, ...) for one key column; ("a", "b") IN (VALUES (?, ?), ...) for more.
  std::string in = spec.nkey == 1 ? tuples(1, rows) : "(VALUES " + tuples(rows, spec.nkey) + ")";
  return "SELECT count(*) FROM " + tide::driver::quoted_table('"', spec.table) + " WHERE (" +
         list(spec.key, spec.nkey) + ") IN " + in;
}

class Upsert {
 public:
  Upsert(tide_conn &conn, const tide_upsert &spec, const tide_value *values, tide_upsert_result &result)
      : conn_(conn), db_(conn.db_.get()), spec_(spec), values_(values), result_(result) {
    for (size_t k = 0; k < spec.nkey; ++k)
      for (size_t c = 0; c < spec.ncolumns; ++c)
        if (std::string_view(spec.key[k]) == spec.columns[c]) key_index_.push_back(c);
  }

  bool keys_are_columns() const { return key_index_.size() == spec_.nkey; }

  // Rows [first, first + n) as one statement.
  int chunk(size_t first, size_t n) {
    int64_t existing = 0;
    bool count_existing = spec_.mode == TIDE_UPSERT_UPDATE && spec_.nupdate > 0;
    if (count_existing) {
      if (int rc = count_keys(first, n, existing); rc != TIDE_OK) return rc;
    }
    sqlite3_stmt *stmt = nullptr;
    if (int rc = prepared(upsert_sql(spec_, n), stmt); rc != TIDE_OK) return rc;
    for (size_t i = 0; i < n * spec_.ncolumns; ++i) {
      if (int rc = bind(stmt, static_cast<int>(i + 1), values_[first * spec_.ncolumns + i]); rc != TIDE_OK) {
        result_.failed_row = static_cast<int64_t>(first + i / spec_.ncolumns);
        return rc;
      }
    }
    int rc = sqlite3_step(stmt);
    if (rc != SQLITE_DONE) return failed_chunk(stmt, rc, first, n);
    sqlite3_reset(stmt);
    auto changed = static_cast<int64_t>(sqlite3_changes64(db_));
    auto rows = static_cast<int64_t>(n);
    int64_t inserted = count_existing ? rows - existing : changed;
    result_.inserted += inserted;
    result_.updated += changed - inserted;
    result_.unchanged += rows - changed;
    return TIDE_OK;
  }

 private:
  int bind(sqlite3_stmt *stmt, int index, const tide_value &v) {
    int rc = bind_value(stmt, index, v, false);
    if (rc == SQLITE_MISMATCH)
      return conn_.fail(TIDE_EMISUSE, "upsert: a value has unknown type " + std::to_string(v.type));
    return rc == SQLITE_OK ? TIDE_OK : conn_.fail_sqlite(rc);
  }

  // A statement from the cache (reset, ready to bind), or newly prepared into it.
  int prepared(const std::string &sql, sqlite3_stmt *&out) {
    auto &cache = conn_.upsert_cache_;
    for (auto it = cache.begin(); it != cache.end(); ++it) {
      if (it->first != sql) continue;
      std::rotate(cache.begin(), it, it + 1);  // most recent first
      out = cache.front().second.get();
      sqlite3_reset(out);
      return TIDE_OK;
    }
    sqlite3_stmt *raw = nullptr;
    int rc =
        sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    StmtHandle stmt(raw);
    if (rc != SQLITE_OK) {
      result_.failed_row = -1;  // about the table or its columns, not a row
      return conn_.fail_sqlite(rc);
    }
    if (cache.size() >= kCacheSize) cache.pop_back();
    cache.insert(cache.begin(), {sql, std::move(stmt)});
    out = raw;
    return TIDE_OK;
  }

  int count_keys(size_t first, size_t n, int64_t &existing) {
    sqlite3_stmt *stmt = nullptr;
    if (int rc = prepared(existing_sql(spec_, n), stmt); rc != TIDE_OK) return rc;
    int index = 0;
    for (size_t r = first; r < first + n; ++r)
      for (size_t k : key_index_)
        if (int rc = bind(stmt, ++index, values_[r * spec_.ncolumns + k]); rc != TIDE_OK) return rc;
    int rc = sqlite3_step(stmt);
    if (rc != SQLITE_ROW) {
      sqlite3_reset(stmt);
      return conn_.fail_sqlite(rc);
    }
    existing = sqlite3_column_int64(stmt, 0);
    sqlite3_reset(stmt);
    return TIDE_OK;
  }

  // A multi-row statement failed. For errors about a row's data, find the row by
  // replaying the chunk one row at a time inside a savepoint that is rolled back
  // afterwards, so the error names the row (the database does not say which).
  int failed_chunk(sqlite3_stmt *stmt, int rc, size_t first, size_t n) {
    sqlite3_reset(stmt);
    result_.failed_row = static_cast<int64_t>(first);
    int code = conn_.fail_sqlite(rc);
    int primary = rc & 0xff;
    bool about_data = primary == SQLITE_CONSTRAINT || primary == SQLITE_MISMATCH || primary == SQLITE_TOOBIG ||
                      primary == SQLITE_RANGE;
    if (!about_data || n == 1 || !conn_.in_transaction()) return code;
    std::string first_error = conn_.error_.get()->message;
    if (sqlite3_exec(db_, "SAVEPOINT tide_upsert_probe", nullptr, nullptr, nullptr) != SQLITE_OK) return code;
    sqlite3_stmt *one = nullptr;
    int probe = prepared(upsert_sql(spec_, 1), one);
    for (size_t r = first; probe == TIDE_OK && r < first + n; ++r) {
      for (size_t c = 0; probe == TIDE_OK && c < spec_.ncolumns; ++c)
        probe = bind(one, static_cast<int>(c + 1), values_[r * spec_.ncolumns + c]);
      if (probe != TIDE_OK) break;
      int step = sqlite3_step(one);
      sqlite3_reset(one);
      if (step != SQLITE_DONE) {
        result_.failed_row = static_cast<int64_t>(r);
        code = conn_.fail_sqlite(step);
        first_error.clear();
        break;
      }
    }
    sqlite3_exec(db_, "ROLLBACK TO tide_upsert_probe; RELEASE tide_upsert_probe", nullptr, nullptr, nullptr);
    if (!first_error.empty()) code = conn_.error_.set(code, first_error, rc);
    return code;
  }

  tide_conn &conn_;
  sqlite3 *db_;
  const tide_upsert &spec_;
  const tide_value *values_;
  tide_upsert_result &result_;
  std::vector<size_t> key_index_;
};

int check_spec(tide_conn &conn, const tide_upsert *spec, const tide_value *values, size_t nrows) {
  if (!spec || spec->struct_size < offsetof(tide_upsert, mode) + sizeof(int))
    return conn.fail(TIDE_EMISUSE, "upsert: spec is NULL or too small");
  if (!spec->table || !*spec->table || spec->ncolumns == 0 || !spec->columns)
    return conn.fail(TIDE_EMISUSE, "upsert: a table and at least one column are required");
  if (nrows > 0 && !values) return conn.fail(TIDE_EMISUSE, "upsert: values is NULL");
  if (spec->mode < TIDE_UPSERT_INSERT || spec->mode > TIDE_UPSERT_IGNORE)
    return conn.fail(TIDE_EMISUSE, "upsert: unknown mode " + std::to_string(spec->mode));
  if (spec->mode == TIDE_UPSERT_UPDATE && spec->nkey == 0)
    return conn.fail(TIDE_EMISUSE, "upsert: UPDATE mode needs the key columns (the conflict target)");
  if ((spec->nkey && !spec->key) || (spec->nupdate && !spec->update))
    return conn.fail(TIDE_EMISUSE, "upsert: key or update is NULL");
  return TIDE_OK;
}

}  // namespace

int upsert_rows(tide_conn &conn, const tide_upsert *spec, const tide_value *values, size_t nrows,
                tide_upsert_result *result) {
  if (!result) return conn.fail(TIDE_EMISUSE, "upsert: result is NULL");
  *result = tide_upsert_result{0, 0, 0, -1};
  if (int rc = conn.require_idle("upsert"); rc != TIDE_OK) return rc;
  if (int rc = check_spec(conn, spec, values, nrows); rc != TIDE_OK) return rc;
  Upsert run(conn, *spec, values, *result);
  if (!run.keys_are_columns()) return conn.fail(TIDE_EMISUSE, "upsert: every key column must be one of the columns");
  // SQLite's own limit on bound parameters (32766 since 3.32), shared by the columns.
  int limit = sqlite3_limit(conn.db_.get(), SQLITE_LIMIT_VARIABLE_NUMBER, -1);
  size_t per_statement = std::max<size_t>(1, static_cast<size_t>(limit) / spec->ncolumns);
  for (size_t first = 0; first < nrows; first += per_statement) {
    if (int rc = run.chunk(first, std::min(per_statement, nrows - first)); rc != TIDE_OK) return rc;
  }
  return TIDE_OK;
}

}  // namespace tide_sqlite
