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
#include "plugin/session.h"

namespace tide {

// What lint knows of the database behind dialect: the tokenizer's dialect, the driver's
// capabilities, the server's version (empty offline) and tide's session lock_timeout.
lint::Target lint_target(const Dialect &dialect, const std::string &server_version, const Config &config);

// `tide lint FILES` / `tide lint --all` / `tide lint --rules`: needs no database; the URL's
// scheme picks the driver whose dialect reads the SQL. start_dir is where the user ran tide
// (SARIF paths are relative to it).
Status lint_offline(const LintOptions &options, const Config &config, LuaState &lua, Output &out,
                    const std::filesystem::path &start_dir);

// Report findings over `files` plans as options.format asks; an error-level finding is the
// command's failure (exit 1).
Status report_findings(const LintOptions &options, const std::vector<lint::Finding> &findings, size_t files,
                       Output &out, const std::filesystem::path &start_dir);

}  // namespace tide
