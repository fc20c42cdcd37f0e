// The MySQL driver's connection and statement objects (the opaque tide_conn and
// tide_stmt of driver.h), the error record a connection carries, and the operations the
// entry table calls. These may throw; the extern "C" entries in mysql_driver.cpp wrap
// every call in guarded().
//
//   connection.cpp  connect, errors, transactions, the GET_LOCK migration lock
//   statement.cpp   exec (split, then statement by statement), prepared queries, rows
//   upsert.cpp      INSERT ... ON DUPLICATE KEY UPDATE in batches; with a script after it
//   dump.cpp        mariadb-dump / mysqldump --no-data
#ifndef TIDE_PLUGINS_MYSQL_CONNECTION_H_
#define TIDE_PLUGINS_MYSQL_CONNECTION_H_

#include <mysql.h>
#include <tide/driver.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <error_record.h>

#include "url.h"

namespace tide_mysql {

// Handed out for empty text and blobs, where a NULL pointer would mean something else.
inline constexpr char kEmpty[] = "";

using ErrorRecord = tide::driver::ErrorRecord;

// MySQL's SQLSTATE, or empty for its "no particular SQLSTATE" (HY000): saying nothing is
// more honest.
inline std::string sqlstate_of(const char *sqlstate) {
  std::string s = sqlstate ? sqlstate : "";
  return s == "HY000" || s == "00000" ? std::string() : s;
}

// A server-side prepared statement kept for reuse: tide runs the same history INSERT
// and UPDATE once per migration, and re-preparing costs two extra round trips each time.
struct CachedStmt {
  std::string sql;
  MYSQL_STMT *stmt = nullptr;
};

// The text of the last upsert's shape (table, columns, mode) and of its statement for a
// row count: the history writes the same two-row shape once per migration, and
// rebuilding its text (quoting every column) was a fifth of tide's own instructions in
// `up` of 1,000 migrations.
struct UpsertText {
  std::string table, key;
  std::vector<std::string> columns, update;
  int mode = -1;       // -1: nothing built yet
  std::string head;    // INSERT INTO `t` (`a`, ...) VALUES
  std::string clause;  // ON DUPLICATE KEY UPDATE ..., or empty
  size_t rows = 0;     // the row count sql is for (0: not built)
  std::string sql;     // head, `rows` tuples of placeholders, clause
};

}  // namespace tide_mysql

struct tide_conn {
  MYSQL *mysql_ = nullptr;  // null when connect failed: the object then only carries error_
  tide_mysql::Target target_;
  tide_mysql::ErrorRecord error_;
  std::string server_version_;
  bool mariadb_ = false;
  tide_stmt *open_stmt_ = nullptr;             // at most one (driver.h); freed by close()
  std::vector<tide_mysql::CachedStmt> cache_;  // most recently used last
  std::string held_lock_;                      // the GET_LOCK name held, or empty
  int64_t max_packet_ = 0;                     // @@max_allowed_packet, read on first upsert
  tide_mysql::UpsertText last_upsert_;         // upsert.cpp

  tide_conn() = default;
  tide_conn(const tide_conn &) = delete;
  tide_conn &operator=(const tide_conn &) = delete;
  ~tide_conn();

  int fail(int code, std::string message) { return error_.set(code, std::move(message)); }
  // The error the client library reports for the connection; offsets as in tide_error.
  int fail_mysql(int64_t statement_offset = -1, const char *statement = nullptr, size_t statement_len = 0);
  int fail_stmt(MYSQL_STMT *stmt);

  int require_open(const char *what) {
    if (mysql_) return TIDE_OK;
    return fail(TIDE_EMISUSE, std::string(what) + ": the connection is not open");
  }
  // exec() and query() need the connection to themselves (driver.h).
  int require_idle(const char *what);

  bool in_transaction() const { return mysql_ && (mysql_->server_status & SERVER_STATUS_IN_TRANS) != 0; }

  // A prepared statement for sql, from the cache or newly prepared (then cached).
  // Returns nullptr with the error set.
  MYSQL_STMT *prepare(const char *sql, size_t len);
  // Drops a statement from the cache (after an error that may have broken it).
  void forget(MYSQL_STMT *stmt);
};

struct tide_stmt {
  enum class State { kFresh, kRow, kDone, kFailed };
  enum class Kind { kInt, kUnsigned, kFloat, kText, kBlob, kBit, kWholeDecimal };

  struct Column {
    Kind kind = Kind::kText;
    std::string name;
    std::vector<char> buffer;
    int64_t i = 0;
    double f = 0;
    unsigned long length = 0;
    my_bool is_null = 0;
    my_bool error = 0;
    std::string text;  // an unsigned value beyond int64, as decimal text
  };

  tide_stmt(tide_conn *conn, MYSQL_STMT *stmt) : conn_(conn), stmt_(stmt) {}
  ~tide_stmt();
  tide_stmt(const tide_stmt &) = delete;
  tide_stmt &operator=(const tide_stmt &) = delete;

  tide_conn *conn_;
  MYSQL_STMT *stmt_;  // owned by the connection's cache
  std::vector<Column> columns_;
  std::vector<MYSQL_BIND> binds_;
  State state_ = State::kFresh;
  int64_t changes_ = -1;
};

namespace tide_mysql {

// connection.cpp
int connect_to(tide_conn &conn, const char *url, const tide_connect_options *options);
int begin_transaction(tide_conn &conn);
int commit_transaction(tide_conn &conn);
int rollback_transaction(tide_conn &conn);
int take_lock(tide_conn &conn, const char *key, int64_t timeout_ms);
int release_lock(tide_conn &conn, const char *key);
// Runs one statement without parameters and without rows (SET, START TRANSACTION, ...).
int run_simple(tide_conn &conn, const std::string &sql);
// Whether a client error number means the connection is gone.
bool connection_lost(unsigned int errnum);

// statement.cpp
// A statement's [start, start + len) in its script, as the splitter found it.
using Span = std::pair<size_t, size_t>;
std::vector<Span> split_spans(const char *sql, size_t len);
// Sends spans[first..] of sql one by one (exec()'s way); errors carry the statement's offset.
int run_spans(tide_conn &conn, const char *sql, const std::vector<Span> &spans, size_t first);
// Reads and discards every result of the statement just sent (a SELECT's rows, a CALL's
// result sets) without buffering them; offset, text and len describe it for errors.
int drain_results(tide_conn &conn, int64_t offset, const char *text, size_t len);
int run_script(tide_conn &conn, const char *sql, size_t len);
int open_query(tide_conn &conn, const char *sql, size_t len, const tide_value *params, size_t n, tide_stmt **out);
int step_statement(tide_stmt &stmt);
int read_column(tide_stmt &stmt, int i, tide_value &out);
// Binds params to a prepared statement and executes it (shared with upsert).
int execute_prepared(tide_conn &conn, MYSQL_STMT *stmt, const tide_value *params, size_t n);

// upsert.cpp
int run_upsert(tide_conn &conn, const tide_upsert &spec, const tide_value *values, size_t nrows,
               tide_upsert_result &result);
// upsert_then_exec (ABI 1.3); stage is set as the call gets further (TIDE_STAGE_*).
int run_upsert_then_exec(tide_conn &conn, const tide_upsert &spec, const tide_value *values, size_t nrows,
                         tide_upsert_result &result, const char *sql, size_t len, int &stage);

// dump.cpp
int run_dump(tide_conn &conn, tide_write_fn fn, void *user);

}  // namespace tide_mysql

#endif  // TIDE_PLUGINS_MYSQL_CONNECTION_H_
