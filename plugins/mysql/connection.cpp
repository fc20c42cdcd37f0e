// A connection's life in the MySQL driver: connecting with what a URL names, mapping the
// client library's errors, transactions, the GET_LOCK migration lock, the cache of
// prepared statements, and closing. Statements run on it are in statement.cpp.
#include "connection.h"

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>
#include <thread>

namespace tide_mysql {

bool connection_lost(unsigned int errnum) {
  return errnum == CR_SERVER_GONE_ERROR || errnum == CR_SERVER_LOST || errnum == CR_CONNECTION_ERROR ||
         errnum == CR_CONN_HOST_ERROR || errnum == CR_SERVER_LOST_EXTENDED || errnum == ER_CONNECTION_KILLED ||
         errnum == ER_SERVER_SHUTDOWN;
}

namespace {

constexpr int64_t kDefaultConnectTimeoutMs = 10000;
constexpr auto kLockPollInterval = std::chrono::milliseconds(50);
constexpr int64_t kMaxLockWaitMs = int64_t{31} * 24 * 3600 * 1000;
constexpr size_t kMaxLockName = 64;  // MySQL 5.7+ refuses longer GET_LOCK names
constexpr size_t kCacheSize = 16;

int tide_code_for(unsigned int errnum) {
  if (errnum == CR_OUT_OF_MEMORY) return TIDE_ENOMEM;
  if (connection_lost(errnum)) return TIDE_ECONNECT;
  return TIDE_EDB;
}

// A syntax error says `... near 'rest of the statement' at line N`: find that text in the
// statement, so the host can point at the line of the error itself.
int64_t position_from_message(std::string_view message, std::string_view statement) {
  size_t near = message.find("near '");
  size_t at_line = message.rfind("' at line ");
  if (near == std::string_view::npos || at_line == std::string_view::npos || at_line < near + 6) return -1;
  std::string_view text = message.substr(near + 6, at_line - near - 6);
  int line = std::atoi(std::string(message.substr(at_line + 10)).c_str());
  if (line < 1) return -1;
  size_t from = 0;
  for (int l = 1; l < line && from != std::string_view::npos; ++l) {
    from = statement.find('\n', from);
    if (from != std::string_view::npos) ++from;
  }
  if (from == std::string_view::npos) return -1;
  if (text.empty()) return static_cast<int64_t>(statement.size());  // at the very end
  size_t found = statement.find(text.substr(0, std::min<size_t>(text.size(), 40)), from);
  return found == std::string_view::npos ? -1 : static_cast<int64_t>(found);
}

unsigned int seconds_ceil(int64_t ms) { return static_cast<unsigned int>(std::max<int64_t>(1, (ms + 999) / 1000)); }

void set_tls(MYSQL *m, const Target &t) {
  if (t.ssl == SslMode::kDisabled) return;
  my_bool on = 1;
  mysql_optionsv(m, MYSQL_OPT_SSL_ENFORCE, &on);
  if (!t.ssl_ca.empty()) mysql_optionsv(m, MYSQL_OPT_SSL_CA, t.ssl_ca.c_str());
  my_bool verify = t.ssl == SslMode::kVerifyCa || t.ssl == SslMode::kVerifyIdentity;
  mysql_optionsv(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify);
}

int set_options(tide_conn &conn, const tide_connect_options *options) {
  const Target &t = conn.target_;
  MYSQL *m = conn.mysql_;
  auto has = [options](size_t end) { return options && options->struct_size >= end; };
  int64_t connect_ms = t.connect_timeout_ms;
  if (connect_ms == 0 && has(offsetof(tide_connect_options, connect_timeout_ms) + sizeof(int64_t)))
    connect_ms = options->connect_timeout_ms;
  unsigned int connect_s = seconds_ceil(connect_ms > 0 ? connect_ms : kDefaultConnectTimeoutMs);
  mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &connect_s);
  if (t.read_timeout_ms > 0) {
    unsigned int s = seconds_ceil(t.read_timeout_ms);
    mysql_optionsv(m, MYSQL_OPT_READ_TIMEOUT, &s);
  }
  if (t.write_timeout_ms > 0) {
    unsigned int s = seconds_ceil(t.write_timeout_ms);
    mysql_optionsv(m, MYSQL_OPT_WRITE_TIMEOUT, &s);
  }
  mysql_optionsv(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  my_bool off = 0, on = 1;
  mysql_optionsv(m, MYSQL_OPT_LOCAL_INFILE, &off);  // no LOAD DATA LOCAL from migrations
  mysql_optionsv(m, MYSQL_OPT_RECONNECT, &off);     // a silent reconnect would drop locks
  mysql_optionsv(m, MYSQL_REPORT_DATA_TRUNCATION, &on);
  const char *app =
      has(offsetof(tide_connect_options, application_name) + sizeof(const char *)) && options->application_name
          ? options->application_name
          : "tide";
  mysql_optionsv(m, MYSQL_OPT_CONNECT_ATTR_ADD, "program_name", app);
  set_tls(m, t);
  return TIDE_OK;
}

// Session settings from the connect options: the statement timeout (MariaDB's
// max_statement_time in seconds, MySQL's max_execution_time in ms, which only bounds
// SELECT) and the metadata-lock wait.
int apply_session_settings(tide_conn &conn, const tide_connect_options *options) {
  auto has = [options](size_t end) { return options && options->struct_size >= end; };
  if (has(offsetof(tide_connect_options, statement_timeout_ms) + sizeof(int64_t)) &&
      options->statement_timeout_ms > 0) {
    int64_t ms = options->statement_timeout_ms;
    std::string sql = conn.mariadb_ ? "SET SESSION max_statement_time = " + std::to_string(ms / 1000.0)
                                    : "SET SESSION max_execution_time = " + std::to_string(ms);
    if (int rc = run_simple(conn, sql); rc != TIDE_OK) return rc;
  }
  if (has(offsetof(tide_connect_options, lock_timeout_ms) + sizeof(int64_t)) && options->lock_timeout_ms > 0) {
    std::string sql = "SET SESSION lock_wait_timeout = " + std::to_string(seconds_ceil(options->lock_timeout_ms));
    if (int rc = run_simple(conn, sql); rc != TIDE_OK) return rc;
  }
  return TIDE_OK;
}

std::string where(const Target &t) {
  if (!t.socket.empty()) return "socket " + t.socket;
  std::string host = t.host.empty() ? "localhost" : t.host;
  return host + ":" + std::to_string(t.port ? t.port : 3306);
}

// GET_LOCK names are server-wide, so the database is part of the name, KEY@DATABASE (two
// projects on one server must not wait for each other); a name too long is hashed.
std::string lock_name(const tide_conn &conn, const char *key) {
  std::string name = std::string(key ? key : "") + "@" + conn.target_.database;
  if (name.size() <= kMaxLockName) return name;
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (unsigned char c : name) h = (h ^ c) * 1099511628211ull;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return name.substr(0, kMaxLockName - 17) + "#" + hex;
}

// SELECT fn(?, ...) returning one integer or NULL (GET_LOCK, RELEASE_LOCK, IS_USED_LOCK).
int select_int(tide_conn &conn, const std::string &sql, const std::string &arg, int64_t &value, bool &is_null) {
  tide_value param{};
  param.type = TIDE_TYPE_TEXT;
  param.u.s.ptr = arg.data();
  param.u.s.len = arg.size();
  tide_stmt *stmt = nullptr;
  if (int rc = open_query(conn, sql.data(), sql.size(), &param, 1, &stmt); rc != TIDE_OK) return rc;
  int rc = step_statement(*stmt);
  tide_value v{};
  if (rc == TIDE_ROW) rc = read_column(*stmt, 0, v);
  delete stmt;
  if (rc < 0) return rc;
  is_null = v.type == TIDE_TYPE_NULL;
  value = v.type == TIDE_TYPE_INT ? v.u.i : 0;
  return TIDE_OK;
}

}  // namespace

// CLIENT_MULTI_RESULTS: a CALL's result sets. CLIENT_MULTI_STATEMENTS (unless the URL
// says multi-statements=false): upsert_then_exec sends a history write and a migration's
// first statement as one message. exec() still sends one statement per message, cut by
// our splitter, so a failure names its statement.
unsigned long client_flags(const Target &t) {
  return CLIENT_MULTI_RESULTS | (t.multi_statements ? CLIENT_MULTI_STATEMENTS : 0);
}

int connect_to(tide_conn &conn, const char *url, const tide_connect_options *options) {
  if (!url) return conn.fail(TIDE_EMISUSE, "connect: url is NULL");
  std::string error;
  if (!parse_url(url, conn.target_, error)) return conn.fail(TIDE_EMISUSE, error);
  const Target &t = conn.target_;
  conn.mysql_ = mysql_init(nullptr);
  if (!conn.mysql_) return conn.error_.set_static(TIDE_ENOMEM, "out of memory");
  set_options(conn, options);
  const char *host = t.host.empty() ? nullptr : t.host.c_str();
  if (!mysql_real_connect(conn.mysql_, host, t.user.empty() ? nullptr : t.user.c_str(),
                          t.has_password ? t.password.c_str() : nullptr,
                          t.database.empty() ? nullptr : t.database.c_str(), t.port,
                          t.socket.empty() ? nullptr : t.socket.c_str(), client_flags(t))) {
    unsigned int errnum = mysql_errno(conn.mysql_);
    std::string message = where(t) + ": " + mysql_error(conn.mysql_);
    std::string sqlstate = sqlstate_of(mysql_sqlstate(conn.mysql_));
    mysql_close(conn.mysql_);
    conn.mysql_ = nullptr;
    int code = errnum == CR_OUT_OF_MEMORY ? TIDE_ENOMEM : TIDE_ECONNECT;
    return conn.error_.set(code, std::move(message), errnum, std::move(sqlstate));
  }
  conn.server_version_ = mysql_get_server_info(conn.mysql_);
  conn.mariadb_ = conn.server_version_.find("MariaDB") != std::string::npos;
  return apply_session_settings(conn, options);
}

}  // namespace tide_mysql

