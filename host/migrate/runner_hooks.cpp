// The runner's side of lifecycle hooks (SPEC §6) and of a migration's own on_error: the
// run-level events around up / down / redo, the per-migration events, and what a
// failed migration triggers. The rules themselves are in migrate/hooks.cpp.
#include <fmt/format.h>

#include "migrate/runner.h"

namespace tide {

namespace {

HookItem item_of(const Migration &m, Direction dir) {
  HookItem item;
  item.version = m.file().version;
  item.name = m.file().name;
  item.file = m.file().display;
  item.direction = dir == Direction::kUp ? "up" : "down";
  return item;
}

void add_detail(Error &e, const std::string &line) { e.detail += (e.detail.empty() ? "" : "\n") + line; }

}  // namespace

Hooks &Runner::hooks() {
  static NoHooks none;
  return hooks_ ? *hooks_ : none;
}

Status Runner::hooked(HookedRun::Kind kind, const std::function<Status()> &fn) {
  // Hooks (and the migrations' own Lua) may step aside from the connection while the
  // run holds the lock (tide.step_aside); elsewhere it just calls its function.
  struct AsideGuard {
    LuaState &lua;
    ~AsideGuard() { lua.set_step_aside(nullptr); }
  } guard{lua_};
  lua_.set_step_aside([this](const std::function<Status()> &work, bool history_may_change) {
    return step_aside(work, history_may_change);
  });
  HookedRun run(hooks(), kind);
  TIDE_TRY(run.begin());
  run_ = &run;
  Status s = fn();
  run_ = nullptr;
  // Error hooks (a snapshot restore) run with nothing of the failed work left open.
  if (!s.ok() && session_.in_transaction()) (void)session_.rollback();
  return run.finish(std::move(s));
}

Status Runner::before_each(const Migration &m, Direction dir) {
  if (history_changed_)
    return Status::fail(
        Exit::kFailed,
        fmt::format("{}: not run: the migration history changed during this run (tide.step_aside)", m.file().display),
        "run the command again: it plans from the history as it is now");
  return run_ ? run_->before_each(item_of(m, dir)) : Status();
}

Status Runner::after_each(const Migration &m, Direction dir) {
  return run_ ? run_->after_each(item_of(m, dir)) : Status();
}

// After a migration failed (and its transaction, if any, rolled back): its own on_error
// when up failed, then the after_each_error hooks. Their outcomes are reported and
// added to error; error stays the migration's.
void Runner::after_failure(Migration &m, Direction dir, Error &error) {
  const std::string &v = m.file().version;
  if (dir == Direction::kUp && m.has_on_error()) {
    Status h = m.on_error(session_, error);
    if (session_.in_transaction()) (void)session_.rollback();
    if (!h.ok()) {
      reporter_.note("on_error", fmt::format("{} on_error failed: {}", v, h.error().headline()));
      add_detail(error, "its on_error hook failed too: " + h.error().headline());
      if (left_dirty_) record_on_error_failure(*left_dirty_, h.error(), error);
    } else if (!left_dirty_) {
      reporter_.note("on_error", fmt::format("{} on_error ran: ok", v));
      add_detail(error, "its on_error hook ran and succeeded");
    } else if (Status r = history_.remove(kKindMigration, v); r.ok()) {
      // on_error undid the non-transactional work: what `resolve --rolled-back` does.
      reporter_.note("on_error", fmt::format("{} on_error ran: ok; its dirty record was removed", v));
      add_detail(error,
                 "its on_error hook ran and succeeded, so its dirty record was removed: the next `up` runs it again");
      error.hint = "fix the migration, then run `tide up` again";
    } else {
      reporter_.note("on_error", fmt::format("{} on_error ran: ok", v));
      add_detail(error, "its on_error hook succeeded, but removing its dirty record failed: " + r.error().headline());
    }
  }
  if (run_) run_->each_failed(item_of(m, dir), error);
}

// on_error could not undo a dirty migration's work: the dirty row keeps both errors, so a
// later run's "is dirty" message shows them, and the way out no longer offers on_error.
void Runner::record_on_error_failure(HistoryRecord &dirty, const Error &hook_error, Error &error) {
  dirty.error += "\nits on_error hook failed too: " + hook_error.headline();
  if (Status u = history_.update(dirty); !u.ok())
    add_detail(error, "recording that in the history failed too: " + u.error().headline());
  error.hint = fmt::format(
      "its on_error hook did not undo it, so migration {0} stays dirty; check the database, then `tide resolve "
      "{0} --applied` if its changes are all there, or undo them and run `tide resolve {0} --rolled-back` (or "
      "`tide repair`) so the next `up` runs it again",
      dirty.version);
}

}  // namespace tide
