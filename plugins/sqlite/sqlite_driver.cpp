// tide-driver-sqlite: the plugin ABI of plugins/include/tide/driver.h over libsqlite3.
//
// Read top to bottom: RAII handles and the error record; the connection and statement
// objects; URL parsing and connect; exec/query/step; transactions; the migration lock (a
// flock()ed sidecar file); the helpers that need no connection (quote_ident, split); and
// the entry table. Every extern "C" entry goes through guarded(), so no C++ exception
// ever reaches the host. One file because the CMake target lists one source; the lock,
// URL and split parts are the natural seams if it is ever split.

#include <tide/driver.h>

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <thread>

namespace {

constexpr const char *kDriverVersion = "0.1.0";
constexpr int64_t kDefaultBusyTimeoutMs = 5000;
constexpr auto kLockPollInterval = std::chrono::milliseconds(50);
constexpr const char *kLockSuffix = "-tide.lock";

struct DbCloser {
  void operator()(sqlite3 *db) const noexcept { sqlite3_close_v2(db); }
};
using DbHandle = std::unique_ptr<sqlite3, DbCloser>;

struct StmtFinalizer {
  void operator()(sqlite3_stmt *stmt) const noexcept { sqlite3_finalize(stmt); }
};
using StmtHandle = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

// The tide_error handed to the host, with the string storage its pointers refer to, so
// they stay valid until the next call on the connection (driver.h).
class ErrorRecord {
 public:
  ErrorRecord() noexcept { set_static(TIDE_OK, ""); }
  ErrorRecord(const ErrorRecord &) = delete;
  ErrorRecord &operator=(const ErrorRecord &) = delete;

  int set(int code, std::string message, int64_t vendor_code = 0,
          int64_t statement_offset = -1, int64_t error_position = -1) {
    while (!message.empty() && (message.back() == '\n' || message.back() == '\r')) {
      message.pop_back();
    }
    message_ = std::move(message);
    error_ = tide_error{code, message_.c_str(), nullptr, vendor_code, nullptr, nullptr,
                        statement_offset, error_position};
    return code;
  }

  // For out-of-memory paths: points at a literal, allocates nothing.
  int set_static(int code, const char *message) noexcept {
    error_ = tide_error{code, message, nullptr, 0, nullptr, nullptr, -1, -1};
    return code;
  }

  const tide_error *get() const noexcept { return &error_; }

 private:
  std::string message_;
  tide_error error_{};
};

// The migration lock: flock() on "<database>-tide.lock". flock, not fcntl, because
// fcntl locks belong to the process (two connections in one process would not exclude
// each other) and closing *any* descriptor of the file drops them, which is also why
// the lock is not taken on the database file itself: SQLite keeps fcntl locks there.
// The kernel drops a flock when its holder dies, so a killed run leaves nothing behind
// but a harmless empty file.
class FileLock {
 public:
  enum class Attempt { kAcquired, kBusy, kStale, kError };

  FileLock() = default;
  FileLock(const FileLock &) = delete;
  FileLock &operator=(const FileLock &) = delete;
  ~FileLock() { release(); }

  bool held() const noexcept { return fd_ >= 0; }

  // One non-blocking try. kStale: we locked a file that a releasing holder had already
  // unlinked (see release()), so the lock guards nothing and the caller retries.
  Attempt try_acquire(const std::string &path) {
    // O_CLOEXEC: a hook's child process (tide.exec) must not inherit and keep the lock.
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return Attempt::kError;
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      int saved = errno;
      ::close(fd);
      errno = saved;
      return saved == EWOULDBLOCK ? Attempt::kBusy : Attempt::kError;
    }
    struct stat held_file {};
    struct stat named_file {};
    if (::fstat(fd, &held_file) != 0 || ::stat(path.c_str(), &named_file) != 0 ||
        held_file.st_ino != named_file.st_ino || held_file.st_dev != named_file.st_dev) {
      ::close(fd);
      return Attempt::kStale;
    }
    fd_ = fd;
    path_ = path;
    write_pid();
    return Attempt::kAcquired;
  }