using namespace tide_mysql;

tide_conn::~tide_conn() {
  delete open_stmt_;  // before the cache goes; its destructor clears open_stmt_
  for (CachedStmt &c : cache_) mysql_stmt_close(c.stmt);
  // The server rolls back an open transaction and releases GET_LOCK locks when the
  // session ends; mysql_close ends it now rather than when the socket times out.
  if (mysql_) mysql_close(mysql_);
}

int tide_conn::fail_mysql(int64_t statement_offset, const char *statement, size_t statement_len) {
  unsigned int errnum = mysql_errno(mysql_);
  std::string message = mysql_error(mysql_);
  int64_t position = -1;
  if (statement && errnum == ER_PARSE_ERROR)
    position = position_from_message(message, std::string_view(statement, statement_len));
  return error_.set(tide_code_for(errnum), std::move(message), errnum, sqlstate_of(mysql_sqlstate(mysql_)),
                    statement_offset, position);
}

int tide_conn::fail_stmt(MYSQL_STMT *stmt) {
  unsigned int errnum = mysql_stmt_errno(stmt);
  return error_.set(tide_code_for(errnum), mysql_stmt_error(stmt), errnum, sqlstate_of(mysql_stmt_sqlstate(stmt)));
}

int tide_conn::require_idle(const char *what) {
  if (int rc = require_open(what); rc != TIDE_OK) return rc;
  if (!open_stmt_) return TIDE_OK;
  return fail(TIDE_EMISUSE, std::string(what) + ": a statement is still open on this connection; finalize it first");
}

