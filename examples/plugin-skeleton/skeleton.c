/* tide-driver-skeleton: the smallest complete tide driver plugin, to copy when writing a
   driver for a new database. It serves URLs "skeleton:ANYTHING" and is honest about
   what it is: connect, close, last_error, server_version, quote_ident, split (on ';'
   only: no strings or comments) and in_transaction work; every member that would talk
   to a database returns TIDE_EUNSUPPORTED with a message saying so. It passes the
   conformance cases tagged [abi] and [connect] (and dump's "says why it cannot");
   the rest fail until those members are written.

   The contract for every member is in <tide/driver.h>; read its header comment first.
   Rules that matter most: export only tide_driver_entry (tide_add_driver() hides the
   rest), never let a C++ exception or longjmp cross a member, keep the error of the
   last failed call on the connection, and only ever append to the table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tide/driver.h>

#define SCHEME "skeleton"

/* The opaque connection: whatever your database client needs, plus the last error and
   the storage its strings point into (valid until the next call on the connection). */
struct tide_conn {
  tide_error error;
  char message[512];
  int in_transaction;
};

static int set_error(tide_conn *c, int code, const char *message) {
  snprintf(c->message, sizeof c->message, "%s", message);
  memset(&c->error, 0, sizeof c->error);
  c->error.code = code;
  c->error.message = c->message;
  c->error.statement_offset = -1;
  c->error.error_position = -1;
  return code;
}

static int not_yet(tide_conn *c, const char *member) {
  char message[128];
  snprintf(message, sizeof message, "skeleton driver: %s is not implemented", member);
  return set_error(c, TIDE_EUNSUPPORTED, message);
}

/* connect always hands back a connection, so a failure can carry its error. */
static int sk_connect(const char *url, const tide_connect_options *options, tide_conn **out) {
  (void)options; /* connect_timeout_ms, statement_timeout_ms, ... (0 = default) */
  if (!out) return TIDE_EMISUSE;
  *out = calloc(1, sizeof **out);
  if (!*out) return TIDE_ENOMEM;
  if (!url || strncmp(url, SCHEME ":", strlen(SCHEME ":")) != 0)
    return set_error(*out, TIDE_EMISUSE, "not a skeleton: URL (expected skeleton:NAME)");
  return TIDE_OK; /* a real driver opens its session here, or returns TIDE_ECONNECT */
}

static void sk_close(tide_conn *c) { free(c); /* NULL-safe, as driver.h requires */ }

static const tide_error kNoConnection = {TIDE_EMISUSE, "no connection", NULL, 0, NULL, NULL, -1, -1};

static const tide_error *sk_last_error(tide_conn *c) { return c ? &c->error : &kNoConnection; }

static const char *sk_server_version(tide_conn *c) {
  (void)c;
  return "skeleton 0.1";
}

static int sk_exec(tide_conn *c, const char *sql, size_t len) {
  (void)sql, (void)len;
  return not_yet(c, "exec");
}

static int sk_query(tide_conn *c, const char *sql, size_t len, const tide_value *params, size_t n,
                    tide_stmt **out) {
  (void)sql, (void)len, (void)params, (void)n;
  if (out) *out = NULL;
  return not_yet(c, "query");
}

/* No statement is ever handed out, so these only see misuse. */
static int sk_step(tide_stmt *s) {
  (void)s;
  return TIDE_EMISUSE;
}
static int sk_column_count(tide_stmt *s) {
  (void)s;
  return 0;
}
static const char *sk_column_name(tide_stmt *s, int i) {
  (void)s, (void)i;
  return NULL;
}
static int sk_column_value(tide_stmt *s, int i, tide_value *out) {
  (void)s, (void)i, (void)out;
  return TIDE_EMISUSE;
}
static int64_t sk_changes(tide_stmt *s) {
  (void)s;
  return -1;
}
static void sk_finalize(tide_stmt *s) { (void)s; }

static int sk_begin(tide_conn *c) { return not_yet(c, "begin"); }
static int sk_commit(tide_conn *c) { return not_yet(c, "commit"); }
/* rollback without a transaction is TIDE_OK (driver.h): the host calls it on cleanup. */
static int sk_rollback(tide_conn *c) { return c->in_transaction ? not_yet(c, "rollback") : TIDE_OK; }

