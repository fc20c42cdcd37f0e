// Lifecycle hooks (SPEC §6): the events, the context a hook gets, the interface the
// runner and the seeds command call (LuaHooks implements it over tide.lua and hooks/),
// and HookedRun, which holds the failure rules in one place so every command follows
// them alike:
//   - a failing before_* hook stops the run (exit 1) before the work it precedes;
//   - a failing error hook (after_*_error) is reported and the original error is kept,
//     with the hook's failure added to its detail;
//   - a failing after_each stops the run like a failing migration (the migration it
//     follows stays done), so after_migrate_error runs;
//   - a failing after_migrate / after_rollback / after_seed fails the run (exit 1), but
//     the work is done and the error hook does not run (a failed cleanup must not
//     restore a snapshot over a successful migration).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace tide {

enum class HookEvent {
  kBeforeMigrate,
  kBeforeEach,
  kAfterEach,
  kAfterEachError,
  kAfterMigrate,
  kAfterMigrateError,
  kBeforeRollback,
  kAfterRollback,
  kAfterRollbackError,
  kBeforeSeed,
  kAfterSeed,
  kAfterSeedError,
};
constexpr int kHookEventCount = 12;

const char *hook_event_name(HookEvent event);
// nullopt-like: returns false when name is not an event.
bool hook_event_from(std::string_view name, HookEvent &out);
// "before_migrate, before_each, ..." for messages.
std::string hook_event_list();

// A migration or seed as a hook sees it.
struct HookItem {
  std::string kind = "migration";  // or "seed"
  std::string version;
  std::string name;
  std::string file;
  std::string direction = "up";  // "up" or "down"
};

struct HookContext {
  const HookItem *item = nullptr;                  // *_each events, seed events per seed
  const Error *error = nullptr;                    // *_error events
  const std::vector<HookItem> *applied = nullptr;  // done so far in this run
};

class Hooks {
 public:
  virtual ~Hooks() = default;
  // Runs every hook of event in order (for error events all of them, even after one
  // fails; otherwise up to the first failure) and reports each. A failure comes back
  // with exit 1 and a message naming the event and the hook.
  virtual Status run(HookEvent event, const HookContext &ctx) = 0;
  // No hook at all: nothing will read a HookContext, so a run need not keep the list of
  // what it did (ctx.applied), which grows with the number of migrations.
  virtual bool empty() const { return false; }
};

class NoHooks : public Hooks {
 public:
  Status run(HookEvent, const HookContext &) override { return {}; }
  bool empty() const override { return true; }
};

// One run's hooks: the three run-level events (before, after, after_error) and the
// per-item events, with the rules above. Use:
//   HookedRun run(hooks, HookedRun::kMigrate);
//   TIDE_TRY(run.begin());
//   ... per item: TIDE_TRY(run.before_each(item)); work; run.each_failed(item, err) or
//       TIDE_TRY(run.after_each(item)) ...
//   return run.finish(status_of_the_work);
class HookedRun {
 public:
  enum Kind { kMigrate, kRollback, kSeed };
  HookedRun(Hooks &hooks, Kind kind) : hooks_(hooks), kind_(kind) {}

  Status begin();
  Status before_each(const HookItem &item);
  Status after_each(const HookItem &item);               // records item as done first
  void each_failed(const HookItem &item, Error &error);  // after_each_error
  // after_* when work succeeded, else after_*_error (keeping work's error).
  Status finish(Status work);
  // The items done so far, as ctx.applied shows them; kept only when there are hooks.
  const std::vector<HookItem> &done() const { return done_; }

 private:
  HookEvent before() const;
  HookEvent after() const;
  HookEvent after_error() const;
  Hooks &hooks_;
  Kind kind_;
  std::vector<HookItem> done_;
};

}  // namespace tide
