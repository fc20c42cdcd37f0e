// Seeds (SPEC §5): the files in seeds/, in file-name order, and one loaded seed — a Lua
// file returning {env = EXPR, run = function(db) ... end} or a plain SQL script with an
// optional `-- tide:env EXPR`. A seed's name is its file name without the extension
// ("010_roles"); the history records it with kind = 'seed', version = name.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lua/state.h"
#include "migrate/catalog.h"
#include "plugin/session.h"

namespace tide {

inline constexpr const char *kKindSeed = "seed";

// The seed files of dir, sorted by file name; version and name are both the seed's name.
// A missing folder has no seeds. Two files with one name (x.lua, x.sql) are an error.
Result<std::vector<MigrationFile>> scan_seeds(const std::filesystem::path &dir, const std::string &display_dir);

class Seed {
 public:
  virtual ~Seed() = default;
  const MigrationFile &file() const { return file_; }
  const std::string &checksum() const { return checksum_; }
  const std::optional<std::string> &env() const { return env_; }
  std::string env_where() const {
    return env_line_ > 0 ? file_.display + ":" + std::to_string(env_line_) : file_.display;
  }
  // For SQL seeds, the first statement that deletes rows ("" when none); Lua seeds are
  // checked statement by statement as they run.
  const std::string &deletes() const { return deletes_; }
  // Run it on session (the caller opened the transaction). Errors name the file and line.
  virtual Status run(Session &session) = 0;

 protected:
  explicit Seed(const MigrationFile &file) : file_(file) {}
  MigrationFile file_;
  std::string checksum_;
  std::optional<std::string> env_;
  int env_line_ = 0;
  std::string deletes_;
};

Result<std::unique_ptr<Seed>> load_seed(const MigrationFile &file, LuaState &lua, const Dialect &dialect);

}  // namespace tide
