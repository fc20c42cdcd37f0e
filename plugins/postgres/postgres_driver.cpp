// tide-driver-postgres: the plugin ABI of plugins/include/tide/driver.h over libpq, for
// postgres:// and postgresql:// URLs (libpq connection URIs; PG* environment variables
// fill in what the URL leaves out).
//
// This file is the entry table and its extern "C" glue: every entry goes through
// guarded(), so no C++ exception ever reaches the host. The work is in connection.h's
// files. Only tide_driver_entry is exported (the target's visibility preset is hidden).

#include <driver_glue.h>
#include <libpq-fe.h>
#include <tide/driver.h>

#include <cstddef>
#include <cstdint>
#include <new>
#include <utility>

#include "connection.h"
#include "sql_text.h"

namespace tide_pg {
namespace {

constexpr const char *kDriverVersion = "0.1.0";

template <class Fn>
int guarded(tide_conn *conn, Fn &&fn) noexcept {
  return tide::driver::guarded(conn, "postgres", std::forward<Fn>(fn));
}

int entry_connect(const char *url, const tide_connect_options *options, tide_conn **out) {
  if (!out) return TIDE_EMISUSE;
  *out = new (std::nothrow) tide_conn;
  if (!*out) return TIDE_ENOMEM;
  return guarded(*out, [&] { return connect_to(**out, url, options); });
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

int entry_column_count(tide_stmt *stmt) { return stmt ? static_cast<int>(stmt->names_.size()) : 0; }

const char *entry_column_name(tide_stmt *stmt, int i) {
  if (!stmt || i < 0 || static_cast<size_t>(i) >= stmt->names_.size()) return nullptr;
  return stmt->names_[static_cast<size_t>(i)].c_str();
}

int entry_column_value(tide_stmt *stmt, int i, tide_value *out) {
  if (!stmt || !out) return TIDE_EMISUSE;
  return guarded(stmt->conn_, [&] { return read_column(*stmt, i, *out); });
}

int64_t entry_changes(tide_stmt *stmt) { return stmt ? stmt->changes_ : -1; }

void entry_finalize(tide_stmt *stmt) {
  try {
    delete stmt;
  } catch (...) {
  }
}

int entry_begin(tide_conn *conn) {
  return guarded(conn, [&] { return begin_transaction(*conn); });
}

int entry_commit(tide_conn *conn) {
  return guarded(conn, [&] { return commit_transaction(*conn); });
}

int entry_commit_with(tide_conn *conn, const char *sql, size_t len, const tide_value *params, size_t n) {
  return guarded(conn, [&] { return commit_with_statement(*conn, sql, len, params, n); });
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

int entry_upsert(tide_conn *conn, const tide_upsert *spec, const tide_value *values, size_t nrows,
                 tide_upsert_result *result) {
  return guarded(conn, [&] { return upsert_rows(*conn, spec, values, nrows, result); });
}

int entry_dump(tide_conn *conn, tide_write_fn fn, void *user) {
  return guarded(conn, [&] { return dump_schema(*conn, fn, user); });
}

const char *const kSchemes[] = {"postgres", "postgresql", nullptr};

const tide_driver kDriver = {
    .abi_major = TIDE_ABI_MAJOR,
    .abi_minor = TIDE_ABI_MINOR,
    .struct_size = sizeof(tide_driver),
    .name = "postgres",
    .version = kDriverVersion,
    .schemes = kSchemes,
    .capabilities = TIDE_CAP_TRANSACTIONAL_DDL | TIDE_CAP_SAVEPOINTS | TIDE_CAP_SERVER_LOCK | TIDE_CAP_CONCURRENT_INDEX,
    .param_style = TIDE_PARAM_DOLLAR,
    .history_ddl =
        "CREATE TABLE IF NOT EXISTS {table} (kind text NOT NULL, version text NOT NULL, "
        "name text NOT NULL, checksum text NOT NULL, status text NOT NULL, "
        "applied_at text NOT NULL, duration_ms bigint NOT NULL DEFAULT 0, "
        "applied_by text, environment text, tide_version text, error text, "
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
    .commit_with = entry_commit_with,
    .upsert_then_exec = nullptr,  // the host makes the two calls (no-transaction migrations only)
};

}  // namespace
}  // namespace tide_pg

extern "C" TIDE_EXPORT const tide_driver *tide_driver_entry(void) { return &tide_pg::kDriver; }
