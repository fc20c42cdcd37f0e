// tide-driver-sqlite: the plugin ABI of plugins/include/tide/driver.h over libsqlite3.
//
// This file is the entry table and its extern "C" glue: every entry goes through
// guarded(), so no C++ exception ever reaches the host. The work is elsewhere in
// plugins/sqlite/:
//   connection.{h,cpp}  the tide_conn and tide_stmt objects, connect, transactions,
//                       the migration lock's policy
//   statement.cpp       exec, query, step and column reads
//   upsert.cpp          upsert: batched multi-row INSERT ... ON CONFLICT, with counts
//   url.{h,cpp}         parsing sqlite: URLs
//   file_lock.{h,cpp}   the flock()ed sidecar file that is the migration lock
//   sql_text.{h,cpp}    what needs no connection: the statement splitter, quote_ident
//   dump.{h,cpp}        the schema dump (tide dump)
// Only tide_driver_entry is exported (the target's visibility preset is hidden).

#include <sqlite3.h>
#include <tide/driver.h>

#include <cstddef>
#include <cstdint>
#include <new>
#include <utility>

#include <driver_glue.h>

#include "connection.h"
#include "dump.h"
#include "sql_text.h"

namespace tide_sqlite {
namespace {

constexpr const char *kDriverVersion = "0.1.0";

template <class Fn>
int guarded(tide_conn *conn, Fn &&fn) noexcept {
  return tide::driver::guarded(conn, "sqlite", std::forward<Fn>(fn));
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

const tide_error *entry_last_error(tide_conn *conn) { return conn ? conn->error_.get() : &tide::driver::kNoConnection; }

const char *entry_server_version(tide_conn *) { return sqlite3_libversion(); }

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

int entry_column_count(tide_stmt *stmt) { return stmt ? sqlite3_column_count(stmt->stmt_.get()) : 0; }

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
  return tide::driver::guarded_bare([&] { return split_script(sql, len, fn, user); });
}

int entry_upsert(tide_conn *conn, const tide_upsert *spec, const tide_value *values, size_t nrows,
                 tide_upsert_result *result) {
  return guarded(conn, [&] { return upsert_rows(*conn, spec, values, nrows, result); });
}

int entry_in_transaction(tide_conn *conn) { return conn && conn->in_transaction() ? 1 : 0; }

int entry_dump(tide_conn *conn, tide_write_fn fn, void *user) {
  return guarded(conn, [&] { return dump_schema(*conn, fn, user); });
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
    .quote_ident = tide::driver::quote_double,
    .split = entry_split,
    .in_transaction = entry_in_transaction,
    .upsert = entry_upsert,
    .dump = entry_dump,
    .commit_with = nullptr,       // the host runs the statement, then commit(): no round trip to save
    .upsert_then_exec = nullptr,  // the host makes the two calls: no round trip to save
};

}  // namespace
}  // namespace tide_sqlite

extern "C" TIDE_EXPORT const tide_driver *tide_driver_entry(void) {
  // SQLite counts every allocation under a global mutex unless told not to; tide never
  // reads those counters. Only possible before SQLite initialises (a host that already
  // uses SQLite itself gets SQLITE_MISUSE here, which is harmless), so do it once, first.
  static const bool configured = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK;
  (void)configured;
  return &tide_sqlite::kDriver;
}