MYSQL_STMT *tide_conn::prepare(const char *sql, size_t len) {
  std::string_view text(sql, len);
  for (auto it = cache_.begin(); it != cache_.end(); ++it) {
    if (it->sql != text) continue;
    std::rotate(it, it + 1, cache_.end());  // most recently used last
    return cache_.back().stmt;
  }
  MYSQL_STMT *stmt = mysql_stmt_init(mysql_);
  if (!stmt) {
    error_.set_static(TIDE_ENOMEM, "out of memory");
    return nullptr;
  }
  if (mysql_stmt_prepare(stmt, sql, len) != 0) {
    unsigned int errnum = mysql_stmt_errno(stmt);
    std::string message = mysql_stmt_error(stmt);
    if (errnum == ER_UNSUPPORTED_PS) message += " (run it with exec, without parameters: db:exec(sql))";
    int64_t position = errnum == ER_PARSE_ERROR ? position_from_message(message, text) : -1;
    error_.set(tide_code_for(errnum), std::move(message), errnum, sqlstate_of(mysql_stmt_sqlstate(stmt)), -1, position);
    mysql_stmt_close(stmt);
    return nullptr;
  }
  if (cache_.size() >= kCacheSize) {
    mysql_stmt_close(cache_.front().stmt);
    cache_.erase(cache_.begin());
  }
  cache_.push_back(CachedStmt{std::string(text), stmt});
  return stmt;
}