static int sk_lock(tide_conn *c, const char *key, int64_t timeout_ms) {
  (void)key, (void)timeout_ms;
  return not_yet(c, "lock");
}
static int sk_unlock(tide_conn *c, const char *key) {
  (void)key;
  return not_yet(c, "unlock");
}

/* Standard SQL quoting: "ident" with '"' doubled. Returns the length needed. */
static size_t sk_quote_ident(const char *ident, size_t len, char *out, size_t cap) {
  size_t needed = len + 2;
  for (size_t i = 0; i < len; ++i) needed += ident[i] == '"';
  if (needed >= cap) return needed;
  size_t o = 0;
  out[o++] = '"';
  for (size_t i = 0; i < len; ++i) {
    if (ident[i] == '"') out[o++] = '"';
    out[o++] = ident[i];
  }
  out[o++] = '"';
  out[o] = '\0';
  return needed;
}

/* Naive: splits on every ';'. A real driver follows its database's lexical rules. */
static int sk_split(const char *sql, size_t len, tide_split_fn fn, void *user) {
  size_t start = 0;
  for (size_t i = 0; i <= len; ++i) {
    if (i < len && sql[i] != ';') continue;
    size_t s = start;
    while (s < i && (sql[s] == ' ' || sql[s] == '\n' || sql[s] == '\t' || sql[s] == '\r')) ++s;
    if (s < i && fn(user, s, i - s) != 0) return TIDE_OK;
    start = i + 1;
  }
  return TIDE_OK;
}

static int sk_in_transaction(tide_conn *c) { return c && c->in_transaction; }

static int sk_upsert(tide_conn *c, const tide_upsert *spec, const tide_value *values, size_t nrows,
                     tide_upsert_result *result) {
  (void)spec, (void)values, (void)nrows;
  if (result) memset(result, 0, sizeof *result), result->failed_row = -1;
  return not_yet(c, "upsert");
}

static int sk_dump(tide_conn *c, tide_write_fn fn, void *user) {
  (void)fn, (void)user;
  return not_yet(c, "dump");
}

static const char *const kSchemes[] = {SCHEME, NULL};

static const tide_driver kDriver = {
    .abi_major = TIDE_ABI_MAJOR,
    .abi_minor = TIDE_ABI_MINOR,
    .struct_size = sizeof(tide_driver),
    .name = "skeleton",
    .version = "0.1.0",
    .schemes = kSchemes,
    .capabilities = 0, /* TIDE_CAP_* bits your database has */
    .param_style = TIDE_PARAM_QMARK,
    .history_ddl =
        "CREATE TABLE IF NOT EXISTS {table} (kind VARCHAR(16) NOT NULL, version VARCHAR(64) NOT NULL, "
        "name VARCHAR(255) NOT NULL, checksum VARCHAR(64) NOT NULL, status VARCHAR(16) NOT NULL, "
        "applied_at VARCHAR(19) NOT NULL, duration_ms BIGINT NOT NULL DEFAULT 0, applied_by VARCHAR(255), "
        "environment VARCHAR(255), tide_version VARCHAR(32), error VARCHAR(4000), "
        "PRIMARY KEY (kind, version))",
    .connect = sk_connect,
    .close = sk_close,
    .last_error = sk_last_error,
    .server_version = sk_server_version,
    .exec = sk_exec,
    .query = sk_query,
    .step = sk_step,
    .column_count = sk_column_count,
    .column_name = sk_column_name,
    .column_value = sk_column_value,
    .changes = sk_changes,
    .finalize = sk_finalize,
    .begin = sk_begin,
    .commit = sk_commit,
    .rollback = sk_rollback,
    .lock = sk_lock,
    .unlock = sk_unlock,
    .quote_ident = sk_quote_ident,
    .split = sk_split,
    .in_transaction = sk_in_transaction,
    .upsert = sk_upsert,
    .dump = sk_dump,
    /* commit_with (ABI 1.2) and upsert_then_exec (1.3) only save round trips: left NULL,
       the host makes the calls they stand for itself. */
};

/* The one exported symbol. The table has static storage and is never freed. */
TIDE_EXPORT const tide_driver *tide_driver_entry(void) { return &kDriver; }
