// query() on PostgreSQL: one statement with bound parameters (the extended protocol,
// text-format parameters except bytea, which goes as binary), rows streamed in libpq's
// single-row mode so a million rows take constant memory, and column values typed from
// the result's type OIDs.

#include <libpq-fe.h>
#include <tide/driver.h>

#include <charconv>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "connection.h"
#include "params.h"

namespace tide_pg {
namespace {

// Rows changed, from the command tag: only statements that write rows count (a
// SELECT's tag carries its row count, which is not a change).
int64_t changes_of(const PGresult *r) {
  const char *tag = PQcmdStatus(const_cast<PGresult *>(r));
  for (const char *writer : {"INSERT ", "UPDATE ", "DELETE ", "MERGE ", "COPY "}) {
    if (std::strncmp(tag, writer, std::strlen(writer)) == 0) {
      return std::atoll(PQcmdTuples(const_cast<PGresult *>(r)));
    }
  }
  return 0;
}

void describe(tide_stmt &s, const PGresult *r) {
  int n = PQnfields(r);
  for (int i = 0; i < n; ++i) {
    s.names_.emplace_back(PQfname(r, i));
    s.types_.push_back(PQftype(r, i));
  }
  s.decoded_.resize(n);
}

// Handles a result that is not a row: the statement's end (TIDE_DONE) or its error.
int finish(tide_stmt &s, ResultHandle r) {
  ExecStatusType status = r ? PQresultStatus(r.get()) : PGRES_COMMAND_OK;
  if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
    s.changes_ = r ? changes_of(r.get()) : 0;
    s.current_.reset();
    drain(s.conn_->pg_.get());
    s.results_left_ = false;
    s.state_ = tide_stmt::State::kDone;
    return TIDE_DONE;
  }
  if (status == PGRES_COPY_IN || status == PGRES_COPY_OUT) {
    drain(s.conn_->pg_.get());
    s.state_ = tide_stmt::State::kFailed;
    return s.conn_->fail(TIDE_EMISUSE, "query: COPY FROM STDIN / TO STDOUT needs exec, not query");
  }
  int rc = s.conn_->fail_result(r.get());
  drain(s.conn_->pg_.get());
  s.results_left_ = false;
  s.state_ = tide_stmt::State::kFailed;
  return rc;
}

bool decode_hex_bytea(const char *text, size_t len, std::string &out) {
  if (len < 2 || text[0] != '\\' || text[1] != 'x' || len % 2 != 0) return false;
  auto nibble = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  out.resize((len - 2) / 2);
  for (size_t i = 2, o = 0; i < len; i += 2, ++o)
    out[o] = static_cast<char>(nibble(text[i]) << 4 | nibble(text[i + 1]));
  return true;
}

int read_bytea(tide_stmt &s, int i, const char *text, size_t len, tide_value &out) {
  std::string &bytes = s.decoded_[i];
  if (!decode_hex_bytea(text, len, bytes)) {  // bytea_output = escape
    size_t n = 0;
    unsigned char *raw = PQunescapeBytea(reinterpret_cast<const unsigned char *>(text), &n);
    if (!raw) return s.conn_->error_.set_static(TIDE_ENOMEM, "out of memory reading a bytea column");
    bytes.assign(reinterpret_cast<const char *>(raw), n);
    PQfreemem(raw);
  }
  out.type = TIDE_TYPE_BLOB;
  out.u.s.ptr = bytes.empty() ? kEmpty : bytes.data();
  out.u.s.len = bytes.size();
  return TIDE_OK;
}

}  // namespace

void drain(PGconn *pg) {
  if (!pg) return;
  while (PGresult *r = PQgetResult(pg)) {
    ExecStatusType status = PQresultStatus(r);
    PQclear(r);
    if (status == PGRES_COPY_IN) {
      PQputCopyEnd(pg, "tide: COPY abandoned");
    } else if (status == PGRES_COPY_OUT) {
      char *buffer = nullptr;
      while (PQgetCopyData(pg, &buffer, 0) > 0) PQfreemem(buffer);
    } else if (status == PGRES_COPY_BOTH) {
      break;  // replication protocol: nothing tide starts
    }
  }
}