void tide_conn::forget(MYSQL_STMT *stmt) {
  for (auto it = cache_.begin(); it != cache_.end(); ++it) {
    if (it->stmt != stmt) continue;
    mysql_stmt_close(stmt);
    cache_.erase(it);
    return;
  }
}

namespace tide_mysql {

int run_simple(tide_conn &conn, const std::string &sql) {
  if (mysql_real_query(conn.mysql_, sql.data(), sql.size()) != 0) return conn.fail_mysql();
  // A statement with rows (none expected) must still be drained.
  if (MYSQL_RES *res = mysql_store_result(conn.mysql_)) mysql_free_result(res);
  if (mysql_errno(conn.mysql_) != 0) return conn.fail_mysql();
  return TIDE_OK;
}

// ---- transactions -----------------------------------------------------------------------

int begin_transaction(tide_conn &conn) {
  if (int rc = conn.require_idle("begin"); rc != TIDE_OK) return rc;
  if (conn.in_transaction()) return conn.fail(TIDE_EMISUSE, "begin: a transaction is already open");
  return run_simple(conn, "START TRANSACTION");
}

int commit_transaction(tide_conn &conn) {
  if (int rc = conn.require_idle("commit"); rc != TIDE_OK) return rc;
  if (!conn.in_transaction()) return conn.fail(TIDE_EMISUSE, "commit: no transaction is open");
  return run_simple(conn, "COMMIT");
}

// Without an open transaction this succeeds (driver.h): DDL commits implicitly, and a
// deadlock rolls the transaction back on the server by itself.
int rollback_transaction(tide_conn &conn) {
  if (int rc = conn.require_idle("rollback"); rc != TIDE_OK) return rc;
  if (!conn.in_transaction()) return TIDE_OK;
  return run_simple(conn, "ROLLBACK");
}

// ---- the migration lock -------------------------------------------------------------------

// GET_LOCK(name, 0) polled until the deadline: never a server-side wait longer than the
// caller asked for, and the lock goes with the session however the process ends.
int take_lock(tide_conn &conn, const char *key, int64_t timeout_ms) {
  if (int rc = conn.require_idle("lock"); rc != TIDE_OK) return rc;
  std::string name = lock_name(conn, key);
  if (conn.held_lock_ == name) return TIDE_OK;
  if (!conn.held_lock_.empty()) return conn.fail(TIDE_EMISUSE, "lock: this connection already holds another lock");
  auto wait = std::chrono::milliseconds(std::clamp<int64_t>(timeout_ms, 0, kMaxLockWaitMs));
  auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    int64_t got = 0;
    bool is_null = false;
    if (int rc = select_int(conn, "SELECT GET_LOCK(?, 0)", name, got, is_null); rc != TIDE_OK) return rc;
    if (is_null) return conn.fail(TIDE_EDB, "GET_LOCK('" + name + "') failed");
    if (got == 1) {
      conn.held_lock_ = name;
      return TIDE_OK;
    }
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(kLockPollInterval, deadline - now));
  }
  int64_t holder = 0;
  bool is_null = true;
  select_int(conn, "SELECT IS_USED_LOCK(?)", name, holder, is_null);
  std::string by = is_null ? "" : " (server connection id " + std::to_string(holder) + ")";
  return conn.fail(TIDE_ETIMEOUT,
                   "another session holds the migration lock " + name + " on " + where(conn.target_) + by);
}

int release_lock(tide_conn &conn, const char *key) {
  if (int rc = conn.require_idle("unlock"); rc != TIDE_OK) return rc;
  std::string name = lock_name(conn, key);
  if (conn.held_lock_ != name) return conn.fail(TIDE_EMISUSE, "unlock: the migration lock " + name + " is not held");
  int64_t released = 0;
  bool is_null = false;
  if (int rc = select_int(conn, "SELECT RELEASE_LOCK(?)", name, released, is_null); rc != TIDE_OK) return rc;
  conn.held_lock_.clear();
  if (released != 1) return conn.fail(TIDE_EMISUSE, "unlock: the server says " + name + " was not held");
  return TIDE_OK;
}

}  // namespace tide_mysql
