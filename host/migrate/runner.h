// The runner: applies and reverts migrations with the guarantees of SPEC §4 — one lock
// for the run, one transaction per migration with its history row (or dirty-then-applied
// records where that is impossible), refusal of changed, dirty, missing and
// out-of-order states with the way out named.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "lua/state.h"
#include "migrate/catalog.h"
#include "migrate/history.h"
#include "migrate/hooks.h"
#include "migrate/overview.h"
#include "migrate/reporter.h"
#include "plugin/session.h"

namespace tide {

struct RunContext {
  std::string environment = "development";
  std::string applied_by;
  std::string tide_version;
  int64_t lock_timeout_ms = 30000;
  std::string lock_key = "tide_history";
};

struct UpOptions {
  std::string to;  // apply up to and including this version
  int step = 0;    // at most this many (0: all)
  bool single_transaction = false;
  bool allow_out_of_order = false;
  bool dry_run = false;  // rehearse in one transaction, then roll back (runner_dry_run.cpp)
};

struct DownOptions {
  std::string to;  // revert everything newer than this version
  int step = 1;
  bool all = false;
};

// SQLSTATE 25001 (a statement that cannot run in a transaction block): the hint names
// tide's switches for running the migration outside one.
void hint_no_transaction(Status &s);

class Runner {
 public:
  Runner(Session &session, History &history, LuaState &lua, Reporter &reporter, const Catalog &catalog,
         RunContext context)
      : session_(session),
        history_(history),
        lua_(lua),
        reporter_(reporter),
        catalog_(catalog),
        context_(std::move(context)) {}

  // then, when given, runs after the migrations under the same lock (`up --seed`).
  Status up(const UpOptions &options, const std::function<Status()> &then = {});
  Status down(const DownOptions &options);
  Status redo();
  Result<Overview> status();
  Status validate();
  Status baseline(const std::string &version);
  Status repair();
  Status resolve(const std::string &version, bool applied);

  // Lifecycle hooks (SPEC §6, migrate/hooks.h); without this call there are none.
  // hooks must outlive the runner.
  void set_hooks(Hooks &hooks) { hooks_ = &hooks; }

  // Run fn holding the migration lock, with the history table in place; an open
  // transaction is rolled back and the lock released however fn ends.
  Status locked(const std::function<Status()> &fn);

  // A migration that up is about to apply, as preflight left it.
  struct Planned {
    const MigrationFile *file;
    std::unique_ptr<Migration> loaded;  // kept while within kPreflightKeepBytes, else null
    std::string skip;                   // why its env gate skips it; empty: it runs
  };
  // What up would apply now, in order: dirty, changed, missing and out-of-order states
  // refused as up refuses them, then --to, env gates and --step, every file loaded once.
  // Reads the history and nothing else; a database without the history table has
  // everything pending when history_may_be_missing (tide plan: no lock, no CREATE).
  Result<std::vector<Planned>> pending(const UpOptions &options, bool history_may_be_missing = false);
  Result<std::unique_ptr<Migration>> take(Planned &p);

  // A check of what up is about to apply (tide lint's gate, cli/lint): called under the
  // lock with up's own selection, before any hook fires; a failure stops up with nothing
  // applied. check must outlive the runner. The migrations stay in plan for up to apply.
  using Check = std::function<Status(std::vector<Planned> &plan)>;
  void set_check(Check check) { check_ = std::move(check); }

  // up --dry-run (runner_dry_run.cpp): every pending transactional migration rehearsed
  // in one transaction, statement by statement, then rolled back.
  Status dry_run(const UpOptions &options);

 private:
  Status up_locked(const UpOptions &options);
  Status rehearse(const UpOptions &options, std::string &summary);
  Status acquire_lock();
  Result<Overview> load_overview();
  Result<Overview> load_overview_for_reading();
  Status check_clean(const Overview &ov, bool allow_out_of_order);
  Result<std::unique_ptr<Migration>> load(const MigrationFile &file);
  Result<bool> gated_out(const Migration &m);
  Status apply(Migration &m, Direction dir);
  Status apply_in_transaction(Migration &m, Direction dir);
  Status apply_dirty_first(Migration &m, Direction dir);
  Status transaction_ended(Migration &m, Direction dir, const Status &run);
  Status record_started(const HistoryRecord &dirty, Direction dir);
  Status flush_applied();
  Result<std::vector<Planned>> preflight(const std::vector<const MigrationFile *> &files, bool single_transaction);
  static void limit_steps(std::vector<Planned> &plan, int step);
  Status up_single_transaction(std::vector<Planned> &plan);
  Status revert(const std::vector<const Entry *> &targets);
  HistoryRecord record_for(const Migration &m, int64_t duration_ms) const;
  // runner_hooks.cpp: fn between the run-level hooks of kind; per-migration hooks and a
  // migration's own on_error after a failure.
  Status hooked(HookedRun::Kind kind, const std::function<Status()> &fn);
  Hooks &hooks();
  Status before_each(const Migration &m, Direction dir);
  Status after_each(const Migration &m, Direction dir);
  void after_failure(Migration &m, Direction dir, Error &error);
  // runner_aside.cpp: tide.step_aside during a hooked run.
  Status step_aside(const std::function<Status()> &work, bool history_may_change);
  void record_on_error_failure(HistoryRecord &dirty, const Error &hook_error, Error &error);

  Session &session_;
  History &history_;
  LuaState &lua_;
  Reporter &reporter_;
  const Catalog &catalog_;
  RunContext context_;
  Hooks *hooks_ = nullptr;
  Check check_;
  HookedRun *run_ = nullptr;  // the hooked run in progress, if any
  // The dirty history row the last failed migration left, if it left one.
  std::optional<HistoryRecord> left_dirty_;
  // A dirty-first migration that finished: its applied mark is written together with the
  // next history write (the next SQL migration's carried mark, record_started,
  // apply_in_transaction) or by locked() at the end.
  std::optional<HistoryRecord> applied_pending_;
  // The history changed under tide.step_aside: no further migration of this run runs.
  bool history_changed_ = false;
};

}  // namespace tide