int open_query(tide_conn &conn, const char *sql, size_t len, const tide_value *params, size_t n, tide_stmt **out) {
  if (!out) return conn.fail(TIDE_EMISUSE, "query: out is NULL");
  *out = nullptr;
  if (int rc = conn.require_idle("query"); rc != TIDE_OK) return rc;
  if (n > 0 && !params) return conn.fail(TIDE_EMISUSE, "query: params is NULL");
  if (n > 65535) return conn.fail(TIDE_EMISUSE, "query: PostgreSQL takes at most 65535 parameters");
  Params p;
  if (int rc = build_params(conn, "query", params, n, true, p); rc != TIDE_OK) return rc;
  if (int rc = conn.flush_begin(); rc != TIDE_OK) return rc;
  PGconn *pg = conn.pg_.get();
  conn.note_state();
  std::string text(sql, len);
  if (!PQsendQueryParams(pg, text.c_str(), static_cast<int>(n), p.types.data(), p.values.data(), p.lengths.data(),
                         p.formats.data(), 0)) {
    return conn.fail_result(nullptr);
  }
  PQsetSingleRowMode(pg);
  auto stmt = std::make_unique<tide_stmt>(&conn);
  ResultHandle first(PQgetResult(pg));
  if (first && PQresultStatus(first.get()) == PGRES_SINGLE_TUPLE) {
    describe(*stmt, first.get());
    stmt->current_ = std::move(first);
    stmt->first_pending_ = true;
  } else {
    if (first) describe(*stmt, first.get());
    ExecStatusType status = first ? PQresultStatus(first.get()) : PGRES_FATAL_ERROR;
    bool ok = status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK;
    int rc = finish(*stmt, std::move(first));
    if (!ok) return rc;  // the error is the connection's; the statement goes
  }
  conn.open_stmt_ = stmt.get();
  *out = stmt.release();
  return TIDE_OK;
}

int step_statement(tide_stmt &s) {
  using State = tide_stmt::State;
  if (s.state_ == State::kDone) return TIDE_DONE;
  if (s.state_ == State::kFailed) return s.conn_->fail(TIDE_EMISUSE, "step: the statement already failed");
  if (s.first_pending_) {
    s.first_pending_ = false;
    s.state_ = State::kRow;
    return TIDE_ROW;
  }
  ResultHandle r(PQgetResult(s.conn_->pg_.get()));
  if (r && PQresultStatus(r.get()) == PGRES_SINGLE_TUPLE) {
    s.current_ = std::move(r);
    s.state_ = State::kRow;
    return TIDE_ROW;
  }
  if (!r) s.results_left_ = false;
  return finish(s, std::move(r));
}

int read_column(tide_stmt &s, int i, tide_value &out) {
  if (s.state_ != tide_stmt::State::kRow || !s.current_) {
    return s.conn_->fail(TIDE_EMISUSE, "column_value: no current row");
  }
  const PGresult *r = s.current_.get();
  if (i < 0 || i >= PQnfields(r)) return s.conn_->fail(TIDE_EMISUSE, "column_value: no column " + std::to_string(i));
  out = tide_value{};
  if (PQgetisnull(r, 0, i)) return TIDE_OK;  // TIDE_TYPE_NULL
  const char *text = PQgetvalue(r, 0, i);
  const size_t len = static_cast<size_t>(PQgetlength(r, 0, i));
  switch (PQftype(r, i)) {
    case kInt2:
    case kInt4:
    case kInt8:
    case kOid:
    case kNumeric: {
      // numeric: an integral value that fits is an INT (sum() of bigints is numeric);
      // any other stays exact text rather than a rounded double.
      int64_t value = 0;
      auto [end, ec] = std::from_chars(text, text + len, value);
      if (ec == std::errc() && end == text + len) {
        out.type = TIDE_TYPE_INT;
        out.u.i = value;
        return TIDE_OK;
      }
      break;
    }
    case kFloat4:
    case kFloat8:
      out.type = TIDE_TYPE_FLOAT;
      // Not strtod: no locale's decimal comma. Also reads "Infinity", "-Infinity", "NaN".
      std::from_chars(text, text + len, out.u.f);
      return TIDE_OK;
    case kBool:
      out.type = TIDE_TYPE_BOOL;
      out.u.i = text[0] == 't' ? 1 : 0;
      return TIDE_OK;
    case kBytea:
      return read_bytea(s, i, text, len, out);
    default:
      break;
  }
  out.type = TIDE_TYPE_TEXT;
  out.u.s.ptr = text;
  out.u.s.len = len;
  return TIDE_OK;
}

}  // namespace tide_pg

tide_stmt::~tide_stmt() {
  if (results_left_ && conn_ && conn_->pg_) tide_pg::drain(conn_->pg_.get());
  if (conn_ && conn_->open_stmt_ == this) conn_->open_stmt_ = nullptr;
}
