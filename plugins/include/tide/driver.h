/*
 * tide/driver.h — the plugin ABI between the tide host and a database driver.
 *
 * This is the only public C header of tide (C99). A driver is a shared library that
 * exports exactly one function, tide_driver_entry(), returning a pointer to a constant
 * table of function pointers (struct tide_driver). The host dlopen()s the library with
 * RTLD_NOW | RTLD_LOCAL, calls the entry function, and refuses the plugin when
 * abi_major differs from TIDE_ABI_MAJOR.
 *
 * Compatibility rule (SQLite's sqlite3ext.h): members are only ever appended to the
 * table. A new member bumps TIDE_ABI_MINOR; the host uses only members that lie inside
 * the struct_size the plugin reports, so an older plugin keeps working with a newer host.
 * Removing or changing a member bumps TIDE_ABI_MAJOR.
 *
 * Conventions for every member:
 *   - Return codes are TIDE_OK (0) or one of the negative TIDE_E* codes below, unless the
 *     member says otherwise. On failure the details are in tide_last_error(conn).
 *   - No C++ exception, longjmp or abort() crosses this boundary: a C++ driver catches
 *     everything in each entry point and turns it into TIDE_EINTERNAL.
 *   - Strings are UTF-8. Lengths are in bytes. A string passed in by the host is only
 *     borrowed for the duration of the call unless the member says otherwise.
 *   - "valid until the next call on the connection" means: until any other member is
 *     called with the same tide_conn (or a tide_stmt that belongs to it).
 *   - One tide_conn is used by one thread at a time [not thread-safe per handle]; distinct
 *     handles may be used from distinct threads [thread-safe across handles].
 */
#ifndef TIDE_DRIVER_H
#define TIDE_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TIDE_ABI_MAJOR 1
#define TIDE_ABI_MINOR 3

/* The name of the one exported function, for dlsym(). */
#define TIDE_DRIVER_ENTRY_SYMBOL "tide_driver_entry"

#if defined(_WIN32)
#define TIDE_EXPORT __declspec(dllexport)
#else
#define TIDE_EXPORT __attribute__((visibility("default")))
#endif

/* ---- return codes ------------------------------------------------------------------ */

enum {
  TIDE_OK = 0,
  TIDE_ROW = 1,           /* tide_stmt step: a row is available */
  TIDE_DONE = 2,          /* tide_stmt step: no more rows */
  TIDE_EDB = -1,          /* the database reported an error (see tide_error) */
  TIDE_ETIMEOUT = -2,     /* a lock or connect did not succeed in time */
  TIDE_ECONNECT = -3,     /* could not connect, or the connection was lost */
  TIDE_EUNSUPPORTED = -4, /* the driver does not implement this operation */
  TIDE_EMISUSE = -5,      /* bad arguments or call order (a bug in the caller) */
  TIDE_ENOMEM = -6,
  TIDE_EINTERNAL = -7     /* a bug or unexpected failure inside the driver */
};

/* ---- capabilities (bit flags in tide_driver.capabilities) ------------------------- */

enum {
  /* DDL runs inside a transaction and rolls back with it (PostgreSQL, SQLite). Without
     it the host records every migration dirty before it starts and applied after. */
  TIDE_CAP_TRANSACTIONAL_DDL = 1u << 0,
  /* SAVEPOINT / RELEASE SAVEPOINT / ROLLBACK TO SAVEPOINT work inside a transaction. */
  TIDE_CAP_SAVEPOINTS = 1u << 1,
  /* lock() is a server-side lock (advisory lock, GET_LOCK) released when the session
     ends; without it the driver uses a host-side lock (a file lock for SQLite). */
  TIDE_CAP_SERVER_LOCK = 1u << 2,
  /* CREATE INDEX CONCURRENTLY and friends exist (they refuse to run in a transaction). */
  TIDE_CAP_CONCURRENT_INDEX = 1u << 3,
  /* The connection is to a database embedded in this process (no server). */
  TIDE_CAP_EMBEDDED = 1u << 4
};

