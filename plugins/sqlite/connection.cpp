// A connection's life in the SQLite driver: opening the database a URL names, mapping
// SQLite's errors, transactions, the migration lock, and closing. The statements run on
// it are in statement.cpp.

#include "connection.h"

#include <sqlite3.h>
#include <tide/driver.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>
#include <thread>

#include "file_lock.h"
#include "url.h"

namespace {

constexpr int64_t kDefaultBusyTimeoutMs = 5000;
constexpr auto kLockPollInterval = std::chrono::milliseconds(50);
constexpr int64_t kMaxLockWaitMs = int64_t{31} * 24 * 3600 * 1000;
constexpr const char *kLockSuffix = "-tide.lock";

int tide_code_for(int sqlite_rc) {
  switch (sqlite_rc & 0xff) {
    case SQLITE_NOMEM:
      return TIDE_ENOMEM;
    case SQLITE_MISUSE:
      return TIDE_EINTERNAL;  // we drove SQLite wrongly
    default:
      return TIDE_EDB;
  }
}

}  // namespace

tide_conn::~tide_conn() {
  delete open_stmt_;  // before db_ closes; its destructor clears open_stmt_
  // sqlite3_close_v2 would roll back too; saying it keeps close() obviously correct.
  if (in_transaction()) sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
}

int tide_conn::fail_sqlite(int sqlite_rc, int64_t statement_offset, int64_t error_position) {
  return error_.set(tide_code_for(sqlite_rc), sqlite3_errmsg(db_.get()), sqlite_rc, {}, statement_offset,
                    error_position);
}

namespace tide_sqlite {
namespace {

// ---- connect ----------------------------------------------------------------------------

// The default database is db/<env>.sqlite3 (SPEC §2), and a fresh project has no db/
// yet, so a missing parent directory is created, as Rails and dbmate do. A read-only
// open creates nothing.
int create_parent_directory(tide_conn &conn) {
  std::error_code ec;
  std::filesystem::path parent = std::filesystem::path(conn.path_).parent_path();
  std::filesystem::create_directories(parent, ec);
  if (!ec) return TIDE_OK;
  return conn.fail(TIDE_ECONNECT, "cannot create directory " + parent.string() + ": " + ec.message());
}

int64_t busy_timeout_ms(const tide_connect_options *options) {
  auto has = [options](size_t end) { return options && options->struct_size >= end; };
  // lock_timeout is "the database's own lock wait", which for SQLite is the busy timeout.
  if (has(offsetof(tide_connect_options, lock_timeout_ms) + sizeof(int64_t)) && options->lock_timeout_ms > 0) {
    return options->lock_timeout_ms;
  }
  if (has(offsetof(tide_connect_options, connect_timeout_ms) + sizeof(int64_t)) && options->connect_timeout_ms > 0) {
    return options->connect_timeout_ms;
  }
  return kDefaultBusyTimeoutMs;
}

// Opens the file and proves it is an SQLite database: sqlite3_open_v2 reads nothing, so
// without the probe query a stray text file would only fail at the first migration.
int open_database(tide_conn &conn, const Target &target, const tide_connect_options *opts) {
  int flags = SQLITE_OPEN_NOMUTEX;  // one thread per handle at a time (driver.h)
  flags |= target.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  const std::string &shown = target.memory ? target.path : conn.path_;
  sqlite3 *raw = nullptr;
  int rc = sqlite3_open_v2(target.memory ? ":memory:" : conn.path_.c_str(), &raw, flags, nullptr);
  conn.db_.reset(raw);
  if (rc == SQLITE_OK) {
    sqlite3_extended_result_codes(raw, 1);
    int64_t timeout = busy_timeout_ms(opts);
    sqlite3_busy_timeout(raw, static_cast<int>(timeout > INT_MAX ? INT_MAX : timeout));
    rc = sqlite3_exec(raw, "PRAGMA foreign_keys=ON", nullptr, nullptr, nullptr);
  }
  if (rc == SQLITE_OK) {
    rc = sqlite3_exec(raw, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr);
  }
  if (rc == SQLITE_OK) return TIDE_OK;
  std::string message = shown + ": " + (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc));
  conn.db_.reset();
  conn.error_.set(rc == SQLITE_NOMEM ? TIDE_ENOMEM : TIDE_ECONNECT, std::move(message), rc);
  return conn.error_.get()->code;
}

int run_simple(tide_conn &conn, const char *sql) {
  int rc = sqlite3_exec(conn.db_.get(), sql, nullptr, nullptr, nullptr);
  return rc == SQLITE_OK ? TIDE_OK : conn.fail_sqlite(rc);
}

}  // namespace

