// Commands that write files and need no database: `init` and `new`.
#pragma once

#include <string>

#include "cli/output.h"
#include "config/config.h"

namespace tide {

Status init_project(Output &out);
Status new_migration(const Config &config, const std::string &name, bool sql, Output &out);

}  // namespace tide
