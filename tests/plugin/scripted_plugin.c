/* A plugin whose behaviour the URL scripts, for the host's tests of `tide wait` and
   `tide dump` without a server:

     scripted:ok             connect succeeds
     scripted:fail=N         the first N connects in this process fail with "connection
                             refused" (TIDE_ECONNECT), later ones succeed
     scripted:never          every connect fails with "connection refused"
     scripted:auth           every connect fails as a wrong password does (SQLSTATE 28P01)
     anything else           a bad URL (TIDE_EMISUSE)
   appended options:
     ,dump=fail              dump writes part of a schema, then fails (TIDE_EDB)
     ,dump=unsupported       dump says its tool is missing (TIDE_EUNSUPPORTED)

   Built twice: as tide-driver-scripted.so (this ABI, with dump) and, with
   -DSCRIPTED_ABI_1_0, as tide-driver-scripted10.so, an ABI 1.0 table that ends before
   the 1.1 members (scheme scripted10). Everything a connection would do beyond connect,
   server_version and dump is TIDE_EUNSUPPORTED. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tide/driver.h>

#ifdef SCRIPTED_ABI_1_0
#define SCHEME "scripted10"
#else
#define SCHEME "scripted"
#endif

struct tide_conn {
  tide_error error;
  char message[256];
  int dump_mode; /* 0 ok, 1 fail, 2 unsupported */
};

static int connects_so_far = 0;

static int fail(tide_conn *c, int code, const char *sqlstate, const char *message) {
  snprintf(c->message, sizeof c->message, "%s", message);
  c->error.code = code;
  c->error.message = c->message;
  c->error.sqlstate = sqlstate;
  return code;
}

static int scripted_connect(const char *url, const tide_connect_options *options, tide_conn **out) {
  (void)options;
  tide_conn *c = calloc(1, sizeof *c);
  *out = c;
  if (!c) return TIDE_ENOMEM;
  c->error.statement_offset = c->error.error_position = -1;
  const char *prefix = SCHEME ":";
  if (!url || strncmp(url, prefix, strlen(prefix)) != 0)
    return fail(c, TIDE_EMISUSE, NULL, "expected a " SCHEME ": URL");
  const char *rest = url + strlen(prefix);
  if (strstr(rest, ",dump=fail")) c->dump_mode = 1;
  if (strstr(rest, ",dump=unsupported")) c->dump_mode = 2;
  int attempt = ++connects_so_far;
  if (strncmp(rest, "ok", 2) == 0) return TIDE_OK;
  if (strncmp(rest, "fail=", 5) == 0)
    return attempt <= atoi(rest + 5) ? fail(c, TIDE_ECONNECT, NULL, "connection refused") : TIDE_OK;
  if (strncmp(rest, "never", 5) == 0) return fail(c, TIDE_ECONNECT, NULL, "connection refused");
  if (strncmp(rest, "auth", 4) == 0)
    return fail(c, TIDE_EDB, "28P01", "password authentication failed for user \"app\"");
  return fail(c, TIDE_EMISUSE, NULL, "unknown script (expected ok, fail=N, never or auth)");
}

static void scripted_close(tide_conn *c) { free(c); }

static const tide_error kNoConnection = {TIDE_EMISUSE, "no connection", NULL, 0, NULL, NULL, -1, -1};

static const tide_error *scripted_last_error(tide_conn *c) { return c ? &c->error : &kNoConnection; }

static const char *scripted_server_version(tide_conn *c) {
  (void)c;
  return "scripted 1.0";
}