/* How the dialect writes bound-parameter placeholders. */
enum {
  TIDE_PARAM_QMARK = 0, /* ?, ?, ?      (SQLite, MySQL) */
  TIDE_PARAM_DOLLAR = 1 /* $1, $2, $3   (PostgreSQL)    */
};

/* ---- values -------------------------------------------------------------------------- */

typedef enum tide_type {
  TIDE_TYPE_NULL = 0,
  TIDE_TYPE_INT = 1,   /* int64 */
  TIDE_TYPE_FLOAT = 2, /* double */
  TIDE_TYPE_TEXT = 3,  /* UTF-8 bytes, not NUL-terminated (len says how many) */
  TIDE_TYPE_BLOB = 4,  /* raw bytes */
  TIDE_TYPE_BOOL = 5   /* i is 0 or 1 */
} tide_type;

/* A typed value. For TEXT and BLOB, ptr/len point into memory owned by whoever produced
   the value: the host for parameters (valid for the duration of the call), the driver
   for column values (valid until the next step/finalize on that statement). */
typedef struct tide_value {
  int type; /* tide_type */
  union {
    int64_t i;
    double f;
    struct {
      const char *ptr;
      size_t len;
    } s;
  } u;
} tide_value;

/* ---- errors -------------------------------------------------------------------------- */

/* The structured error of the last failed call on a connection. Every pointer is owned
   by the driver and valid until the next call on the connection; any of the strings may
   be NULL when the database did not provide it. */
typedef struct tide_error {
  int code;             /* the TIDE_E* return code of the failed call */
  const char *message;  /* the database's primary message, without a trailing newline */
  const char *sqlstate; /* five-character SQLSTATE, or NULL (SQLite has none) */
  int64_t vendor_code;  /* the database's own numeric code (SQLite extended code, MySQL
                           error number), 0 when none */
  const char *detail;   /* extra lines (PostgreSQL DETAIL), or NULL */
  const char *hint;     /* a suggested fix (PostgreSQL HINT), or NULL */
  /* For exec(): byte offset, into the script passed to exec(), of the start of the
     statement that failed; -1 when unknown or not from exec(). */
  int64_t statement_offset;
  /* Byte offset of the error inside that statement (PostgreSQL's error position,
     SQLite's sqlite3_error_offset), relative to statement_offset — or, for query(),
     relative to the start of the query's SQL; -1 when unknown. */
  int64_t error_position;
} tide_error;

/* ---- handles -------------------------------------------------------------------------- */

typedef struct tide_conn tide_conn; /* one database session, opaque, owned by the driver */
typedef struct tide_stmt tide_stmt; /* one running query and its rows, opaque */

/* Options for connect(). Zero means "driver default" for each field; the host sets
   struct_size so fields can be appended later. */
typedef struct tide_connect_options {
  size_t struct_size;
  int64_t connect_timeout_ms;
  int64_t statement_timeout_ms; /* applied to the session when the database supports it */
  int64_t lock_timeout_ms;      /* the database's own lock wait (PostgreSQL lock_timeout) */
  const char *application_name; /* shown in the server's session list; may be NULL */
} tide_connect_options;

/* Called by split() once per statement, in order. start/len delimit the statement in the
   script (leading whitespace and comments may be included; the terminating delimiter is
   not). Return 0 to continue, non-zero to stop splitting. */
typedef int (*tide_split_fn)(void *user, size_t start, size_t len);

/* Called by dump() with the next piece of output. Return 0 to continue, non-zero to stop
   (dump() then returns TIDE_EINTERNAL with a message saying the writer failed). */
typedef int (*tide_write_fn)(void *user, const char *data, size_t len);

/* ---- upsert (ABI 1.1) ------------------------------------------------------------------ */

