// The SQLite driver's connection and statement objects (the opaque tide_conn and
// tide_stmt of driver.h), the error record a connection carries, and the operations the
// entry table calls: connect (connection.cpp), exec/query/step/column (statement.cpp),
// transactions and the migration lock (connection.cpp). These may throw; the extern "C"
// entries in sqlite_driver.cpp wrap every call in guarded().

#ifndef TIDE_PLUGINS_SQLITE_CONNECTION_H_
#define TIDE_PLUGINS_SQLITE_CONNECTION_H_

#include <sqlite3.h>
#include <tide/driver.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <error_record.h>

#include "file_lock.h"

namespace tide_sqlite {

// Handed out for empty text and blobs, where a NULL pointer would mean something else.
inline constexpr char kEmpty[] = "";

struct DbCloser {
  void operator()(sqlite3 *db) const noexcept { sqlite3_close_v2(db); }
};
using DbHandle = std::unique_ptr<sqlite3, DbCloser>;

struct StmtFinalizer {
  void operator()(sqlite3_stmt *stmt) const noexcept { sqlite3_finalize(stmt); }
};
using StmtHandle = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

using ErrorRecord = tide::driver::ErrorRecord;

}  // namespace tide_sqlite

// ---- the handles ------------------------------------------------------------------------

struct tide_conn {
  tide_sqlite::DbHandle db_;  // null when connect failed: the object then only carries error_
  std::string path_;          // absolute path of the database file; empty for :memory:
  tide_sqlite::ErrorRecord error_;
  tide_stmt *open_stmt_ = nullptr;  // at most one (driver.h); freed by close()
  tide_sqlite::FileLock lock_;
  // upsert(): prepared statements keyed by their SQL, reused across batches of one
  // shape; finalized before db_ closes (members are destroyed in reverse order).
  std::vector<std::pair<std::string, tide_sqlite::StmtHandle>> upsert_cache_;

  ~tide_conn();

  int fail(int code, std::string message) { return error_.set(code, std::move(message)); }

  // An error SQLite reported on this connection; offsets as in tide_error.
  int fail_sqlite(int sqlite_rc, int64_t statement_offset = -1, int64_t error_position = -1);

  int require_open(const char *what) {
    if (db_) return TIDE_OK;
    return fail(TIDE_EMISUSE, std::string(what) + ": the connection is not open");
  }

  // exec() and query() need the connection to themselves (driver.h).
  int require_idle(const char *what) {
    if (int rc = require_open(what); rc != TIDE_OK) return rc;
    if (!open_stmt_) return TIDE_OK;
    return fail(TIDE_EMISUSE, std::string(what) +
                                  ": a statement is still open on this connection; "
                                  "finalize it first");
  }

  bool in_transaction() const { return db_ && sqlite3_get_autocommit(db_.get()) == 0; }
};

struct tide_stmt {
  enum class State { kFresh, kRow, kDone, kFailed };

  tide_stmt(tide_conn *conn, tide_sqlite::StmtHandle stmt)
      : conn_(conn), stmt_(std::move(stmt)), total_changes_before_(sqlite3_total_changes64(conn->db_.get())) {}
  ~tide_stmt() {
    if (conn_ && conn_->open_stmt_ == this) conn_->open_stmt_ = nullptr;
  }

  tide_conn *conn_;
  tide_sqlite::StmtHandle stmt_;
  int64_t total_changes_before_;
  State state_ = State::kFresh;
  int64_t changes_ = -1;
};

// ---- the operations behind the entry table ------------------------------------------------
//
// Each returns a TIDE_* code and, on failure, leaves the error in the connection's
// error_. sql is never NULL here (the entries substitute kEmpty).

namespace tide_sqlite {

// connection.cpp
int connect_to(tide_conn &conn, const char *url, const tide_connect_options *options);
int begin_transaction(tide_conn &conn);
int commit_transaction(tide_conn &conn);
int rollback_transaction(tide_conn &conn);
int take_lock(tide_conn &conn, int64_t timeout_ms);
int release_lock(tide_conn &conn);

// statement.cpp
int run_script(tide_conn &conn, const char *sql, size_t len);
int open_query(tide_conn &conn, const char *sql, size_t len, const tide_value *params, size_t n, tide_stmt **out);
int step_statement(tide_stmt &stmt);
int read_column(tide_stmt &stmt, int i, tide_value &out);
int bind_value(sqlite3_stmt *stmt, int index, const tide_value &value, bool copy);

// upsert.cpp
int upsert_rows(tide_conn &conn, const tide_upsert *spec, const tide_value *values, size_t nrows,
                tide_upsert_result *result);

}  // namespace tide_sqlite

#endif  // TIDE_PLUGINS_SQLITE_CONNECTION_H_
