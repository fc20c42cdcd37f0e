// `tide up --dry-run`: the migration lock, ONE transaction, every pending transactional
// migration's up run in it statement by statement (migrate/rehearsal_session.h), then
// ROLLBACK on every exit path. No history row is written (a missing history table is
// created inside the transaction, so the rollback removes it too), no hook fires, a
// migration's on_error does not run (nothing is left to undo), and tide.exec is refused
// (a command's effects would not be rolled back).
#include <fmt/format.h>

#include <chrono>

#include "migrate/recording_session.h"
#include "migrate/rehearsal_session.h"
#include "migrate/runner.h"

namespace tide {

namespace {

int64_t elapsed_ms(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
}

constexpr const char *kNothingApplied = "the dry run rolled everything back: nothing was applied or recorded";

}  // namespace

Status Runner::dry_run(const UpOptions &options) {
  const Dialect &d = session_.dialect();
  if (!d.has(TIDE_CAP_TRANSACTIONAL_DDL))
    return Status::fail(Exit::kUsage,
                        fmt::format("up --dry-run needs transactional DDL, which {} does not have: its DDL commits "
                                    "as it runs, so a rehearsal could not be rolled back",
                                    d.name()),
                        "`tide plan` shows the statements `tide up` would run without running them");
  TIDE_TRY(acquire_lock());
  std::string summary;
  Status s = rehearse(options, summary);
  if (session_.in_transaction()) {
    Status r = session_.rollback();
    if (!r.ok() && s.ok())
      s = r;
    else if (!r.ok())
      s.error().detail += "\nrolling back failed too: " + r.error().headline();
  }
  Status u = session_.unlock(context_.lock_key);
  if (s.ok() && !u.ok()) s = u;
  if (s.ok() && !summary.empty()) reporter_.note("dry_run_done", summary);
  return s;
}

// summary: what to say once the transaction is rolled back.
Status Runner::rehearse(const UpOptions &options, std::string &summary) {
  reporter_.note("dry_run",
                 "dry run: the pending migrations run in one transaction that is rolled back at the end; nothing is "
                 "applied or recorded");
  if (hooks_ && !hooks_->empty()) reporter_.note("dry_run_hooks", "hooks do not fire in a dry run");
  auto started = std::chrono::steady_clock::now();
  TIDE_TRY(session_.begin());
  TIDE_TRY(history_.ensure());
  auto plan = pending(options);
  if (!plan) return plan.status();
  if (plan->empty()) {
    reporter_.note("up_to_date", "nothing to apply: the database is up to date");
    return {};
  }
  RehearsalSession rehearsal(session_, reporter_, lua_);
  ExecOverride no_commands(lua_, &RehearsalSession::refuse_command, &rehearsal);
  TIDE_TRY(no_commands.status());
  int rehearsed = 0, outside = 0;
  Status s;
  for (Planned &p : *plan) {
    if (!p.skip.empty()) {
      reporter_.migration_skipped(*p.file, p.skip);
      continue;
    }
    auto m = take(p);
    if (!m) {
      s = m.status();
      break;
    }
    if (!(*m)->transactional()) {
      reporter_.migration_skipped(*p.file, "not rehearsed: it runs outside a transaction");
      ++outside;
      continue;
    }
    reporter_.rehearsal_begin(*p.file);
    auto start = std::chrono::steady_clock::now();
    rehearsal.start(**m);
    s = (*m)->run(Direction::kUp, rehearsal);
    hint_no_transaction(s);
    if (!s.ok()) {
      reporter_.migration_failed(*p.file, Direction::kUp, s.error());
      break;
    }
    reporter_.rehearsal_end(*p.file, elapsed_ms(start));
    ++rehearsed;
  }
  forget_db(lua_, rehearsal);
  if (!s.ok()) {
    s.error().detail += (s.error().detail.empty() ? "" : "\n") + std::string(kNothingApplied);
    return s;
  }
  std::string not_run = outside ? fmt::format(", {} not rehearsed (outside a transaction)", outside) : "";
  summary = fmt::format(
      "rolled back: {} migration(s) rehearsed, {} statement(s) in {} ms{}; nothing was applied or "
      "recorded",
      rehearsed, rehearsal.statements_run(), elapsed_ms(started), not_run);
  return {};
}

}  // namespace tide
