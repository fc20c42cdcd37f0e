// The steps of a run that main.cpp narrates: open the database for a config, and run
// one database command through the Runner.
#pragma once

#include <memory>

#include "cli/options.h"
#include "cli/output.h"
#include "config/config.h"
#include "lua/state.h"
#include "plugin/plugin_session.h"

namespace tide {

// The plugin for the database URL's scheme (exit 2 when there is none).
Result<std::shared_ptr<Plugin>> find_driver(const Config &config);

// Find the plugin for the URL's scheme and connect; errors never show the password.
Result<std::unique_ptr<Session>> open_database(const Config &config);

// Refuse destructive commands in protected environments without --yes.
Status check_protected(const CommandLine &cl, const Config &config);

// up, down, redo, status, validate, baseline, repair, resolve, seed.
Status run_command(const CommandLine &cl, const Config &config, Session &session, LuaState &lua, Output &out);

// `tide drivers`.
Status list_drivers(const Config &config, Output &out);

// "user@host", for the history's applied_by.
std::string applied_by();

}  // namespace tide
