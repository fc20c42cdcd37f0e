// Running an external command with an argument vector (never a shell): what
// `tide.exec{...}` and the snapshot providers use to call pg_dump, aws, gcloud, az...
// Both output pipes are drained with poll (no deadlock however much either side writes),
// input is fed the same way, and a timeout kills the command's whole process group.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "util/status.h"

namespace tide {

struct ProcessSpec {
  std::vector<std::string> argv;  // argv[0] is looked up on PATH
  // Added to (or replacing) the inherited environment.
  std::vector<std::pair<std::string, std::string>> env;
  std::optional<std::string> input;  // fed on stdin; none: stdin is /dev/null
  int64_t timeout_ms = 0;            // 0: no limit
  int64_t kill_grace_ms = 2000;      // SIGTERM, then SIGKILL after this long
};

struct ProcessResult {
  int code = -1;   // exit status, or -1 when killed by a signal
  int signal = 0;  // the signal that ended it, or 0
  bool timed_out = false;
  std::string out;  // everything written to stdout
  std::string err;  // everything written to stderr
};

// Runs the command to completion (or to its timeout). Fails only when it cannot start:
// not installed (the message names it), not executable, no pipes.
Result<ProcessResult> run_process(const ProcessSpec &spec);

}  // namespace tide