static int unsupported(tide_conn *c) { return fail(c, TIDE_EUNSUPPORTED, NULL, "the scripted plugin runs no SQL"); }
static int scripted_exec(tide_conn *c, const char *sql, size_t len) {
  (void)sql, (void)len;
  return unsupported(c);
}
static int scripted_query(tide_conn *c, const char *sql, size_t len, const tide_value *p, size_t n, tide_stmt **out) {
  (void)sql, (void)len, (void)p, (void)n;
  *out = NULL;
  return unsupported(c);
}
static int scripted_step(tide_stmt *s) {
  (void)s;
  return TIDE_EMISUSE;
}
static int scripted_column_count(tide_stmt *s) {
  (void)s;
  return 0;
}
static const char *scripted_column_name(tide_stmt *s, int i) {
  (void)s, (void)i;
  return NULL;
}
static int scripted_column_value(tide_stmt *s, int i, tide_value *out) {
  (void)s, (void)i, (void)out;
  return TIDE_EMISUSE;
}
static int64_t scripted_changes(tide_stmt *s) {
  (void)s;
  return -1;
}
static void scripted_finalize(tide_stmt *s) { (void)s; }
static int scripted_tx(tide_conn *c) { return unsupported(c); }
static int scripted_lock(tide_conn *c, const char *key, int64_t timeout_ms) {
  (void)key, (void)timeout_ms;
  return unsupported(c);
}
static int scripted_unlock(tide_conn *c, const char *key) {
  (void)key;
  return unsupported(c);
}
static size_t scripted_quote_ident(const char *ident, size_t len, char *out, size_t cap) {
  if (len + 2 < cap) {
    out[0] = '"';
    memcpy(out + 1, ident, len);
    out[len + 1] = '"';
    out[len + 2] = '\0';
  }
  return len + 2;
}
static int scripted_split(const char *sql, size_t len, tide_split_fn fn, void *user) {
  (void)sql;
  if (len > 0) fn(user, 0, len);
  return TIDE_OK;
}
static int scripted_in_transaction(tide_conn *c) {
  (void)c;
  return 0;
}

#ifndef SCRIPTED_ABI_1_0
static int scripted_dump(tide_conn *c, tide_write_fn fn, void *user) {
  static const char kFirst[] = "CREATE TABLE scripted_one (id integer);\n";
  static const char kSecond[] = "\nCREATE TABLE scripted_two (id integer);\n";
  if (c->dump_mode == 2) return fail(c, TIDE_EUNSUPPORTED, NULL, "scripted-dump not found on PATH");
  if (fn(user, kFirst, sizeof kFirst - 1) != 0) return fail(c, TIDE_EINTERNAL, NULL, "dump: the writer failed");
  if (c->dump_mode == 1) return fail(c, TIDE_EDB, NULL, "scripted-dump: lost the connection half way");
  if (fn(user, kSecond, sizeof kSecond - 1) != 0) return fail(c, TIDE_EINTERNAL, NULL, "dump: the writer failed");
  return TIDE_OK;
}
#endif

static const char *const kSchemes[] = {SCHEME, NULL};

static const tide_driver kDriver = {
    .abi_major = TIDE_ABI_MAJOR,
#ifdef SCRIPTED_ABI_1_0
    .abi_minor = 0,
    .struct_size = offsetof(tide_driver, upsert), /* what an ABI 1.0 header made */
#else
    .abi_minor = TIDE_ABI_MINOR,
    .struct_size = sizeof(tide_driver),
#endif
    .name = SCHEME,
    .version = "1.0",
    .schemes = kSchemes,
    .capabilities = 0,
    .param_style = TIDE_PARAM_QMARK,
    .history_ddl = "CREATE TABLE IF NOT EXISTS {table} (unused integer)",
    .connect = scripted_connect,
    .close = scripted_close,
    .last_error = scripted_last_error,
    .server_version = scripted_server_version,
    .exec = scripted_exec,
    .query = scripted_query,
    .step = scripted_step,
    .column_count = scripted_column_count,
    .column_name = scripted_column_name,
    .column_value = scripted_column_value,
    .changes = scripted_changes,
    .finalize = scripted_finalize,
    .begin = scripted_tx,
    .commit = scripted_tx,
    .rollback = scripted_tx,
    .lock = scripted_lock,
    .unlock = scripted_unlock,
    .quote_ident = scripted_quote_ident,
    .split = scripted_split,
    .in_transaction = scripted_in_transaction,
#ifndef SCRIPTED_ABI_1_0
    .dump = scripted_dump,
#endif
};

TIDE_EXPORT const tide_driver *tide_driver_entry(void) { return &kDriver; }
