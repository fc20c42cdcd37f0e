// `tide wait`: retry connecting until the database accepts a connection (for containers
// and CI), with a short backoff, for any driver.
#pragma once

#include <string>

#include "cli/output.h"
#include "config/config.h"

namespace tide {

// Ok as soon as a connection succeeds; Exit::kLocked (4) when none did within timeout
// (a duration: "500ms", "60s", ...; the last error in the detail); Exit::kUsage at once
// for a bad timeout, a bad URL or a missing driver.
Status wait_command(const Config &config, const std::string &timeout, Output &out);

}  // namespace tide
