// The project's configuration: tide.lua (a Lua file returning a table, SPEC §2), the
// .env file beside it, environment variables and command-line overrides, resolved into
// one Config with every default filled in.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "lint/lint.h"
#include "lua/state.h"
#include "util/status.h"

namespace tide {

struct Config {
  std::filesystem::path project_dir;  // the folder of tide.lua (or -C / the cwd)
  std::string config_display;         // "tide.lua", empty when there is none
  std::string database;               // URL, never printed unredacted
  std::string environment = "development";
  std::vector<std::string> protected_envs = {"production"};
  std::string migrations_dir = "migrations";
  std::string seeds_dir = "seeds";
  std::string history_table = "tide_history";
  int64_t lock_timeout_ms = 30000;
  int64_t statement_timeout_ms = 0;
  std::vector<std::string> plugin_path;
  lint::Settings lint;  // tide.lua's `lint` table (SPEC §7)

  bool is_protected() const;
};

// What the command line says; empty fields defer to the file and the environment.
struct ConfigOverrides {
  std::string config_file;               // --config
  std::string database;                  // --database
  std::string environment;               // --env
  std::string lock_timeout;              // --lock-timeout
  std::vector<std::string> plugin_path;  // --plugin-path
};

// Where load_config leaves tide.lua's `hooks` table in the Lua registry (nil if none).
inline constexpr const char *kHooksRegistryKey = "tide.config.hooks";

// Reads .env, evaluates tide.lua in lua (with tide.env already set), and applies the
// precedence: command line > tide.lua > environment variables > defaults. Assumes the
// process already runs in the project folder (main handles -C).
Result<Config> load_config(LuaState &lua, const ConfigOverrides &overrides);

// KEY=VALUE lines (optionally `export`, quotes, # comments) set in the process
// environment unless already set (dbmate's rule). A missing file is fine.
Status load_dotenv(const std::filesystem::path &path);

}  // namespace tide