int connect_to(tide_conn &conn, const char *url, const tide_connect_options *options) {
  if (!url) return conn.fail(TIDE_EMISUSE, "connect: url is NULL");
  Target target;
  std::string error;
  if (int rc = parse_url(url, target, error); rc != TIDE_OK) return conn.fail(rc, error);
  if (!target.memory) {
    // Absolute, so the lock file and messages do not depend on a later chdir.
    conn.path_ = std::filesystem::absolute(target.path).lexically_normal().string();
    if (!target.read_only) {
      if (int rc = create_parent_directory(conn); rc != TIDE_OK) return rc;
    }
  }
  return open_database(conn, target, options);
}

// ---- transactions -------------------------------------------------------------------------

// IMMEDIATE takes the write lock now, so two writers serialise at begin() (waiting up
// to the busy timeout) instead of one failing halfway through a migration.
int begin_transaction(tide_conn &conn) {
  if (int rc = conn.require_open("begin"); rc != TIDE_OK) return rc;
  if (conn.in_transaction()) return conn.fail(TIDE_EMISUSE, "begin: a transaction is already open");
  return run_simple(conn, "BEGIN IMMEDIATE");
}

int commit_transaction(tide_conn &conn) {
  if (int rc = conn.require_open("commit"); rc != TIDE_OK) return rc;
  if (!conn.in_transaction()) return conn.fail(TIDE_EMISUSE, "commit: no transaction is open");
  return run_simple(conn, "COMMIT");
}

// Without an open transaction this succeeds: SQLite rolls back by itself after some
// errors (SQLITE_FULL, SQLITE_IOERR, ...), and the host's cleanup must not then fail.
int rollback_transaction(tide_conn &conn) {
  if (int rc = conn.require_open("rollback"); rc != TIDE_OK) return rc;
  if (!conn.in_transaction()) return TIDE_OK;
  return run_simple(conn, "ROLLBACK");
}

// ---- the migration lock -------------------------------------------------------------------

// Polls (never blocks) until the deadline. The entry's key is not used: one lock per
// database.
int take_lock(tide_conn &conn, int64_t timeout_ms) {
  if (int rc = conn.require_open("lock"); rc != TIDE_OK) return rc;
  if (conn.path_.empty() || conn.lock_.held()) return TIDE_OK;  // :memory: is private
  const std::string lock_path = conn.path_ + kLockSuffix;
  // Clamped so the deadline arithmetic cannot overflow; a month is "forever" here.
  auto wait = std::chrono::milliseconds(std::clamp<int64_t>(timeout_ms, 0, kMaxLockWaitMs));
  auto deadline = std::chrono::steady_clock::now() + wait;
  for (int stale = 0; stale < 1000;) {
    switch (conn.lock_.try_acquire(lock_path)) {
      case FileLock::Attempt::kAcquired:
        return TIDE_OK;
      case FileLock::Attempt::kStale:
        ++stale;
        continue;
      case FileLock::Attempt::kError:
        return conn.fail(TIDE_EDB, "cannot lock " + lock_path + ": " + std::strerror(errno));
      case FileLock::Attempt::kBusy:
        break;
    }
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(kLockPollInterval, deadline - now));
  }
  std::string pid = FileLock::holder_pid(lock_path);
  return conn.fail(TIDE_ETIMEOUT, "another tide process holds the migration lock on " + conn.path_ +
                                      (pid.empty() ? "" : " (pid " + pid + ")") + "; lock file " + lock_path);
}

int release_lock(tide_conn &conn) {
  if (int rc = conn.require_open("unlock"); rc != TIDE_OK) return rc;
  if (conn.path_.empty()) return TIDE_OK;
  if (!conn.lock_.held()) return conn.fail(TIDE_EMISUSE, "unlock: the migration lock is not held");
  conn.lock_.release();
  return TIDE_OK;
}

}  // namespace tide_sqlite
