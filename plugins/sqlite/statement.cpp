// Running SQL on an SQLite connection: exec() of a whole script, query() of one
// statement with bound parameters, then step() through its rows and read their columns.

#include <sqlite3.h>
#include <tide/driver.h>

#include <climits>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "connection.h"
#include "sql_text.h"

namespace tide_sqlite {
namespace {

// Where the next statement's first token is: prepare() skips empty statements (";;")
// as well as blanks, and error offsets should point at real SQL.
const char *statement_start(const char *p, const char *end) {
  for (p = skip_blank(p, end); p < end && *p == ';'; p = skip_blank(p + 1, end)) {
  }
  return p;
}

// sqlite3_error_offset counts from the text given to prepare; tide_error wants it from
// the statement's first token.
int64_t error_position(sqlite3 *db, int64_t skipped) {
  int offset = sqlite3_error_offset(db);
  return offset >= skipped ? offset - skipped : -1;
}

int bind_all(tide_conn &conn, sqlite3_stmt *stmt, const tide_value *params, size_t n) {
  int expected = sqlite3_bind_parameter_count(stmt);
  if (static_cast<size_t>(expected) != n || (n > 0 && !params)) {
    return conn.fail(TIDE_EMISUSE, "query: the statement has " + std::to_string(expected) + " parameters but " +
                                       std::to_string(n) + " were given");
  }
  for (size_t i = 0; i < n; ++i) {
    int rc = bind_value(stmt, static_cast<int>(i + 1), params[i], true);
    if (rc == SQLITE_MISMATCH) {
      return conn.fail(TIDE_EMISUSE, "query: parameter " + std::to_string(i + 1) + " has unknown type " +
                                         std::to_string(params[i].type));
    }
    if (rc != SQLITE_OK) return conn.fail_sqlite(rc);
  }
  return TIDE_OK;
}

// sqlite3_changes64 keeps the count of the last INSERT/UPDATE/DELETE, so after a SELECT
// or DDL it would report an older statement's rows; a statement that left the total
// unchanged changed nothing.
int64_t rows_changed(const tide_stmt &stmt) {
  sqlite3 *db = stmt.conn_->db_.get();
  if (sqlite3_stmt_readonly(stmt.stmt_.get())) return 0;
  if (sqlite3_total_changes64(db) == stmt.total_changes_before_) return 0;
  return sqlite3_changes64(db);
}

}  // namespace

// TEXT and BLOB are copied (SQLITE_TRANSIENT) when copy is set: the host's buffers only
// live for the call, and query rows are stepped later. upsert() steps within the call
// and binds in place. A NULL pointer would make SQLite bind NULL, so an empty value gets
// a real empty buffer.
int bind_value(sqlite3_stmt *stmt, int index, const tide_value &value, bool copy) {
  const char *ptr = value.u.s.ptr ? value.u.s.ptr : kEmpty;
  sqlite3_destructor_type keep = copy ? SQLITE_TRANSIENT : SQLITE_STATIC;
  switch (value.type) {
    case TIDE_TYPE_NULL:
      return sqlite3_bind_null(stmt, index);
    case TIDE_TYPE_INT:
      return sqlite3_bind_int64(stmt, index, value.u.i);
    case TIDE_TYPE_BOOL:
      return sqlite3_bind_int64(stmt, index, value.u.i != 0 ? 1 : 0);
    case TIDE_TYPE_FLOAT:
      return sqlite3_bind_double(stmt, index, value.u.f);

    case TIDE_TYPE_TEXT:
      return sqlite3_bind_text64(stmt, index, ptr, value.u.s.len, keep, SQLITE_UTF8);
    case TIDE_TYPE_BLOB:
      return sqlite3_bind_blob64(stmt, index, ptr, value.u.s.len, keep);
    default:
      return SQLITE_MISMATCH;  // no bind function returns it: free as a marker
  }
}

int run_script(tide_conn &conn, const char *sql, size_t len) {
  if (int rc = conn.require_idle("exec"); rc != TIDE_OK) return rc;
  if (len > INT_MAX) return conn.fail(TIDE_EMISUSE, "exec: script larger than 2 GiB");
  sqlite3 *db = conn.db_.get();
  const char *end = sql + len;
  for (const char *pos = sql; pos < end;) {
    const char *start = statement_start(pos, end);
    sqlite3_stmt *raw = nullptr;
    const char *tail = nullptr;
    int rc = sqlite3_prepare_v2(db, pos, static_cast<int>(end - pos), &raw, &tail);
    StmtHandle stmt(raw);
    if (rc != SQLITE_OK) {
      return conn.fail_sqlite(rc, start - sql, error_position(db, start - pos));
    }
    if (!stmt) break;  // only blanks were left
    while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) {
      return conn.fail_sqlite(rc, start - sql, error_position(db, start - pos));
    }
    pos = tail;
  }
  return TIDE_OK;
}