  // Unlink before close: a waiter that opens the path afterwards gets a fresh file, and
  // one that already opened the old file notices the inode change and retries.
  void release() noexcept {
    if (fd_ < 0) return;
    ::unlink(path_.c_str());
    ::close(fd_);
    fd_ = -1;
  }

  // The pid the holder wrote, for the timeout message; empty when unreadable.
  static std::string holder_pid(const std::string &path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return {};
    char buf[32] = {};
    ssize_t n = ::read(fd, buf, sizeof buf - 1);
    ::close(fd);
    std::string pid(buf, n > 0 ? static_cast<size_t>(n) : 0);
    while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
    return pid;
  }

 private:
  // Diagnostics only (the flock is the lock), so failures are ignored.
  void write_pid() noexcept {
    std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd_, 0) == 0) {
      [[maybe_unused]] ssize_t n = ::pwrite(fd_, pid.data(), pid.size(), 0);
    }
  }

  int fd_ = -1;
  std::string path_;
};

int tide_code_for(int sqlite_rc) {
  switch (sqlite_rc & 0xff) {
    case SQLITE_NOMEM: return TIDE_ENOMEM;
    case SQLITE_MISUSE: return TIDE_EINTERNAL;  // we drove SQLite wrongly
    default: return TIDE_EDB;
  }
}

}  // namespace

// ---- the handles ------------------------------------------------------------------------

struct tide_conn {
  DbHandle db_;          // null when connect failed: the object then only carries error_
  std::string path_;     // absolute path of the database file; empty for :memory:
  ErrorRecord error_;
  tide_stmt *open_stmt_ = nullptr;  // at most one (driver.h); freed by close()
  FileLock lock_;

  ~tide_conn();

  int fail(int code, std::string message) { return error_.set(code, std::move(message)); }

  // An error SQLite reported on this connection; offsets as in tide_error.
  int fail_sqlite(int sqlite_rc, int64_t statement_offset = -1,
                  int64_t error_position = -1) {
    return error_.set(tide_code_for(sqlite_rc), sqlite3_errmsg(db_.get()), sqlite_rc,
                      statement_offset, error_position);
  }

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

  tide_stmt(tide_conn *conn, StmtHandle stmt)
      : conn_(conn),
        stmt_(std::move(stmt)),
        total_changes_before_(sqlite3_total_changes64(conn->db_.get())) {}
  ~tide_stmt() {
    if (conn_ && conn_->open_stmt_ == this) conn_->open_stmt_ = nullptr;
  }

  tide_conn *conn_;
  StmtHandle stmt_;
  int64_t total_changes_before_;
  State state_ = State::kFresh;
  int64_t changes_ = -1;
};

tide_conn::~tide_conn() {
  delete open_stmt_;  // before db_ closes; its destructor clears open_stmt_
  // sqlite3_close_v2 would roll back too; saying it keeps close() obviously correct.
  if (in_transaction()) sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
}

namespace {

// Runs fn, turning any escaping exception into conn's error: nothing crosses the ABI.
template <class Fn>
int guarded(tide_conn *conn, Fn &&fn) noexcept {
  if (!conn) return TIDE_EMISUSE;
  try {
    return fn();
  } catch (const std::bad_alloc &) {
    return conn->error_.set_static(TIDE_ENOMEM, "out of memory");
  } catch (const std::exception &e) {
    try {
      return conn->error_.set(TIDE_EINTERNAL, std::string("sqlite driver: ") + e.what());
    } catch (...) {
    }
  } catch (...) {
  }
  return conn->error_.set_static(TIDE_EINTERNAL, "sqlite driver: unexpected exception");
}

// ---- URL and connect ------------------------------------------------------------------

struct Target {
  std::string path;  // as the URL gives it, percent-decoded
  bool memory = false;
  bool read_only = false;
};

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// URLs escape spaces and the like as %XX.
std::string percent_decode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    int high = i + 2 < text.size() && text[i] == '%' ? hex_digit(text[i + 1]) : -1;
    int low = high >= 0 ? hex_digit(text[i + 2]) : -1;
    if (low >= 0) {
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// The query string is allowed (dbmate and Rails URLs carry one) and ignored, except
// mode=ro.
bool wants_read_only(std::string_view query) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    if (query.substr(0, amp) == "mode=ro") return true;
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
  }
  return false;
}

