// A connection's life in the PostgreSQL driver: connecting from a URL (libpq URIs and
// PG* environment variables), the error record, transactions, and closing. What runs
// on the connection is in exec.cpp, statement.cpp and lock.cpp.

#include "connection.h"

#include <libpq-fe.h>
#include <tide/driver.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "params.h"
#include "pipeline.h"

namespace tide_pg {

// ---- the error record ---------------------------------------------------------------------

namespace {

// Without trailing blanks, and libpq's continuation lines ("\n\tThis probably means
// ...") joined into one.
std::string trimmed(const char *text) {
  std::string s = text ? text : "";
  for (size_t at = s.find("\n\t"); at != std::string::npos; at = s.find("\n\t", at)) s.replace(at, 2, " ");
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string field(const PGresult *r, int code) {
  const char *v = r ? PQresultErrorField(r, code) : nullptr;
  return v ? trimmed(v) : std::string();
}

// Hints for the server errors a migration most often meets, when the server gave none.
std::string hint_for(const std::string &sqlstate, const std::string &message) {
  if (sqlstate == "55P03" && message.find("lock timeout") != std::string::npos) {
    return "another session holds a lock this statement needs (see pg_locks and pg_stat_activity); "
           "retry when it is gone, or raise lock_timeout in tide.lua";
  }
  if (sqlstate == "57014" && message.find("statement timeout") != std::string::npos) {
    return "the statement ran longer than statement_timeout; raise it in tide.lua if this is expected";
  }
  if (sqlstate == "42P10") {
    return "the key columns must be exactly those of a PRIMARY KEY or UNIQUE constraint (or unique index) "
           "on the table; add one, or name the columns of an existing one as the key";
  }
  return {};
}

}  // namespace

int ErrorRecord::set(int code, std::string message) {
  server_position_ = 0;
  return tide::driver::ErrorRecord::set(code, trimmed(message.c_str()));
}

int ErrorRecord::set_from_result(int code, const PGresult *result, const std::string &fallback) {
  std::string primary = field(result, PG_DIAG_MESSAGE_PRIMARY);
  std::string sqlstate = field(result, PG_DIAG_SQLSTATE);
  std::string hint = field(result, PG_DIAG_MESSAGE_HINT);
  if (hint.empty()) hint = hint_for(sqlstate, primary.empty() ? fallback : primary);
  tide::driver::ErrorRecord::set(code, primary.empty() ? fallback : primary, 0, std::move(sqlstate));
  set_detail(field(result, PG_DIAG_MESSAGE_DETAIL));
  set_hint(std::move(hint));
  std::string position = field(result, PG_DIAG_STATEMENT_POSITION);
  server_position_ = position.empty() ? 0 : std::atoll(position.c_str());
  return code;
}

}  // namespace tide_pg

// ---- the connection object -------------------------------------------------------------------

tide_conn::~tide_conn() {
  delete open_stmt_;  // before the connection closes; its destructor clears open_stmt_
  // PQfinish (pg_'s deleter) ends the session: the server rolls back an open
  // transaction and releases the session's advisory locks.
}

int tide_conn::fail_result(const PGresult *result) {
  std::string libpq = tide_pg::trimmed(pg_ ? PQerrorMessage(pg_.get()) : "no connection");
  if (alive()) return error_.set_from_result(TIDE_EDB, result, libpq);
  // The session is gone (the server shut down or was killed, the network broke): what
  // became of an open transaction is what the host needs to say.
  error_.set_from_result(TIDE_ECONNECT, result, libpq);
  std::string message = "the connection to the server was lost: " + error_.message();
  if (lost_in_transaction_) message += " (the server rolls back the open transaction)";
  error_.set_message(std::move(message));
  return TIDE_ECONNECT;
}

int tide_conn::require_open(const char *what) {
  if (pg_ && PQstatus(pg_.get()) == CONNECTION_OK) return TIDE_OK;
  if (pg_) {
    return fail(TIDE_ECONNECT, std::string(what) + ": the connection to the server was lost: " +
                                   tide_pg::trimmed(PQerrorMessage(pg_.get())));
  }
  return fail(TIDE_EMISUSE, std::string(what) + ": the connection is not open");
}

int tide_conn::require_idle(const char *what) {
  if (!open_stmt_) return require_open(what);
  return fail(TIDE_EMISUSE, std::string(what) + ": a statement is still open on this connection; finalize it first");
}

bool tide_conn::in_transaction() const {
  if (!pg_) return false;
  if (begin_pending_) return true;
  switch (PQtransactionStatus(pg_.get())) {
    case PQTRANS_INTRANS:
    case PQTRANS_INERROR:
    case PQTRANS_ACTIVE:
      return true;
    case PQTRANS_UNKNOWN:  // the connection is bad: as it was when last alive
      return lost_in_transaction_;
    default:
      return false;
  }
}

int tide_conn::flush_begin() {
  if (!begin_pending_) return TIDE_OK;
  begin_pending_ = false;
  return tide_pg::run_simple(*this, "BEGIN");
}

namespace tide_pg {
namespace {

// ---- connect ------------------------------------------------------------------------------

constexpr int64_t kDefaultConnectTimeoutS = 10;

// libpq prints NOTICEs (CREATE TABLE IF NOT EXISTS "skipping", RAISE NOTICE) to stderr
// by default; the host owns the output.
void ignore_notice(void *, const char *) {}

template <class T>
T option(const tide_connect_options *options, T tide_connect_options::*member, size_t offset) {
  if (!options || options->struct_size < offset + sizeof(T)) return T{};
  return options->*member;
}

// The value of keyword in a parsed conninfo, or "" when unset.
std::string parsed_value(const PQconninfoOption *parsed, const char *keyword) {
  for (const PQconninfoOption *o = parsed; o && o->keyword; ++o) {
    if (std::strcmp(o->keyword, keyword) == 0 && o->val) return o->val;
  }
  return {};
}

bool has_scheme(std::string_view url) { return url.starts_with("postgres://") || url.starts_with("postgresql://"); }

}  // namespace

int connect_to(tide_conn &conn, const char *url, const tide_connect_options *options) {
  if (!url) return conn.fail(TIDE_EMISUSE, "connect: url is NULL");
  if (!has_scheme(url)) {
    return conn.fail(TIDE_EMISUSE, "not a PostgreSQL URL: expected postgres://user@host:port/dbname");
  }
  char *parse_error = nullptr;
  PQconninfoOption *parsed = PQconninfoParse(url, &parse_error);
  if (!parsed) {
    std::string why = parse_error ? trimmed(parse_error) : "cannot parse it";
    PQfreemem(parse_error);
    return conn.fail(TIDE_EMISUSE, "bad PostgreSQL URL: " + why);
  }
  std::string url_options = parsed_value(parsed, "options");
  bool url_sets_timeout = !parsed_value(parsed, "connect_timeout").empty();
  PQconninfoFree(parsed);

  const int64_t connect_ms =
      option(options, &tide_connect_options::connect_timeout_ms, offsetof(tide_connect_options, connect_timeout_ms));
  const int64_t statement_ms = option(options, &tide_connect_options::statement_timeout_ms,
                                      offsetof(tide_connect_options, statement_timeout_ms));
  const int64_t lock_ms =
      option(options, &tide_connect_options::lock_timeout_ms, offsetof(tide_connect_options, lock_timeout_ms));
  const char *app =
      option(options, &tide_connect_options::application_name, offsetof(tide_connect_options, application_name));

  // Keywords before dbname are defaults the URL overrides; the ones after it win.
  std::vector<const char *> keys, values;
  std::string timeout;
  if (connect_ms > 0 || (!url_sets_timeout && !std::getenv("PGCONNECT_TIMEOUT"))) {
    int64_t seconds = connect_ms > 0 ? (connect_ms + 999) / 1000 : kDefaultConnectTimeoutS;
    timeout = std::to_string(seconds < 2 ? 2 : seconds);  // libpq's minimum
    keys.push_back("connect_timeout");
    values.push_back(timeout.c_str());
  }
  keys.push_back("fallback_application_name");
  values.push_back(app && *app ? app : "tide");
  keys.push_back("client_encoding");
  values.push_back("UTF8");
  // libpq first looks for Kerberos credentials (krb5.conf, keytabs, the ticket cache)
  // and, when it finds some, asks the server for GSSAPI encryption: a round trip that
  // almost never leads anywhere. Like dbmate and the Go, Node and Python drivers, tide
  // does not ask unless the URL (?gssencmode=prefer) or PGGSSENCMODE says so. Kerberos
  // *authentication* is unaffected; SSL (sslmode) is left as libpq's default.
  if (!std::getenv("PGGSSENCMODE")) {
    keys.push_back("gssencmode");
    values.push_back("disable");
  }
  keys.push_back("dbname");
  values.push_back(url);
  // Session settings travel in the startup packet: no extra round trip.
  std::string session_options =
      url_options.empty() && std::getenv("PGOPTIONS") ? std::getenv("PGOPTIONS") : url_options;
  if (statement_ms > 0) session_options += " -c statement_timeout=" + std::to_string(statement_ms);
  if (lock_ms > 0) session_options += " -c lock_timeout=" + std::to_string(lock_ms);
  if (!session_options.empty()) {
    keys.push_back("options");
    values.push_back(session_options.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);

  conn.pg_.reset(PQconnectdbParams(keys.data(), values.data(), 1));
  if (!conn.pg_) return conn.error_.set_static(TIDE_ENOMEM, "out of memory connecting");
  if (PQstatus(conn.pg_.get()) != CONNECTION_OK) {
    // libpq's message names the host and port, never the password.
    return conn.fail(TIDE_ECONNECT, trimmed(PQerrorMessage(conn.pg_.get())));
  }
  PQsetNoticeProcessor(conn.pg_.get(), ignore_notice, nullptr);
  const char *version = PQparameterStatus(conn.pg_.get(), "server_version");
  conn.server_version_ = version ? version : std::to_string(PQserverVersion(conn.pg_.get()));
  return TIDE_OK;
}

int run_simple(tide_conn &conn, const char *sql) {
  conn.note_state();
  ResultHandle r(PQexec(conn.pg_.get(), sql));
  ExecStatusType status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return TIDE_OK;
  return conn.fail_result(r.get());
}

// ---- transactions -------------------------------------------------------------------------

// BEGIN is only noted here and sent with the next statement (exec.cpp): a migration
// then costs one round trip less.
int begin_transaction(tide_conn &conn) {
  if (int rc = conn.require_idle("begin"); rc != TIDE_OK) return rc;
  if (conn.in_transaction()) return conn.fail(TIDE_EMISUSE, "begin: a transaction is already open");
  conn.begin_pending_ = true;
  return TIDE_OK;
}

int commit_transaction(tide_conn &conn) {
  if (conn.begin_pending_) {  // nothing ran in it: nothing to commit
    conn.begin_pending_ = false;
    return TIDE_OK;
  }
  if (int rc = conn.require_idle("commit"); rc != TIDE_OK) return rc;
  PGTransactionStatusType status = PQtransactionStatus(conn.pg_.get());
  if (status == PQTRANS_IDLE) return conn.fail(TIDE_EMISUSE, "commit: no transaction is open");
  if (status == PQTRANS_INERROR) {
    // COMMIT of a failed transaction "succeeds" as a ROLLBACK; say what happened.
    run_simple(conn, "ROLLBACK");
    return conn.fail(TIDE_EDB, "commit: the transaction had failed on an earlier error and was rolled back");
  }
  return run_simple(conn, "COMMIT");
}

// The history row and the COMMIT in one round trip (with the BEGIN too, when nothing
// else ran in the transaction). A failed statement makes the server skip the COMMIT,
// leaving the failed transaction for the host's rollback(); a failed COMMIT (a deferred
// constraint) has ended it already.
int commit_with_statement(tide_conn &conn, const char *sql, size_t len, const tide_value *params, size_t n) {
  if (int rc = conn.require_idle("commit_with"); rc != TIDE_OK) return rc;
  if (!conn.in_transaction()) return conn.fail(TIDE_EMISUSE, "commit_with: no transaction is open");
  if (n > 0 && !params) return conn.fail(TIDE_EMISUSE, "commit_with: params is NULL");
  Params p;
  if (int rc = build_params(conn, "commit_with", params, n, true, p); rc != TIDE_OK) return rc;
  // An unnamed statement, though it is the same one every migration: a named one would
  // fail the migration's commit after a DEALLOCATE ALL in a migration, or behind a
  // connection pooler in transaction mode, for a parse the server does in microseconds.
  Pipeline pipeline(conn);
  pipeline.query(std::string(sql ? sql : kEmpty, sql ? len : 0), &p);
  pipeline.query("COMMIT");
  std::vector<ResultHandle> results;
  int failed = -1;
  return pipeline.run(results, failed);
}

// Succeeds when nothing is open: after a lost connection the server has discarded the
// transaction already, and the host's cleanup must not fail for that (driver.h).
int rollback_transaction(tide_conn &conn) {
  if (conn.begin_pending_) {
    conn.begin_pending_ = false;
    return TIDE_OK;
  }
  if (!conn.alive()) {
    conn.lost_in_transaction_ = false;
    return TIDE_OK;
  }
  if (conn.open_stmt_) return conn.require_idle("rollback");
  if (PQtransactionStatus(conn.pg_.get()) == PQTRANS_IDLE) return TIDE_OK;
  return run_simple(conn, "ROLLBACK");
}

}  // namespace tide_pg
