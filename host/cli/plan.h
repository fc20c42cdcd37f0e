// `tide plan` (SPEC §3): what `tide up` would run, per migration, without running it; and
// the plans that `tide lint` and the lint gate of `tide up` read (migrate/plan.h). Only
// the *_command functions print; the others return plans.
#pragma once

#include <memory>
#include <vector>

#include "cli/output.h"
#include "config/config.h"
#include "lua/state.h"
#include "migrate/plan.h"
#include "migrate/runner.h"
#include "plugin/plugin_session.h"

namespace tide {

// The plans of what `tide up` with options would apply now: Runner::pending's selection
// and refusals (dirty, changed, missing and out-of-order states; --to, env gates, --step).
// A migration its env gate excludes has `skipped` set and no statements. Reads the history
// and nothing else: no lock, no write, and a database without the history table has
// everything pending. The plans' files point into the runner's catalog.
Result<std::vector<MigrationPlan>> pending_plans(Runner &runner, const UpOptions &options, LuaState &lua,
                                                 Session &session);

// The plans of migrations up has selected (Runner::pending), leaving them in pending for
// up to apply: the lint gate's input, under up's lock.
Result<std::vector<MigrationPlan>> plans_of(const std::vector<Runner::Planned> &pending, LuaState &lua,
                                            Session &session);

// Without a database: every one of files (from a catalog the caller owns, in version
// order) is pending. Env gates are evaluated for environment, then --to and --step apply
// as in up (options' other fields are ignored). dialect: offline_dialect's, or a session's.
Result<std::vector<MigrationPlan>> file_plans(const std::vector<const MigrationFile *> &files, const UpOptions &options,
                                              const std::string &environment, LuaState &lua, const Dialect &dialect);

// The dialect of the database URL's scheme, from its driver plugin, without connecting.
Result<std::unique_ptr<PluginDialect>> offline_dialect(const Config &config);

// `tide plan` on a connected session, and `tide plan --offline` (no connection at all).
// Exit 1 when a migration fails while it is planned (an error of its own, not a read).
Status plan_command(Runner &runner, const UpOptions &options, LuaState &lua, Session &session, Output &out);
Status plan_offline_command(const UpOptions &options, const Config &config, LuaState &lua, Output &out);

}  // namespace tide