// sqlite:PATH, sqlite:/ABS, sqlite:///ABS, sqlite://REL (the "host" is read as the first
// path component), sqlite::memory:, and the same with sqlite3:. PATH is relative to the
// current directory.
int parse_url(std::string_view url, Target &target, std::string &error) {
  size_t colon = url.find(':');
  std::string scheme(url.substr(0, colon));
  for (char &c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (colon == std::string_view::npos || (scheme != "sqlite" && scheme != "sqlite3")) {
    error = "not an SQLite URL (expected sqlite:PATH or sqlite::memory:)";
    return TIDE_EMISUSE;
  }
  std::string_view rest = url.substr(colon + 1);
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    target.read_only = wants_read_only(rest.substr(q + 1));
    rest = rest.substr(0, q);
  }
  if (rest.starts_with("//")) rest.remove_prefix(2);
  target.path = percent_decode(rest);
  target.memory = target.path == ":memory:";
  if (target.path.empty()) {
    error = "the SQLite URL names no database file (expected sqlite:PATH)";
    return TIDE_EMISUSE;
  }
  return TIDE_OK;
}

// The default database is db/<env>.sqlite3 (SPEC §2), and a fresh project has no db/
// yet, so a missing parent directory is created, as Rails and dbmate do. A read-only
// open creates nothing.
int create_parent_directory(tide_conn &conn) {
  std::error_code ec;
  std::filesystem::path parent = std::filesystem::path(conn.path_).parent_path();
  std::filesystem::create_directories(parent, ec);
  if (!ec) return TIDE_OK;
  return conn.fail(TIDE_ECONNECT,
                   "cannot create directory " + parent.string() + ": " + ec.message());
}