/* What upsert() does when a row's key is already in the table. */
enum {
  TIDE_UPSERT_INSERT = 0, /* plain INSERT: a conflicting row is the database's error */
  TIDE_UPSERT_UPDATE = 1, /* set the `update` columns from the new row (ON CONFLICT DO
                             UPDATE / ON DUPLICATE KEY UPDATE); a row whose columns already
                             hold the new values is counted unchanged, not updated */
  TIDE_UPSERT_IGNORE = 2  /* leave the existing row as it is (counted unchanged) */
};

/* One batch of rows to write into one table. Names are unquoted; the driver quotes them.
   Every pointer is borrowed for the duration of the call. */
typedef struct tide_upsert {
  size_t struct_size;             /* sizeof(tide_upsert) of the host's header */
  const char *table;              /* "name" or "schema.name" */
  const char *const *columns;     /* the columns of every row, in value order */
  size_t ncolumns;
  const char *const *key;         /* the conflict target: the columns of a unique index
                                     (PRIMARY KEY or UNIQUE); unused for INSERT */
  size_t nkey;
  const char *const *update;      /* UPDATE: the columns to set (none of them in key) */
  size_t nupdate;
  int mode;                       /* TIDE_UPSERT_* */
} tide_upsert;

/* What upsert() did. Counts cover the statements that completed, also on failure. */
typedef struct tide_upsert_result {
  int64_t inserted;
  int64_t updated;
  int64_t unchanged;
  /* On failure: index (0-based, into this call's rows) of the row the error is about
     when the driver knows it, else of the first row of the failing statement; -1 when
     the failure is not about rows (e.g. the connection was lost). */
  int64_t failed_row;
} tide_upsert_result;

/* How far upsert_then_exec() got (ABI 1.3). */
enum {
  TIDE_STAGE_NONE = 0,
  TIDE_STAGE_UPSERT = 1,
  TIDE_STAGE_UNKNOWN = -1
};

/* ---- the driver table ------------------------------------------------------------------ */

