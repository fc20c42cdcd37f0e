// Running SQL on a MySQL connection: exec() of a whole script, split by our splitter and
// sent statement by statement over the text protocol (so a failure names its statement,
// and DELIMITER never reaches the server); query() as a server-side prepared statement
// with bound parameters, whose rows are fetched one at a time without buffering
// (mysql_stmt_fetch without mysql_stmt_store_result: memory stays flat).
#include <mysql.h>
#include <tide/driver.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "connection.h"
#include "sql_text.h"

using tide_mysql::kEmpty;

tide_stmt::~tide_stmt() {
  if (conn_ && conn_->open_stmt_ == this) conn_->open_stmt_ = nullptr;
  if (!stmt_) return;
  // Rows left unread must be read off the wire before the connection can be used again;
  // mysql_stmt_reset does that (and a CALL's further results are drained below).
  bool broken = state_ == State::kRow || state_ == State::kFresh ? mysql_stmt_reset(stmt_) != 0 : false;
  mysql_stmt_free_result(stmt_);
  while (!broken && mysql_stmt_more_results(stmt_)) {
    broken = mysql_stmt_next_result(stmt_) > 0;
    mysql_stmt_free_result(stmt_);
  }
  if (broken && conn_) conn_->forget(stmt_);
}

namespace tide_mysql {
namespace {

int collect_span(void *user, size_t start, size_t len) {
  static_cast<std::vector<Span> *>(user)->emplace_back(start, len);
  return 0;
}

}  // namespace

std::vector<Span> split_spans(const char *sql, size_t len) {
  std::vector<Span> spans;
  // An unterminated last statement is still sent: the server's own error says more.
  split_script(sql, len, collect_span, &spans);
  return spans;
}

int drain_results(tide_conn &conn, int64_t offset, const char *text, size_t len) {
  MYSQL *m = conn.mysql_;
  for (;;) {
    if (MYSQL_RES *res = mysql_use_result(m)) {
      while (mysql_fetch_row(res)) {
      }
      mysql_free_result(res);
    }
    if (mysql_errno(m) != 0) return conn.fail_mysql(offset, text, len);
    int status = mysql_next_result(m);
    if (status > 0) return conn.fail_mysql(offset, text, len);
    if (status < 0) return TIDE_OK;
  }
}

int run_spans(tide_conn &conn, const char *sql, const std::vector<Span> &spans, size_t first) {
  for (size_t i = first; i < spans.size(); ++i) {
    auto [start, n] = spans[i];
    const char *text = sql + start;
    if (mysql_real_query(conn.mysql_, text, n) != 0) return conn.fail_mysql(static_cast<int64_t>(start), text, n);
    if (int rc = drain_results(conn, static_cast<int64_t>(start), text, n); rc != TIDE_OK) return rc;
  }
  return TIDE_OK;
}

namespace {

tide_stmt::Kind kind_of(const MYSQL_FIELD &f) {
  using Kind = tide_stmt::Kind;
  switch (f.type) {
    case MYSQL_TYPE_TINY:
    case MYSQL_TYPE_SHORT:
    case MYSQL_TYPE_LONG:
    case MYSQL_TYPE_INT24:
    case MYSQL_TYPE_YEAR:
      return Kind::kInt;
    case MYSQL_TYPE_LONGLONG:
      return (f.flags & UNSIGNED_FLAG) ? Kind::kUnsigned : Kind::kInt;
    case MYSQL_TYPE_FLOAT:
    case MYSQL_TYPE_DOUBLE:
      return Kind::kFloat;
    case MYSQL_TYPE_BIT:
      return Kind::kBit;
    case MYSQL_TYPE_DECIMAL:
    case MYSQL_TYPE_NEWDECIMAL:
      // DECIMAL(n,0), which SUM() of integers gives: an integer when the value fits.
      return f.decimals == 0 ? Kind::kWholeDecimal : Kind::kText;
    case MYSQL_TYPE_TINY_BLOB:
    case MYSQL_TYPE_MEDIUM_BLOB:
    case MYSQL_TYPE_LONG_BLOB:
    case MYSQL_TYPE_BLOB:
    case MYSQL_TYPE_STRING:
    case MYSQL_TYPE_VAR_STRING:
    case MYSQL_TYPE_VARCHAR:
    case MYSQL_TYPE_GEOMETRY:
      return f.charsetnr == 63 ? Kind::kBlob : Kind::kText;  // 63: the binary "charset"
    default:
      return Kind::kText;  // DECIMAL, dates and times: as the server writes them
  }
}

// One result column bound to its buffer: integers and floats in place, anything else as
// bytes in a buffer that grows when a value does not fit (fetch_truncated).
void bind_column(tide_stmt::Column &c, MYSQL_BIND &b) {
  using Kind = tide_stmt::Kind;
  std::memset(&b, 0, sizeof b);
  b.length = &c.length;
  b.is_null = &c.is_null;
  b.error = &c.error;
  switch (c.kind) {
    case Kind::kInt:
    case Kind::kUnsigned:
      b.buffer_type = MYSQL_TYPE_LONGLONG;
      b.buffer = &c.i;
      b.is_unsigned = c.kind == Kind::kUnsigned;
      break;
    case Kind::kFloat:
      b.buffer_type = MYSQL_TYPE_DOUBLE;
      b.buffer = &c.f;
      break;
    default:
      c.buffer.resize(256);
      b.buffer_type = c.kind == Kind::kText ? MYSQL_TYPE_STRING : MYSQL_TYPE_BLOB;
      b.buffer = c.buffer.data();
      b.buffer_length = c.buffer.size();
      break;
  }
}

int bind_result(tide_stmt &stmt, MYSQL_RES *meta) {
  unsigned int n = mysql_num_fields(meta);
  MYSQL_FIELD *fields = mysql_fetch_fields(meta);
  stmt.columns_.resize(n);  // never resized again: binds_ point into it
  stmt.binds_.resize(n);
  for (unsigned int i = 0; i < n; ++i) {
    stmt.columns_[i].name.assign(fields[i].name, fields[i].name_length);
    stmt.columns_[i].kind = kind_of(fields[i]);
    bind_column(stmt.columns_[i], stmt.binds_[i]);
  }
  if (mysql_stmt_bind_result(stmt.stmt_, stmt.binds_.data()) != 0) return stmt.conn_->fail_stmt(stmt.stmt_);
  return TIDE_OK;
}

// MYSQL_DATA_TRUNCATED: some byte values were longer than their buffers. Grow those and
// fetch the columns again; the next row uses the larger buffers.
int fetch_truncated(tide_stmt &stmt) {
  using Kind = tide_stmt::Kind;
  bool rebind = false;
  for (size_t i = 0; i < stmt.columns_.size(); ++i) {
    tide_stmt::Column &c = stmt.columns_[i];
    if (c.kind == Kind::kInt || c.kind == Kind::kUnsigned || c.kind == Kind::kFloat) continue;
    if (!c.error || c.length <= c.buffer.size()) continue;
    c.buffer.resize(c.length);
    MYSQL_BIND &b = stmt.binds_[i];
    b.buffer = c.buffer.data();
    b.buffer_length = c.buffer.size();
    if (mysql_stmt_fetch_column(stmt.stmt_, &b, static_cast<unsigned int>(i), 0) != 0)
      return stmt.conn_->fail_stmt(stmt.stmt_);
    rebind = true;
  }
  if (rebind && mysql_stmt_bind_result(stmt.stmt_, stmt.binds_.data()) != 0) return stmt.conn_->fail_stmt(stmt.stmt_);
  return TIDE_OK;
}

}  // namespace

int run_script(tide_conn &conn, const char *sql, size_t len) {
  if (int rc = conn.require_idle("exec"); rc != TIDE_OK) return rc;
  return run_spans(conn, sql, split_spans(sql, len), 0);
}

int execute_prepared(tide_conn &conn, MYSQL_STMT *stmt, const tide_value *params, size_t n) {
  unsigned long expected = mysql_stmt_param_count(stmt);
  if (expected != n || (n > 0 && !params)) {
    return conn.fail(TIDE_EMISUSE, "query: the statement has " + std::to_string(expected) + " parameters but " +
                                       std::to_string(n) + " were given");
  }
  std::vector<MYSQL_BIND> binds(n);
  std::vector<char> flags(n);
  std::vector<unsigned long> lengths(n);
  for (size_t i = 0; i < n; ++i) {
    const tide_value &v = params[i];
    MYSQL_BIND &b = binds[i];
    std::memset(&b, 0, sizeof b);
    switch (v.type) {
      case TIDE_TYPE_NULL:
        b.buffer_type = MYSQL_TYPE_NULL;
        break;
      case TIDE_TYPE_INT:
        b.buffer_type = MYSQL_TYPE_LONGLONG;
        b.buffer = const_cast<int64_t *>(&v.u.i);
        break;
      case TIDE_TYPE_BOOL:
        flags[i] = v.u.i != 0 ? 1 : 0;
        b.buffer_type = MYSQL_TYPE_TINY;
        b.buffer = &flags[i];
        break;
      case TIDE_TYPE_FLOAT:
        b.buffer_type = MYSQL_TYPE_DOUBLE;
        b.buffer = const_cast<double *>(&v.u.f);
        break;
      case TIDE_TYPE_TEXT:
      case TIDE_TYPE_BLOB:
        b.buffer_type = v.type == TIDE_TYPE_TEXT ? MYSQL_TYPE_STRING : MYSQL_TYPE_BLOB;
        b.buffer = const_cast<char *>(v.u.s.ptr ? v.u.s.ptr : kEmpty);
        lengths[i] = static_cast<unsigned long>(v.u.s.len);
        b.buffer_length = lengths[i];
        b.length = &lengths[i];
        break;
      default:
        return conn.fail(TIDE_EMISUSE,
                         "query: parameter " + std::to_string(i + 1) + " has unknown type " + std::to_string(v.type));
    }
  }
  if (n > 0 && mysql_stmt_bind_param(stmt, binds.data()) != 0) return conn.fail_stmt(stmt);
  if (mysql_stmt_execute(stmt) != 0) {
    int rc = conn.fail_stmt(stmt);
    if (rc == TIDE_ECONNECT) conn.forget(stmt);
    return rc;
  }
  return TIDE_OK;
}

int open_query(tide_conn &conn, const char *sql, size_t len, const tide_value *params, size_t n, tide_stmt **out) {
  if (!out) return conn.fail(TIDE_EMISUSE, "query: out is NULL");
  *out = nullptr;
  if (int rc = conn.require_idle("query"); rc != TIDE_OK) return rc;
  MYSQL_STMT *prepared = conn.prepare(sql, len);
  if (!prepared) return conn.error_.get()->code;
  if (int rc = execute_prepared(conn, prepared, params, n); rc != TIDE_OK) return rc;
  auto stmt = std::make_unique<tide_stmt>(&conn, prepared);
  if (MYSQL_RES *meta = mysql_stmt_result_metadata(prepared)) {
    int rc = bind_result(*stmt, meta);
    mysql_free_result(meta);
    if (rc != TIDE_OK) return rc;
  } else {
    my_ulonglong changed = mysql_stmt_affected_rows(prepared);
    stmt->changes_ = changed == static_cast<my_ulonglong>(-1) ? -1 : static_cast<int64_t>(changed);
  }
  conn.open_stmt_ = stmt.release();
  *out = conn.open_stmt_;
  return TIDE_OK;
}

int step_statement(tide_stmt &stmt) {
  using State = tide_stmt::State;
  if (stmt.state_ == State::kDone) return TIDE_DONE;
  if (stmt.state_ == State::kFailed) return stmt.conn_->fail(TIDE_EMISUSE, "step: the statement already failed");
  if (stmt.columns_.empty()) {  // INSERT, UPDATE, DDL: executed by query() already
    stmt.state_ = State::kDone;
    return TIDE_DONE;
  }
  int rc = mysql_stmt_fetch(stmt.stmt_);
  if (rc == MYSQL_DATA_TRUNCATED) {
    if (int grown = fetch_truncated(stmt); grown != TIDE_OK) {
      stmt.state_ = State::kFailed;
      return grown;
    }
    rc = 0;
  }
  if (rc == 0) {
    stmt.state_ = State::kRow;
    return TIDE_ROW;
  }
  if (rc == MYSQL_NO_DATA) {
    stmt.state_ = State::kDone;
    stmt.changes_ = 0;
    return TIDE_DONE;
  }
  stmt.state_ = State::kFailed;
  return stmt.conn_->fail_stmt(stmt.stmt_);
}

int read_column(tide_stmt &stmt, int i, tide_value &out) {
  using Kind = tide_stmt::Kind;
  if (stmt.state_ != tide_stmt::State::kRow) return stmt.conn_->fail(TIDE_EMISUSE, "column_value: no current row");
  if (i < 0 || static_cast<size_t>(i) >= stmt.columns_.size())
    return stmt.conn_->fail(TIDE_EMISUSE, "column_value: no column " + std::to_string(i));
  tide_stmt::Column &c = stmt.columns_[i];
  out = tide_value{};
  if (c.is_null) {
    out.type = TIDE_TYPE_NULL;
    return TIDE_OK;
  }
  switch (c.kind) {
    case Kind::kInt:
      out.type = TIDE_TYPE_INT;
      out.u.i = c.i;
      return TIDE_OK;
    case Kind::kUnsigned:
      if (static_cast<uint64_t>(c.i) <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        out.type = TIDE_TYPE_INT;
        out.u.i = c.i;
        return TIDE_OK;
      }
      c.text = std::to_string(static_cast<uint64_t>(c.i));  // beyond int64: exact, as text
      out.type = TIDE_TYPE_TEXT;
      out.u.s.ptr = c.text.data();
      out.u.s.len = c.text.size();
      return TIDE_OK;
    case Kind::kFloat:
      out.type = TIDE_TYPE_FLOAT;
      out.u.f = c.f;
      return TIDE_OK;
    case Kind::kBit: {
      uint64_t bits = 0;
      for (unsigned long k = 0; k < std::min<unsigned long>(c.length, 8); ++k)
        bits = (bits << 8) | static_cast<unsigned char>(c.buffer[k]);
      out.type = TIDE_TYPE_INT;
      out.u.i = static_cast<int64_t>(bits);
      return TIDE_OK;
    }
    case Kind::kWholeDecimal: {
      const char *first = c.buffer.data(), *last = first + std::min<size_t>(c.length, c.buffer.size());
      auto [end, ec] = std::from_chars(first, last, out.u.i);
      if (ec == std::errc() && end == last) {
        out.type = TIDE_TYPE_INT;
        return TIDE_OK;
      }
      out.type = TIDE_TYPE_TEXT;  // beyond int64: exact, as text
      out.u.s.ptr = first;
      out.u.s.len = static_cast<size_t>(last - first);
      return TIDE_OK;
    }
    default:
      out.type = c.kind == Kind::kText ? TIDE_TYPE_TEXT : TIDE_TYPE_BLOB;
      out.u.s.len = std::min<size_t>(c.length, c.buffer.size());
      out.u.s.ptr = out.u.s.len ? c.buffer.data() : kEmpty;
      return TIDE_OK;
  }
}

}  // namespace tide_mysql
