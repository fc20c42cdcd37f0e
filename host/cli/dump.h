// `tide dump`: the database's schema through its driver's dump member (ABI 1.1), written
// atomically to schema.sql (or -o FILE), or to stdout with -o -.
#pragma once

#include <string>

#include "cli/output.h"
#include "config/config.h"
#include "plugin/session.h"

namespace tide {

// target: a path (absolute, or relative to the project folder), "-" for stdout, or
// empty for schema.sql in the project folder.
Status dump_command(const std::string &output, const Config &config, Session &session, Output &out);

}  // namespace tide