int64_t busy_timeout_ms(const tide_connect_options *options) {
  auto has = [options](size_t end) { return options && options->struct_size >= end; };
  // lock_timeout is "the database's own lock wait", which for SQLite is the busy timeout.
  if (has(offsetof(tide_connect_options, lock_timeout_ms) + sizeof(int64_t)) &&
      options->lock_timeout_ms > 0) {
    return options->lock_timeout_ms;
  }
  if (has(offsetof(tide_connect_options, connect_timeout_ms) + sizeof(int64_t)) &&
      options->connect_timeout_ms > 0) {
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
  int rc = sqlite3_open_v2(target.memory ? ":memory:" : conn.path_.c_str(), &raw, flags,
                           nullptr);
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

// ---- statements -------------------------------------------------------------------------

// SQLite's whitespace (its tokenizer's set, which has no \v).
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }

// The first byte at or after p that is not whitespace or a complete comment. An
// unterminated block comment is not skipped, so text ending inside one is not blank.
const char *skip_blank(const char *p, const char *end) {
  while (p < end) {
    if (is_space(*p)) {
      ++p;
    } else if (end - p >= 2 && p[0] == '-' && p[1] == '-') {
      while (p < end && *p != '\n') ++p;
    } else if (end - p >= 2 && p[0] == '/' && p[1] == '*') {
      std::string_view rest(p + 2, end - p - 2);
      size_t close = rest.find("*/");
      if (close == std::string_view::npos) return p;
      p += 2 + close + 2;
    } else {
      break;
    }
  }
  return p;
}

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

const char kEmpty[] = "";

// TEXT and BLOB are copied (SQLITE_TRANSIENT): the host's buffers only live for the
// call, and rows are stepped later. A NULL pointer would make SQLite bind NULL, so an
// empty value gets a real empty buffer.
int bind_value(sqlite3_stmt *stmt, int index, const tide_value &value) {
  const char *ptr = value.u.s.ptr ? value.u.s.ptr : kEmpty;
  switch (value.type) {
    case TIDE_TYPE_NULL: return sqlite3_bind_null(stmt, index);
    case TIDE_TYPE_INT: return sqlite3_bind_int64(stmt, index, value.u.i);
    case TIDE_TYPE_BOOL: return sqlite3_bind_int64(stmt, index, value.u.i != 0 ? 1 : 0);
    case TIDE_TYPE_FLOAT: return sqlite3_bind_double(stmt, index, value.u.f);
    case TIDE_TYPE_TEXT:
      return sqlite3_bind_text64(stmt, index, ptr, value.u.s.len, SQLITE_TRANSIENT,
                                 SQLITE_UTF8);
    case TIDE_TYPE_BLOB:
      return sqlite3_bind_blob64(stmt, index, ptr, value.u.s.len, SQLITE_TRANSIENT);
    default: return SQLITE_MISMATCH;
  }
}

int bind_all(tide_conn &conn, sqlite3_stmt *stmt, const tide_value *params, size_t n) {
  int expected = sqlite3_bind_parameter_count(stmt);
  if (static_cast<size_t>(expected) != n || (n > 0 && !params)) {
    return conn.fail(TIDE_EMISUSE, "query: the statement has " + std::to_string(expected) +
                                       " parameters but " + std::to_string(n) +
                                       " were given");
  }
  for (size_t i = 0; i < n; ++i) {
    int rc = bind_value(stmt, static_cast<int>(i + 1), params[i]);
    if (rc == SQLITE_MISMATCH) {
      return conn.fail(TIDE_EMISUSE, "query: parameter " + std::to_string(i + 1) +
                                         " has unknown type " + std::to_string(params[i].type));
    }
    if (rc != SQLITE_OK) return conn.fail_sqlite(rc);
  }
  return TIDE_OK;
}

int open_query(tide_conn &conn, const char *sql, size_t len, const tide_value *params,
               size_t n, tide_stmt **out) {
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

// sqlite3_changes64 keeps the count of the last INSERT/UPDATE/DELETE, so after a SELECT
// or DDL it would report an older statement's rows; a statement that left the total
// unchanged changed nothing.
int64_t rows_changed(const tide_stmt &stmt) {
  sqlite3 *db = stmt.conn_->db_.get();
  if (sqlite3_stmt_readonly(stmt.stmt_.get())) return 0;
  if (sqlite3_total_changes64(db) == stmt.total_changes_before_) return 0;
  return sqlite3_changes64(db);
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
      const void *bytes = text ? static_cast<const void *>(sqlite3_column_text(s, i))
                               : sqlite3_column_blob(s, i);
      out.type = text ? TIDE_TYPE_TEXT : TIDE_TYPE_BLOB;
      out.u.s.len = static_cast<size_t>(sqlite3_column_bytes(s, i));
      // NULL here means out of memory, except for an empty blob.
      if (!bytes && out.u.s.len > 0) {
        return stmt.conn_->error_.set_static(TIDE_ENOMEM, "out of memory reading a column");
      }
      out.u.s.ptr = bytes ? static_cast<const char *>(bytes) : kEmpty;
      break;
    }
    default: out.type = TIDE_TYPE_NULL; break;
  }
  return TIDE_OK;
}

// ---- transactions -------------------------------------------------------------------------

int run_simple(tide_conn &conn, const char *sql) {
  int rc = sqlite3_exec(conn.db_.get(), sql, nullptr, nullptr, nullptr);
  return rc == SQLITE_OK ? TIDE_OK : conn.fail_sqlite(rc);
}

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

// Polls (never blocks) until the deadline. key is not used: one lock per database.
int take_lock(tide_conn &conn, int64_t timeout_ms) {
  if (int rc = conn.require_open("lock"); rc != TIDE_OK) return rc;
  if (conn.path_.empty() || conn.lock_.held()) return TIDE_OK;  // :memory: is private
  const std::string lock_path = conn.path_ + kLockSuffix;
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(timeout_ms > 0 ? timeout_ms : 0);
  for (int stale = 0; stale < 1000;) {
    switch (conn.lock_.try_acquire(lock_path)) {
      case FileLock::Attempt::kAcquired: return TIDE_OK;
      case FileLock::Attempt::kStale: ++stale; continue;
      case FileLock::Attempt::kError:
        return conn.fail(TIDE_EDB, "cannot lock " + lock_path + ": " + std::strerror(errno));
      case FileLock::Attempt::kBusy: break;
    }
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        kLockPollInterval, deadline - now));
  }
  std::string pid = FileLock::holder_pid(lock_path);
  return conn.fail(TIDE_ETIMEOUT, "another tide process holds the migration lock on " +
                                      conn.path_ + (pid.empty() ? "" : " (pid " + pid + ")") +
                                      "; lock file " + lock_path);
}

