// The catalog: which migration files a project has, in version order. It reads names
// only; file contents are read one at a time when a migration is loaded, so memory stays
// flat in the number of migrations. Other tools' layouts (golang-migrate, dbmate,
// Flyway) slot in as further MigrationFormat values.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "util/status.h"

namespace tide {

enum class MigrationFormat { kLua, kSql };

struct MigrationFile {
  std::string version;  // leading digits of the file name, as written
  std::string name;     // the rest, without separator and extension
  // Absolute or relative to the project folder. A string: a std::filesystem::path keeps
  // its parsed components too (~200 bytes a file, for a thousand files held all run).
  std::string path;
  std::string display;  // path as shown to users ("migrations/001_x.sql")
  MigrationFormat format = MigrationFormat::kSql;
};

struct Catalog {
  std::vector<MigrationFile> migrations;  // sorted by version
  std::vector<std::string> warnings;      // files ignored, and why

  const MigrationFile *find(const std::string &version) const;
};

// Numeric comparison of version strings ("9" < "10", "001" == "1").
int compare_versions(const std::string &a, const std::string &b);

// Scan dir (shown to users as display_dir). Two files with one version are an error.
Result<Catalog> scan_migrations(const std::filesystem::path &dir, const std::string &display_dir);

}  // namespace tide
