// tide.step_aside: work that needs nobody connected to the database (PostgreSQL's
// CREATE DATABASE ... TEMPLATE, DROP DATABASE: the postgres_template snapshot provider)
// runs with the run's own connection closed and the migration lock released. The lock
// guarantee stays honest: tide applies nothing while it stands aside, takes the lock
// again before anything else, and compares the history with what it was, since another
// tide run may have migrated in the gap. The plan of this run was made from the old
// history, so when it changed no further migration runs (before_each refuses).
#include <fmt/format.h>

#include <chrono>

#include "migrate/runner.h"

namespace tide {

namespace {

bool same_history(const std::vector<HistoryRecord> &a, const std::vector<HistoryRecord> &b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].version != b[i].version || a[i].status != b[i].status || a[i].checksum != b[i].checksum) return false;
  return true;
}

void add_detail(Error &e, const std::string &line) { e.detail += (e.detail.empty() ? "" : "\n") + line; }

}  // namespace

Status Runner::step_aside(const std::function<Status()> &work, bool history_may_change) {
  if (session_.in_transaction())
    return Status::fail(Exit::kFailed, "tide.step_aside cannot close tide's connection inside a transaction",
                        "call it from a hook that runs outside one (before_migrate, after_migrate_error, ...), "
                        "not from a migration's up or under --single-transaction");
  // A finished migration's applied mark must be in the database before anything can
  // replace it (a restore) or read it (another run).
  TIDE_TRY(flush_applied());
  auto before = history_.load(kKindMigration);
  if (!before) return before.status();
  TIDE_TRY(session_.unlock(context_.lock_key));
  if (Status d = session_.disconnect(); !d.ok()) {
    TIDE_TRY(acquire_lock());
    d.error().message = "tide.step_aside: " + d.error().message;
    return d;
  }
  auto start = std::chrono::steady_clock::now();
  Status s = work();
  if (Status r = session_.reconnect(); !r.ok()) {
    history_changed_ = true;  // nothing more can run on a connection that is gone
    if (s.ok()) return Status::fail(Exit::kFailed, "tide.step_aside: cannot connect again: " + r.error().headline());
    add_detail(s.error(), "and tide could not connect again: " + r.error().headline());
    return s;
  }
  if (Status l = acquire_lock(); !l.ok()) {
    history_changed_ = true;
    if (s.ok()) return l;
    add_detail(s.error(), "and tide could not take the migration lock again: " + l.error().headline());
    return s;
  }
  auto after = history_.load(kKindMigration);
  if (!after) return after.status();
  auto aside_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  reporter_.note("step_aside", fmt::format("tide's connection was closed for {} ms (tide.step_aside); connected and "
                                           "locked again",
                                           aside_ms.count()));
  if (same_history(*before, *after)) return s;
  history_changed_ = true;
  if (history_may_change || !s.ok()) return s;
  return Status::fail(Exit::kFailed,
                      "the migration history changed while tide's connection was closed (tide.step_aside): "
                      "another tide run migrated this database in between",
                      "run the command again: it plans from the history as it is now");
}

}  // namespace tide