int open_query(tide_conn &conn, const char *sql, size_t len, const tide_value *params, size_t n, tide_stmt **out) {
  if (!out) return conn.fail(TIDE_EMISUSE, "query: out is NULL");
  *out = nullptr;
  if (int rc = conn.require_idle("query"); rc != TIDE_OK) return rc;
  if (len > INT_MAX) return conn.fail(TIDE_EMISUSE, "query: SQL larger than 2 GiB");
  sqlite3 *db = conn.db_.get();
  sqlite3_stmt *raw = nullptr;
  const char *tail = nullptr;
  int rc = sqlite3_prepare_v2(db, sql, static_cast<int>(len), &raw, &tail);
  StmtHandle stmt(raw);
  if (rc != SQLITE_OK) return conn.fail_sqlite(rc, -1, error_position(db, 0));
  if (!stmt) return conn.fail(TIDE_EMISUSE, "query: the SQL holds no statement");
  if (statement_start(tail, sql + len) != sql + len) {
    return conn.fail(TIDE_EMISUSE, "query: takes one statement; use exec for scripts");
  }
  if (rc = bind_all(conn, stmt.get(), params, n); rc != TIDE_OK) return rc;
  *out = new tide_stmt(&conn, std::move(stmt));
  conn.open_stmt_ = *out;
  return TIDE_OK;
}

int step_statement(tide_stmt &stmt) {
  using State = tide_stmt::State;
  if (stmt.state_ == State::kDone) return TIDE_DONE;
  if (stmt.state_ == State::kFailed) {
    return stmt.conn_->fail(TIDE_EMISUSE, "step: the statement already failed");
  }
  int rc = sqlite3_step(stmt.stmt_.get());
  if (rc == SQLITE_ROW) {
    stmt.state_ = State::kRow;
    return TIDE_ROW;
  }
  if (rc == SQLITE_DONE) {
    stmt.state_ = State::kDone;
    stmt.changes_ = rows_changed(stmt);
    return TIDE_DONE;
  }
  stmt.state_ = State::kFailed;
  return stmt.conn_->fail_sqlite(rc);
}

// Call sqlite3_column_text/blob before _bytes: the order SQLite documents as safe.
int read_column(tide_stmt &stmt, int i, tide_value &out) {
  sqlite3_stmt *s = stmt.stmt_.get();
  if (stmt.state_ != tide_stmt::State::kRow) {
    return stmt.conn_->fail(TIDE_EMISUSE, "column_value: no current row");
  }
  if (i < 0 || i >= sqlite3_column_count(s)) {
    return stmt.conn_->fail(TIDE_EMISUSE, "column_value: no column " + std::to_string(i));
  }
  out = tide_value{};
  switch (sqlite3_column_type(s, i)) {
    case SQLITE_INTEGER:
      out.type = TIDE_TYPE_INT;
      out.u.i = sqlite3_column_int64(s, i);
      break;
    case SQLITE_FLOAT:
      out.type = TIDE_TYPE_FLOAT;
      out.u.f = sqlite3_column_double(s, i);
      break;
    case SQLITE_TEXT:
    case SQLITE_BLOB: {
      bool text = sqlite3_column_type(s, i) == SQLITE_TEXT;
      const void *bytes = text ? static_cast<const void *>(sqlite3_column_text(s, i)) : sqlite3_column_blob(s, i);
      out.type = text ? TIDE_TYPE_TEXT : TIDE_TYPE_BLOB;
      out.u.s.len = static_cast<size_t>(sqlite3_column_bytes(s, i));
      // NULL here means out of memory, except for an empty blob.
      if (!bytes && out.u.s.len > 0) {
        return stmt.conn_->error_.set_static(TIDE_ENOMEM, "out of memory reading a column");
      }
      out.u.s.ptr = bytes ? static_cast<const char *>(bytes) : kEmpty;
      break;
    }
    default:
      out.type = TIDE_TYPE_NULL;
      break;
  }
  return TIDE_OK;
}

}  // namespace tide_sqlite
