// exec() of a script on PostgreSQL.
//
// Inside a transaction the statements go to the server in one simple-query message (one
// round trip, with a deferred BEGIN in front of them): a failure rolls the transaction
// back anyway, so running them separately would only cost round trips. Outside a
// transaction each statement is its own message, as driver.h asks: statements before a
// failing one have run, and CREATE INDEX CONCURRENTLY, VACUUM or ALTER TYPE ... ADD
// VALUE are not wrapped in the implicit transaction a multi-statement message gets.
// COPY ... FROM STDIN ends a message: its data block follows as COPY data.
//
// Which statement failed: the server's error position (in characters of the message)
// when it gives one, else the number of statements that completed before the error.

#include <libpq-fe.h>
#include <tide/driver.h>

#include <algorithm>
#include <span>
#include <string>
#include <string_view>

#include "connection.h"
#include "sql_text.h"

namespace tide_pg {
namespace {

constexpr std::string_view kBeginPrefix = "BEGIN;\n";

// One message: its text, how much of it is the BEGIN prefix, and the statements of the
// script it holds (consecutive; text holds script[first.start, last.end)).
struct Message {
  std::string text;
  size_t prefix_len = 0;
  std::span<const Piece> pieces;
};

int send_copy_data(PGconn *pg, std::string_view script, const Piece *copy) {
  if (!copy || !copy->copy_in) {
    return PQputCopyEnd(pg, "tide: COPY FROM STDIN needs its data after the statement, ending with a line \\.");
  }
  std::string_view data = script.substr(copy->data_start, copy->data_len);
  constexpr size_t kChunk = 1 << 16;
  for (size_t at = 0; at < data.size(); at += kChunk) {
    std::string_view part = data.substr(at, kChunk);
    if (PQputCopyData(pg, part.data(), static_cast<int>(part.size())) != 1) return -1;
  }
  return PQputCopyEnd(pg, nullptr);
}

void discard_copy_out(PGconn *pg) {
  char *buffer = nullptr;
  while (PQgetCopyData(pg, &buffer, 0) > 0) {
    PQfreemem(buffer);
    buffer = nullptr;
  }
}

// Points the connection's error at the statement of m that failed.
void locate_error(tide_conn &conn, const Message &m, int completed) {
  const auto &pieces = m.pieces;
  size_t index = 0;
  int64_t within = -1;
  int64_t at = byte_offset_of_char(m.text, conn.error_.server_position());
  if (at >= static_cast<int64_t>(m.prefix_len)) {
    size_t in_script = pieces.front().start + static_cast<size_t>(at) - m.prefix_len;
    while (index + 1 < pieces.size() && pieces[index + 1].start <= in_script) ++index;
    within = static_cast<int64_t>(in_script - pieces[index].start);
  } else {
    int statement = completed - (m.prefix_len > 0 ? 1 : 0);
    index = statement <= 0 ? 0 : std::min(static_cast<size_t>(statement), pieces.size() - 1);
  }
  conn.error_.set_offsets(static_cast<int64_t>(pieces[index].start), within);
}

// Sends one message and reads every result of it, discarding rows.
int round_trip(tide_conn &conn, std::string_view script, const Message &m) {
  PGconn *pg = conn.pg_.get();
  conn.note_state();
  conn.begin_pending_ = false;
  if (!PQsendQuery(pg, m.text.c_str())) {
    int rc = conn.fail_result(nullptr);
    conn.error_.set_offsets(static_cast<int64_t>(m.pieces.front().start), -1);
    return rc;
  }
  PQsetSingleRowMode(pg);  // a SELECT in a script streams past instead of piling up
  const Piece *copy = &m.pieces.back();
  int completed = 0;
  ResultHandle error;
  while (PGresult *raw = PQgetResult(pg)) {
    ResultHandle r(raw);
    switch (PQresultStatus(r.get())) {
      case PGRES_SINGLE_TUPLE:
        break;
      case PGRES_COPY_IN:
        send_copy_data(pg, script, copy);
        copy = nullptr;  // a second COPY in one message has no data of ours
        break;
      case PGRES_COPY_OUT:
        discard_copy_out(pg);
        break;
      case PGRES_COMMAND_OK:
      case PGRES_TUPLES_OK:
      case PGRES_EMPTY_QUERY:
        ++completed;
        break;
      default:
        if (!error) error = std::move(r);
        break;
    }
  }
  if (!error && conn.alive()) return TIDE_OK;
  int rc = conn.fail_result(error.get());
  locate_error(conn, m, completed);
  // A message that failed before its BEGIN ran (a syntax error anywhere in it: the
  // server parses the whole message first) leaves no transaction; the host's is still
  // pending as far as it knows, and its rollback will end it.
  if (m.prefix_len > 0 && completed == 0 && conn.alive() && PQtransactionStatus(pg) == PQTRANS_IDLE) {
    conn.begin_pending_ = true;
  }
  return rc;
}

Message message_for(std::string_view script, std::span<const Piece> pieces, bool begin) {
  Message m;
  m.pieces = pieces;
  if (begin) m.text = kBeginPrefix;
  m.prefix_len = m.text.size();
  size_t from = pieces.front().start;
  m.text.append(script.substr(from, pieces.back().end() - from));
  return m;
}

}  // namespace

int run_script(tide_conn &conn, const char *sql, size_t len) {
  if (int rc = conn.require_idle("exec"); rc != TIDE_OK) return rc;
  std::string_view script(sql, len);
  const Pieces split = split_pieces(script);
  std::span<const Piece> all(split.statements);
  if (all.empty()) return TIDE_OK;
  const bool batched = conn.in_transaction();
  size_t first = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    bool last = i + 1 == all.size();
    // A message ends after each statement outside a transaction, and after a COPY FROM
    // STDIN inside one (its data must follow it).
    if (!(last || !batched || all[i].copy_in)) continue;
    Message m = message_for(script, all.subspan(first, i + 1 - first), conn.begin_pending_);
    if (int rc = round_trip(conn, script, m); rc != TIDE_OK) return rc;
    first = i + 1;
  }
  return TIDE_OK;
}

}  // namespace tide_pg
