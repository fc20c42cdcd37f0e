// The migration lock on PostgreSQL: a session-level advisory lock, taken with
// pg_try_advisory_lock and polled until the timeout (never the blocking form, which
// would wait past any timeout). The server releases it when the session ends, however
// the process ends, so a killed tide leaves no lock behind.

#include <libpq-fe.h>
#include <tide/driver.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>

#include "connection.h"

namespace tide_pg {
namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(100);
constexpr int64_t kMaxWaitMs = int64_t{31} * 24 * 3600 * 1000;

// The lock's bigint key: FNV-1a of the key text, stable across runs and server versions
// (unlike hashtext()).
int64_t key_of(const char *key) {
  uint64_t h = 14695981039346656037ull;
  for (const char *p = key ? key : ""; *p; ++p) {
    h ^= static_cast<unsigned char>(*p);
    h *= 1099511628211ull;
  }
  return static_cast<int64_t>(h);
}

// Runs a one-row, one-column query with bigint parameters; the value, or nullopt-like
// empty string on failure (the error is then the connection's).
int query_value(tide_conn &conn, const char *sql, const std::string &a, const std::string *b, std::string &value) {
  const char *values[2] = {a.c_str(), b ? b->c_str() : nullptr};
  conn.note_state();
  ResultHandle r(PQexecParams(conn.pg_.get(), sql, b ? 2 : 1, nullptr, values, nullptr, nullptr, 0));
  if (!r || PQresultStatus(r.get()) != PGRES_TUPLES_OK) return conn.fail_result(r.get());
  value = PQntuples(r.get()) > 0 && !PQgetisnull(r.get(), 0, 0) ? PQgetvalue(r.get(), 0, 0) : "";
  return TIDE_OK;
}

// Who holds the lock, for the timeout message: " (held by pid N, application A, from H)".
std::string holder_of(tide_conn &conn, int64_t key) {
  const uint64_t k = static_cast<uint64_t>(key);
  const std::string high = std::to_string(k >> 32), low = std::to_string(k & 0xffffffffu);
  std::string who;
  int rc = query_value(conn,
                       "SELECT format('pid %s, application %L, from %s', a.pid, a.application_name, "
                       "coalesce(host(a.client_addr), 'a local socket')) "
                       "FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid "
                       "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
                       "AND l.classid = $1::oid AND l.objid = $2::oid "
                       "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
                       high, &low, who);
  return rc == TIDE_OK && !who.empty() ? " (held by " + who + ")" : "";
}

}  // namespace

int take_lock(tide_conn &conn, const char *key, int64_t timeout_ms) {
  if (int rc = conn.require_idle("lock"); rc != TIDE_OK) return rc;
  const int64_t k = key_of(key);
  if (conn.locks_.count(k)) return TIDE_OK;  // pg_try_advisory_lock would stack a second hold
  const std::string param = std::to_string(k);
  const auto wait = std::chrono::milliseconds(std::clamp<int64_t>(timeout_ms, 0, kMaxWaitMs));
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    std::string got;
    if (int rc = query_value(conn, "SELECT pg_try_advisory_lock($1::bigint)", param, nullptr, got); rc != TIDE_OK) {
      return rc;
    }
    if (got == "t") {
      conn.locks_.insert(k);
      return TIDE_OK;
    }
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(kPollInterval, deadline - now));
  }
  std::string holder = holder_of(conn, k);
  return conn.fail(TIDE_ETIMEOUT, "another session holds the migration lock \"" + std::string(key ? key : "") +
                                      "\" (pg_advisory_lock " + param + ")" + holder);
}

int release_lock(tide_conn &conn, const char *key) {
  const int64_t k = key_of(key);
  if (!conn.locks_.count(k)) return conn.fail(TIDE_EMISUSE, "unlock: this session does not hold the migration lock");
  if (int rc = conn.require_idle("unlock"); rc != TIDE_OK) return rc;
  conn.locks_.erase(k);  // whatever happens next, the session no longer counts on it
  std::string released;
  const std::string param = std::to_string(k);
  return query_value(conn, "SELECT pg_advisory_unlock($1::bigint)", param, nullptr, released);
}

}  // namespace tide_pg
