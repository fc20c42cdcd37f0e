// tide-driver-mysql: the plugin ABI of plugins/include/tide/driver.h over the MariaDB C
// client (libmariadb), for mysql:// and mariadb:// URLs, MySQL 5.7/8 and MariaDB 10.x.
//
// This file is the entry table and its extern "C" glue: every entry goes through
// guarded(), so no C++ exception ever reaches the host. The work is elsewhere in
// plugins/mysql/:
//   connection.{h,cpp}  tide_conn / tide_stmt, connect, errors, transactions, GET_LOCK
//   statement.cpp       exec, prepared queries, streaming rows, column values
//   sql_text.{h,cpp}    the splitter (DELIMITER, stored-program bodies)
//   upsert.cpp          INSERT ... ON DUPLICATE KEY UPDATE in batches; upsert_then_exec
//   dump.cpp            mariadb-dump / mysqldump --no-data
//   url.{h,cpp}         mysql:// URLs
// MySQL commits DDL implicitly, so the driver does not claim TIDE_CAP_TRANSACTIONAL_DDL:
// the host records each migration dirty before it starts and applied after.
#include <driver_glue.h>
#include <mysql.h>
#include <tide/driver.h>

#include <mutex>
#include <new>
#include <utility>

#include "connection.h"
#include "sql_text.h"

namespace tide_mysql {
namespace {

constexpr const char *kDriverVersion = "0.1.0";

template <class Fn>
int guarded(tide_conn *conn, Fn &&fn) noexcept {
  return tide::driver::guarded(conn, "mysql", std::forward<Fn>(fn));
}

// mysql_library_init is not thread-safe; mysql_init calls it implicitly, so call it once
// up front for hosts that connect from several threads (targets in parallel).
void init_library() {
  static std::once_flag once;
  std::call_once(once, [] { mysql_library_init(0, nullptr, nullptr); });
}

int entry_connect(const char *url, const tide_connect_options *options, tide_conn **out) {
  if (!out) return TIDE_EMISUSE;
  *out = new (std::nothrow) tide_conn;
  if (!*out) return TIDE_ENOMEM;
  return guarded(*out, [&] {
    init_library();
    return connect_to(**out, url, options);
  });
}

void entry_close(tide_conn *conn) { delete conn; }

const tide_error *entry_last_error(tide_conn *conn) { return conn ? conn->error_.get() : &tide::driver::kNoConnection; }

const char *entry_server_version(tide_conn *conn) { return conn ? conn->server_version_.c_str() : ""; }

int entry_exec(tide_conn *conn, const char *sql, size_t len) {
  return guarded(conn, [&] { return run_script(*conn, sql ? sql : kEmpty, sql ? len : 0); });
}

int entry_query(tide_conn *conn, const char *sql, size_t len, const tide_value *params, size_t n, tide_stmt **out) {
  return guarded(conn, [&] { return open_query(*conn, sql ? sql : kEmpty, sql ? len : 0, params, n, out); });
}

int entry_step(tide_stmt *stmt) {
  if (!stmt) return TIDE_EMISUSE;
  return guarded(stmt->conn_, [&] { return step_statement(*stmt); });
}

int entry_column_count(tide_stmt *stmt) { return stmt ? static_cast<int>(stmt->columns_.size()) : 0; }

const char *entry_column_name(tide_stmt *stmt, int i) {
  if (!stmt || i < 0 || static_cast<size_t>(i) >= stmt->columns_.size()) return nullptr;
  return stmt->columns_[i].name.c_str();
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

int entry_lock(tide_conn *conn, const char *key, int64_t timeout_ms) {
  return guarded(conn, [&] { return take_lock(*conn, key, timeout_ms); });
}

int entry_unlock(tide_conn *conn, const char *key) {
  return guarded(conn, [&] { return release_lock(*conn, key); });
}

int entry_split(const char *sql, size_t len, tide_split_fn fn, void *user) {
  return tide::driver::guarded_bare([&] { return split_script(sql, len, fn, user); });
}

int entry_in_transaction(tide_conn *conn) { return conn && conn->in_transaction() ? 1 : 0; }

int entry_upsert_then_exec(tide_conn *conn, const tide_upsert *spec, const tide_value *values, size_t nrows,
                           tide_upsert_result *result, const char *sql, size_t len, int *stage) {
  if (!result || !stage) return TIDE_EMISUSE;
  *result = tide_upsert_result{0, 0, 0, -1};
  *stage = TIDE_STAGE_NONE;
  return guarded(conn, [&] {
    if (!spec) return conn->fail(TIDE_EMISUSE, "upsert_then_exec: spec is NULL");
    return run_upsert_then_exec(*conn, *spec, values, nrows, *result, sql ? sql : kEmpty, sql ? len : 0, *stage);
  });
}

int entry_upsert(tide_conn *conn, const tide_upsert *spec, const tide_value *values, size_t nrows,
                 tide_upsert_result *result) {
  if (!result) return TIDE_EMISUSE;
  *result = tide_upsert_result{0, 0, 0, -1};
  return guarded(conn, [&] {
    if (!spec) return conn->fail(TIDE_EMISUSE, "upsert: spec is NULL");
    return run_upsert(*conn, *spec, values, nrows, *result);
  });
}

int entry_dump(tide_conn *conn, tide_write_fn fn, void *user) {
  return guarded(conn, [&] { return run_dump(*conn, fn, user); });
}

const char *const kSchemes[] = {"mysql", "mariadb", nullptr};

const tide_driver kDriver = {
    .abi_major = TIDE_ABI_MAJOR,
    .abi_minor = TIDE_ABI_MINOR,
    .struct_size = sizeof(tide_driver),
    .name = "mysql",
    .version = kDriverVersion,
    .schemes = kSchemes,
    .capabilities = TIDE_CAP_SAVEPOINTS | TIDE_CAP_SERVER_LOCK,
    .param_style = TIDE_PARAM_QMARK,
    // InnoDB, so history writes commit with the migration's own DML; utf8mb4 so any
    // file name fits; the key's columns sized to stay inside InnoDB's index limit.
    .history_ddl =
        "CREATE TABLE IF NOT EXISTS {table} (kind VARCHAR(32) NOT NULL, version VARCHAR(190) NOT NULL, "
        "name VARCHAR(512) NOT NULL, checksum VARCHAR(128) NOT NULL, status VARCHAR(16) NOT NULL, "
        "applied_at VARCHAR(32) NOT NULL, duration_ms BIGINT NOT NULL DEFAULT 0, "
        "applied_by VARCHAR(255) NULL, environment VARCHAR(255) NULL, tide_version VARCHAR(64) NULL, "
        "error TEXT NULL, PRIMARY KEY (kind, version)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
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
    .quote_ident = tide::driver::quote_backtick,
    .split = entry_split,
    .in_transaction = entry_in_transaction,
    .upsert = entry_upsert,
    .dump = entry_dump,
    .commit_with = nullptr,  // the host runs the statement, then commit()
    .upsert_then_exec = entry_upsert_then_exec,
};

}  // namespace
}  // namespace tide_mysql

extern "C" TIDE_EXPORT const tide_driver *tide_driver_entry(void) { return &tide_mysql::kDriver; }