int release_lock(tide_conn &conn) {
  if (int rc = conn.require_open("unlock"); rc != TIDE_OK) return rc;
  if (conn.path_.empty()) return TIDE_OK;
  if (!conn.lock_.held()) return conn.fail(TIDE_EMISUSE, "unlock: the migration lock is not held");
  conn.lock_.release();
  return TIDE_OK;
}

// ---- helpers without a connection -----------------------------------------------------------

size_t quote_identifier(const char *ident, size_t len, char *out, size_t cap) noexcept {
  if (!ident) len = 0;
  size_t needed = len + 2;
  for (size_t i = 0; i < len; ++i) needed += ident[i] == '"';
  if (needed >= cap || !out) {
    if (cap > 0 && out) out[0] = '\0';
    return needed;
  }
  char *p = out;
  *p++ = '"';
  for (size_t i = 0; i < len; ++i) {
    if (ident[i] == '"') *p++ = '"';
    *p++ = ident[i];
  }
  *p++ = '"';
  *p = '\0';
  return needed;
}

// sqlite3_complete wants a NUL-terminated string.
bool is_complete(const char *text, size_t len, const char *suffix = "") {
  std::string copy(text, len);
  copy += suffix;
  return sqlite3_complete(copy.c_str()) != 0;
}

// Reports sql[from, to) without its leading blanks, unless it is all blank. Returns the
// callback's verdict (non-zero: stop).
int report(const char *sql, size_t from, size_t to, tide_split_fn fn, void *user) {
  size_t start = static_cast<size_t>(skip_blank(sql + from, sql + to) - sql);
  return start == to ? 0 : fn(user, start, to - start);
}

// SQLite's own notion of "a statement ends here": at each ';', ask sqlite3_complete()
// whether the text so far is whole. That keeps trigger bodies (BEGIN ...; END;) and
// ';' inside strings, comments and quoted identifiers in one piece, without a lexer of
// our own. Quadratic only in the ';' count inside one statement.
int split_script(const char *sql, size_t len, tide_split_fn fn, void *user) {
  if ((!sql && len > 0) || !fn) return TIDE_EMISUSE;
  size_t from = 0;
  for (size_t i = 0; i < len; ++i) {
    if (sql[i] != ';' || !is_complete(sql + from, i + 1 - from)) continue;
    if (report(sql, from, i, fn, user) != 0) return TIDE_OK;
    from = i + 1;
  }
  if (skip_blank(sql + from, sql + len) == sql + len) return TIDE_OK;
  report(sql, from, len, fn, user);
  // A final statement without ';' is fine; one that ends inside a string, a comment or
  // a trigger body is not. "\n" closes a trailing -- comment before the probe ';'.
  return is_complete(sql + from, len - from, "\n;") ? TIDE_OK : TIDE_EMISUSE;
}

// ---- the entry table ------------------------------------------------------------------------

int entry_connect(const char *url, const tide_connect_options *options, tide_conn **out) {
  if (!out) return TIDE_EMISUSE;
  *out = new (std::nothrow) tide_conn;
  if (!*out) return TIDE_ENOMEM;
  return guarded(*out, [&] { return connect_to(**out, url, options); });
}

// Destructors are noexcept: nothing escapes.
void entry_close(tide_conn *conn) { delete conn; }

const tide_error kNoConnection = {TIDE_EMISUSE, "no connection", nullptr, 0, nullptr,
                                  nullptr, -1, -1};

const tide_error *entry_last_error(tide_conn *conn) {
  return conn ? conn->error_.get() : &kNoConnection;
}

const char *entry_server_version(tide_conn *) { return sqlite3_libversion(); }

