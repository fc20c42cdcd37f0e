// The PostgreSQL driver's connection and statement objects (the opaque tide_conn and
// tide_stmt of driver.h), the error record a connection carries, and the operations the
// entry table calls:
//   connection.cpp  connect, errors, transactions (with a deferred BEGIN), server version
//   exec.cpp        exec() of a script: one round trip per script inside a transaction,
//                   statement by statement outside one, COPY FROM STDIN data
//   statement.cpp   query() with bound parameters, step() in single-row mode, columns
//   lock.cpp        the migration lock: pg_try_advisory_lock, polled
//   dump.cpp        dump() through pg_dump --schema-only
//   upsert.cpp      upsert(): multi-row INSERT ... ON CONFLICT, prepared per shape
// with params.h (tide_values as libpq parameters) and pipeline.h (several commands in
// one round trip).
// These may throw; the extern "C" entries in postgres_driver.cpp wrap every call.

#ifndef TIDE_PLUGINS_POSTGRES_CONNECTION_H_
#define TIDE_PLUGINS_POSTGRES_CONNECTION_H_

#include <libpq-fe.h>
#include <tide/driver.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <error_record.h>

namespace tide_pg {

inline constexpr char kEmpty[] = "";

struct PGconnCloser {
  void operator()(PGconn *c) const noexcept { PQfinish(c); }
};
using ConnHandle = std::unique_ptr<PGconn, PGconnCloser>;

struct PGresultClearer {
  void operator()(PGresult *r) const noexcept { PQclear(r); }
};
using ResultHandle = std::unique_ptr<PGresult, PGresultClearer>;

// The error record (plugins/common/error_record.h) with what libpq adds: messages with
// continuation lines joined, a server error's fields, and its character position.
class ErrorRecord : public tide::driver::ErrorRecord {
 public:
  int set(int code, std::string message);
  // A server error from a result: SQLSTATE, message, detail, hint, and the error's
  // character position (PG_DIAG_STATEMENT_POSITION) as given.
  int set_from_result(int code, const PGresult *result, const std::string &fallback);
  // The server's 1-based character position of the error, 0 when none.
  int64_t server_position() const { return server_position_; }

 private:
  int64_t server_position_ = 0;
};

}  // namespace tide_pg

// ---- the handles ------------------------------------------------------------------------

struct tide_conn {
  tide_pg::ConnHandle pg_;  // null or bad when connect failed: then only error_ counts
  tide_pg::ErrorRecord error_;
  tide_stmt *open_stmt_ = nullptr;  // at most one (driver.h); freed by close()
  std::string server_version_;
  // begin() only notes the BEGIN; the next statement sends it in the same round trip
  // (exec() prefixes the script with it). Until then the database has no transaction,
  // but in_transaction() answers as if it had.
  bool begin_pending_ = false;
  // Whether a transaction was open when the connection was last seen alive: the server
  // rolls it back when the connection dies, so the host still gets to "roll back".
  bool lost_in_transaction_ = false;
  std::set<int64_t> locks_;  // advisory lock keys this session holds
  // upsert()'s prepared statements by the shape of their SQL, most recently used first
  // (upsert.cpp): a batch of the same shape skips parsing.
  struct Prepared {
    std::string shape, name;
  };
  std::vector<Prepared> prepared_;
  uint64_t prepared_serial_ = 0;

  ~tide_conn();

  int fail(int code, std::string message) { return error_.set(code, std::move(message)); }

  // The error of a failed result, or of the connection when result is NULL. A lost
  // connection is TIDE_ECONNECT and says what became of an open transaction.
  int fail_result(const PGresult *result);

  int require_open(const char *what);
  // exec(), query() need the connection to themselves (driver.h).
  int require_idle(const char *what);

  bool alive() const { return pg_ && PQstatus(pg_.get()) == CONNECTION_OK; }
  bool in_transaction() const;
  // Sends the noted BEGIN on its own (before a query(), lock() or the like).
  int flush_begin();
  // Remembers the transaction state before the next round trip, for fail_result.
  void note_state() { lost_in_transaction_ = in_transaction(); }
};

struct tide_stmt {
  enum class State { kFresh, kRow, kDone, kFailed };

  explicit tide_stmt(tide_conn *conn) : conn_(conn) {}
  ~tide_stmt();

  tide_conn *conn_;
  tide_pg::ResultHandle current_;  // the current row (single-row mode) or final result
  bool first_pending_ = false;     // current_ holds the first row, not yet stepped to
  bool results_left_ = true;       // PQgetResult has not returned NULL yet
  State state_ = State::kFresh;
  int64_t changes_ = -1;
  std::vector<std::string> names_;
  std::vector<Oid> types_;
  std::vector<std::string> decoded_;  // bytea columns of the current row, decoded
};

// ---- the operations behind the entry table ------------------------------------------------
//
// Each returns a TIDE_* code and, on failure, leaves the error in the connection's error_.

namespace tide_pg {

// connection.cpp
int connect_to(tide_conn &conn, const char *url, const tide_connect_options *options);
int begin_transaction(tide_conn &conn);
int commit_transaction(tide_conn &conn);
int rollback_transaction(tide_conn &conn);
// commit_with (ABI 1.2): the statement, then COMMIT, in one pipeline.
int commit_with_statement(tide_conn &conn, const char *sql, size_t len, const tide_value *params, size_t n);
// Runs one statement without parameters and checks it succeeded.
int run_simple(tide_conn &conn, const char *sql);

// exec.cpp
int run_script(tide_conn &conn, const char *sql, size_t len);

// statement.cpp
int open_query(tide_conn &conn, const char *sql, size_t len, const tide_value *params, size_t n, tide_stmt **out);
int step_statement(tide_stmt &stmt);
int read_column(tide_stmt &stmt, int i, tide_value &out);
// Reads and discards the rest of a result (finalize, or a statement abandoned early).
void drain(PGconn *pg);

// lock.cpp
int take_lock(tide_conn &conn, const char *key, int64_t timeout_ms);
int release_lock(tide_conn &conn, const char *key);

// dump.cpp
int dump_schema(tide_conn &conn, tide_write_fn fn, void *user);

// upsert.cpp
int upsert_rows(tide_conn &conn, const tide_upsert *spec, const tide_value *values, size_t nrows,
                tide_upsert_result *result);

}  // namespace tide_pg

#endif  // TIDE_PLUGINS_POSTGRES_CONNECTION_H_
