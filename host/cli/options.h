// The command line (SPEC §3), parsed with CLI11 into one plain struct.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "migrate/runner.h"

namespace tide {

// tide lint [FILES] [--all] [--format text|json|sarif] [--rules]
struct LintOptions {
  std::vector<std::string> files;  // absolute once main has read them
  bool all = false;
  std::string format = "text";
  bool rules = false;                // list the rules and stop
  std::filesystem::path start_dir;  // where tide was started, before -C (SARIF paths)
};

struct CommandLine {
  // global
  std::string dir;  // -C
  ConfigOverrides config;
  bool json = false, quiet = false, verbose = false, no_color = false, yes = false;

  std::string command;  // "up", "down", ...
  UpOptions up;
  bool up_seed = false;                // up --seed
  bool plan_offline = false;           // plan --offline
  std::vector<std::string> seed_only;  // seed --only NAME (repeatable)
  bool seed_force = false;             // seed --force
  DownOptions down;
  bool status_exit_code = false;
  std::string name;                           // new NAME
  bool sql = false;                           // new --sql
  std::string version;                        // baseline V, resolve V
  bool applied = false, rolled_back = false;  // resolve
  std::string dump_output;                    // dump -o FILE ("-": stdout; empty: schema.sql)
  std::string wait_timeout = "60s";           // wait --timeout DUR
  LintOptions lint;
};

// Parses argv. Returns an exit code when the process should stop now (--help,
// --version, a usage error), nullopt to go on with `out`.
std::optional<int> parse_command_line(int argc, char **argv, CommandLine &out);

}  // namespace tide