int entry_exec(tide_conn *conn, const char *sql, size_t len) {
  return guarded(conn, [&] { return run_script(*conn, sql ? sql : kEmpty, sql ? len : 0); });
}

int entry_query(tide_conn *conn, const char *sql, size_t len, const tide_value *params,
                size_t n, tide_stmt **out) {
  return guarded(conn, [&] { return open_query(*conn, sql ? sql : kEmpty, sql ? len : 0, params, n, out); });
}

int entry_step(tide_stmt *stmt) {
  if (!stmt) return TIDE_EMISUSE;
  return guarded(stmt->conn_, [&] { return step_statement(*stmt); });
}

int entry_column_count(tide_stmt *stmt) {
  return stmt ? sqlite3_column_count(stmt->stmt_.get()) : 0;
}

// NULL for an index out of range (or when SQLite is out of memory).
const char *entry_column_name(tide_stmt *stmt, int i) {
  return stmt ? sqlite3_column_name(stmt->stmt_.get(), i) : nullptr;
}

int entry_column_value(tide_stmt *stmt, int i, tide_value *out) {
  if (!stmt || !out) return TIDE_EMISUSE;
  return guarded(stmt->conn_, [&] { return read_column(*stmt, i, *out); });
}

int64_t entry_changes(tide_stmt *stmt) { return stmt ? stmt->changes_ : -1; }

void entry_finalize(tide_stmt *stmt) { delete stmt; }

int entry_begin(tide_conn *conn) {
  return guarded(conn, [&] { return begin_transaction(*conn); });
}

int entry_commit(tide_conn *conn) {
  return guarded(conn, [&] { return commit_transaction(*conn); });
}

int entry_rollback(tide_conn *conn) {
  return guarded(conn, [&] { return rollback_transaction(*conn); });
}

int entry_lock(tide_conn *conn, const char *, int64_t timeout_ms) {
  return guarded(conn, [&] { return take_lock(*conn, timeout_ms); });
}

int entry_unlock(tide_conn *conn, const char *) {
  return guarded(conn, [&] { return release_lock(*conn); });
}

int entry_split(const char *sql, size_t len, tide_split_fn fn, void *user) {
  try {
    return split_script(sql, len, fn, user);
  } catch (const std::bad_alloc &) {
    return TIDE_ENOMEM;
  } catch (...) {
    return TIDE_EINTERNAL;
  }
}

const char *const kSchemes[] = {"sqlite", "sqlite3", nullptr};

const tide_driver kDriver = {
    .abi_major = TIDE_ABI_MAJOR,
    .abi_minor = TIDE_ABI_MINOR,
    .struct_size = sizeof(tide_driver),
    .name = "sqlite",
    .version = kDriverVersion,
    .schemes = kSchemes,
    .capabilities = TIDE_CAP_TRANSACTIONAL_DDL | TIDE_CAP_SAVEPOINTS | TIDE_CAP_EMBEDDED,
    .param_style = TIDE_PARAM_QMARK,
    .history_ddl =
        "CREATE TABLE IF NOT EXISTS {table} (kind TEXT NOT NULL, version TEXT NOT NULL, "
        "name TEXT NOT NULL, checksum TEXT NOT NULL, status TEXT NOT NULL, "
        "applied_at TEXT NOT NULL, duration_ms INTEGER NOT NULL DEFAULT 0, "
        "applied_by TEXT, environment TEXT, tide_version TEXT, error TEXT, "
        "PRIMARY KEY (kind, version))",
    .connect = entry_connect,
    .close = entry_close,
    .last_error = entry_last_error,
    .server_version = entry_server_version,
    .exec = entry_exec,
    .query = entry_query,
    .step = entry_step,
    .column_count = entry_column_count,
    .column_name = entry_column_name,
    .column_value = entry_column_value,
    .changes = entry_changes,
    .finalize = entry_finalize,
    .begin = entry_begin,
    .commit = entry_commit,
    .rollback = entry_rollback,
    .lock = entry_lock,
    .unlock = entry_unlock,
    .quote_ident = quote_identifier,
    .split = entry_split,
};

}  // namespace

extern "C" TIDE_EXPORT const tide_driver *tide_driver_entry(void) { return &kDriver; }
