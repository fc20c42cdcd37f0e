// `tide lint` (SPEC §3, §7) and the lint gate of `tide up`: which migrations to check,
// what lint knows of the database, and how findings are reported.
#pragma once

#include <filesystem>
#include <vector>

#include "cli/options.h"
#include "cli/output.h"
#include "config/config.h"
#include "lint/lint.h"
#include "lua/state.h"
#include "migrate/plan.h"
#include "migrate/runner.h"
#include "plugin/session.h"

namespace tide {

// What lint knows of the database behind dialect: the tokenizer's dialect, the driver's
// capabilities, the server's version (empty offline) and tide's session lock_timeout.
lint::Target lint_target(const Dialect &dialect, const std::string &server_version, const Config &config);

// `tide lint FILES` / `tide lint --all` / `tide lint --rules`: needs no database; the URL's
// scheme picks the driver whose dialect reads the SQL. Named files are checked as one run
// (a table one creates is new to the next); with --all each file is checked on its own, as
// if every earlier one were applied.
Status lint_offline(const LintOptions &options, const Config &config, LuaState &lua, Output &out);

// `tide lint` on a connected session: the migrations `up` would apply, as one run, with
// the server's version.
Status lint_pending(Runner &runner, const LintOptions &options, const Config &config, LuaState &lua, Session &session,
                    Output &out);

// The gate of `tide up` (SPEC §7), as its Runner::Check: lints what up is about to apply,
// under its lock. In a protected environment an error-level finding refuses the run
// (exit 1, nothing applied) unless yes; elsewhere (or with yes) error-level findings are
// printed as warnings.
Status lint_gate(std::vector<Runner::Planned> &pending, bool yes, const Config &config, LuaState &lua, Session &session,
                 Output &out);

}  // namespace tide