typedef struct tide_driver {
  /* Identity. Set abi_major = TIDE_ABI_MAJOR, abi_minor = TIDE_ABI_MINOR and
     struct_size = sizeof(struct tide_driver) of the header the plugin was built with. */
  uint32_t abi_major;
  uint32_t abi_minor;
  size_t struct_size;

  const char *name;        /* short name, e.g. "sqlite" — also the dialect name */
  const char *version;     /* the driver's own version, e.g. "0.1.0" */
  const char *const *schemes; /* NULL-terminated URL schemes, e.g. {"sqlite", NULL} */
  uint32_t capabilities;   /* TIDE_CAP_* bits */
  int param_style;         /* TIDE_PARAM_* */
  /* CREATE TABLE IF NOT EXISTS statement of the history table, with "{table}" where the
     (already quoted) table name goes. Columns, in this order:
       kind, version, name, checksum, status, applied_at, duration_ms, applied_by,
       environment, tide_version, error
     with PRIMARY KEY (kind, version). applied_at holds "YYYY-MM-DD HH:MM:SS" UTC. */
  const char *history_ddl;

  /* Open a session. url is the full URL (the driver parses it; the host never logs it
     unredacted). On TIDE_OK, *out is a new connection. On failure *out is still set to
     a connection object that only carries the error (read it with last_error, then
     close it), or to NULL when not even that could be allocated (TIDE_ENOMEM). */
  int (*connect)(const char *url, const tide_connect_options *options, tide_conn **out);

  /* Close the session and free it, with every statement still open on it. Rolls back an
     open transaction and releases locks the session holds. conn may be NULL. */
  void (*close)(tide_conn *conn);

  /* The error of the last failed call on conn; never NULL (for conn == NULL, a static
     "no connection" error). Owned by the driver, valid until the next call on conn. */
  const tide_error *(*last_error)(tide_conn *conn);

  /* The server's version as text ("15.4", "10.11.6-MariaDB", "3.40.1"). Owned by the
     driver, valid until close. Never NULL. */
  const char *(*server_version)(tide_conn *conn);

  /* Run a script of zero or more statements, one by one, discarding any rows. In a
     transaction when one is open, else each statement on its own (autocommit). On
     failure, statements before the failing one have run, and the error's
     statement_offset says where the failing one starts in sql. */
  int (*exec)(tide_conn *conn, const char *sql, size_t len);

  /* Prepare and run one statement with bound parameters (n may be 0, params NULL).
     On TIDE_OK, *out is a statement positioned before its first row; step() it.
     Only one statement may be open on a connection at a time: a second query() or an
     exec() while one is open is TIDE_EMISUSE. */
  int (*query)(tide_conn *conn, const char *sql, size_t len, const tide_value *params,
               size_t n, tide_stmt **out);

  /* Advance to the next row. Returns TIDE_ROW, TIDE_DONE, or an error code (the error
     is in last_error of the statement's connection). Rows are streamed: the driver
     does not buffer the whole result. */
  int (*step)(tide_stmt *stmt);

  /* Number of result columns (valid after query()); the name of column i (owned by the
     driver, valid until finalize; NULL when i is out of range). */
  int (*column_count)(tide_stmt *stmt);
  const char *(*column_name)(tide_stmt *stmt, int i);

  /* The value of column i of the current row. TEXT/BLOB pointers are owned by the
     driver and valid until the next step() or finalize(). Returns TIDE_OK or
     TIDE_EMISUSE (no current row, i out of range). */
  int (*column_value)(tide_stmt *stmt, int i, tide_value *out);

  /* Number of rows changed by the statement, once step() returned TIDE_DONE: 0 for
     statements that change no rows (SELECT, DDL); -1 when unknown. */
  int64_t (*changes)(tide_stmt *stmt);

  /* Finish the statement and free it. stmt may be NULL. */
  void (*finalize)(tide_stmt *stmt);

  /* Transactions on the session. begin() inside an open transaction is TIDE_EMISUSE;
     commit() without one is TIDE_EMISUSE; rollback() without one is TIDE_OK, because
     after some errors the database has already ended the transaction itself and the
     host's cleanup must not fail for that. Nested work uses SAVEPOINT through exec()
     when TIDE_CAP_SAVEPOINTS is set. */
  int (*begin)(tide_conn *conn);
  int (*commit)(tide_conn *conn);
  int (*rollback)(tide_conn *conn);

  /* Take the migration lock named key for this database, waiting up to timeout_ms
     (polling; never an unbounded blocking wait). Returns TIDE_OK, TIDE_ETIMEOUT when
     another process held it the whole time, or an error. The lock is released by
     unlock(), by close(), and by the end of the process, whatever way it ends.
     lock() again on a connection that holds it is TIDE_OK; unlock() of a lock the
     connection does not hold is TIDE_EMISUSE. */
  int (*lock)(tide_conn *conn, const char *key, int64_t timeout_ms);
  int (*unlock)(tide_conn *conn, const char *key);

  /* Quote an identifier for this dialect into out (capacity cap, NUL-terminated).
     Returns the length written, or the length needed (excluding NUL) when it is >= cap,
     in which case out holds nothing useful. Needs no connection. */
  size_t (*quote_ident)(const char *ident, size_t len, char *out, size_t cap);

  /* Split a script into statements as this database's own parser would (comments,
     strings, quoted identifiers, trigger bodies, ...), calling fn for each. Needs no
     connection. Returns TIDE_OK, or TIDE_EMISUSE when the script ends inside a string
     or comment (the last statement is still reported). Without a connection, session
     settings that change how SQL is read (MySQL ANSI_QUOTES / NO_BACKSLASH_ESCAPES,
     PostgreSQL standard_conforming_strings = off) cannot be taken into account: the
     splitter assumes the database's defaults. Each reported start is the statement's
     first token (leading blanks and comments skipped), so the host can turn it into
     the statement's own line. */
  int (*split)(const char *sql, size_t len, tide_split_fn fn, void *user);

  /* 1 when a transaction is open on conn as the database sees it, else 0 (also for a
     NULL or failed conn). The host asks after a migration's own SQL ran inside the
     transaction it opened: a COMMIT or ROLLBACK in the migration would otherwise go
     unnoticed, and the host would report a rollback that did not happen. */
  int (*in_transaction)(tide_conn *conn);

  /* ---- ABI 1.1 ---- */

  /* Write nrows rows (values: nrows * spec->ncolumns values, row by row) into a table,
     as multi-row statements with bound parameters sized to the database's parameter
     limit, inside the transaction the host opened (or autocommit when none is open).
     Fills *result (never NULL). Returns TIDE_OK or an error code; on error the statements
     before the failing one have run (the host rolls back its transaction). The dialect's
     own SQL is used: INSERT ... ON CONFLICT (key) DO UPDATE (PostgreSQL, SQLite),
     INSERT ... ON DUPLICATE KEY UPDATE (MySQL). */
  int (*upsert)(tide_conn *conn, const tide_upsert *spec, const tide_value *values, size_t nrows,
                tide_upsert_result *result);

  /* Write the schema of the connected database (tables, indexes, views, functions,
     triggers; no rows) as a SQL script through fn. A driver may run the database's own
     dump tool (pg_dump --schema-only, mariadb-dump --no-data); it then never puts the
     password on a command line, and a missing or too old tool is TIDE_EUNSUPPORTED with
     a message naming it. Returns TIDE_OK or an error code. */
  int (*dump)(tide_conn *conn, tide_write_fn fn, void *user);

  /* ---- ABI 1.2 ---- */

  /* Run one statement with bound parameters that returns no rows (the host writes a
     migration's history row with it), then COMMIT the open transaction: what query(),
     step() to TIDE_DONE, finalize() and commit() do, in one round trip where the
     database allows it (PostgreSQL: a pipeline). Without an open transaction it is
     TIDE_EMISUSE. On failure nothing is committed: the error is the statement's or the
     COMMIT's, and the host calls rollback() as after any failure (the database may have
     ended the transaction already; rollback() is then TIDE_OK). May be NULL: the host
     then makes those calls itself. */
  int (*commit_with)(tide_conn *conn, const char *sql, size_t len, const tide_value *params, size_t n);

  /* ---- ABI 1.3 ---- */

  /* upsert(), then exec() of script, in one round trip where the database allows it
     (MySQL: the upsert and the script's first statement as one multi-statement message).
     The host writes a migration's dirty mark with it where the migration runs outside
     a transaction (always on a database without transactional DDL), so the mark travels
     with the migration's first statement; it must still complete (outside a
     transaction: commit) before that statement starts, and a failed upsert must keep
     the script from running. *stage (never NULL) says how far the call got:
       TIDE_STAGE_NONE    nothing of the script ran: the upsert failed (its error, and
                          failed_row as upsert() sets it; when the connection was lost
                          during an upsert sent on its own, it may have committed), or
                          the call was refused;
       TIDE_STAGE_UPSERT  the upsert completed and *result counts it; a failure is the
                          script's, with statement_offset into script as exec() sets it;
       TIDE_STAGE_UNKNOWN the connection was lost before the upsert's outcome was known:
                          it may have committed, and the script's first statement may
                          have run (the error is TIDE_ECONNECT).
     An empty script (no statements) is the upsert alone. May be NULL: the host then
     calls upsert() and exec() itself. */
  int (*upsert_then_exec)(tide_conn *conn, const tide_upsert *spec, const tide_value *values, size_t nrows,
                          tide_upsert_result *result, const char *script, size_t len, int *stage);
} tide_driver;

/* The one function a plugin exports. Returns a pointer to a table with static storage
   duration (never freed, never NULL). May be called more than once. */
typedef const tide_driver *(*tide_driver_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* TIDE_DRIVER_H */
