#include "migrate/catalog.h"

#include <fmt/format.h>

#include <algorithm>

namespace fs = std::filesystem;

namespace tide {

int compare_versions(const std::string &a, const std::string &b) {
  size_t ia = a.find_first_not_of('0'), ib = b.find_first_not_of('0');
  std::string_view va = ia == std::string::npos ? "" : std::string_view(a).substr(ia);
  std::string_view vb = ib == std::string::npos ? "" : std::string_view(b).substr(ib);
  if (va.size() != vb.size()) return va.size() < vb.size() ? -1 : 1;
  int c = va.compare(vb);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

const MigrationFile *Catalog::find(const std::string &version) const {
  for (const auto &m : migrations)
    if (compare_versions(m.version, version) == 0) return &m;
  return nullptr;
}

namespace {

// "20261120093000_create_users.lua" → version "20261120093000", name "create_users".
bool parse_name(const std::string &file, MigrationFile &out) {
  size_t digits = 0;
  while (digits < file.size() && file[digits] >= '0' && file[digits] <= '9') ++digits;
  if (digits == 0) return false;
  size_t dot = file.rfind('.');
  std::string_view ext = std::string_view(file).substr(dot);
  std::string stem = file.substr(0, dot);
  out.version = file.substr(0, digits);
  std::string rest = stem.substr(digits);
  while (!rest.empty() && (rest.front() == '_' || rest.front() == '-' || rest.front() == '.')) rest.erase(0, 1);
  out.name = rest;
  out.format = ext == ".lua" ? MigrationFormat::kLua : MigrationFormat::kSql;
  return true;
}

}  // namespace

Result<Catalog> scan_migrations(const fs::path &dir, const std::string &display_dir) {
  Catalog cat;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Status::fail(Exit::kUsage, fmt::format("{}: migrations folder not found", display_dir),
                        "run `tide init`, or set `migrations` in tide.lua");
  }
  // Plain string work on each name: std::filesystem's path decomposition cost more than
  // the rest of a 1,000-migration `status`. Errors come back through ec, not exceptions.
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::directory_entry &entry = *it;
    std::error_code type_ec;
    if (!entry.is_regular_file(type_ec)) continue;
    const std::string &full = entry.path().native();
    std::string file = full.substr(full.rfind('/') + 1);
    size_t dot = file.rfind('.');
    std::string ext = dot == std::string::npos ? "" : file.substr(dot);
    if (ext != ".lua" && ext != ".sql") continue;
    MigrationFile m;
    if (!parse_name(file, m)) {
      cat.warnings.push_back(
          fmt::format("{}/{}: ignored: a migration's name starts with its version "
                      "(like 20261120093000_create_users{})",
                      display_dir, file, ext));
      continue;
    }
    m.path = full;
    m.display = display_dir + "/" + file;
    cat.migrations.push_back(std::move(m));
  }
  if (ec)
    return Status::fail(Exit::kUsage,
                        fmt::format("{}: cannot list the migrations folder: {}", display_dir, ec.message()));
  std::sort(cat.migrations.begin(), cat.migrations.end(), [](const MigrationFile &a, const MigrationFile &b) {
    int c = compare_versions(a.version, b.version);
    return c != 0 ? c < 0 : a.display < b.display;
  });
  for (size_t i = 1; i < cat.migrations.size(); ++i) {
    const auto &a = cat.migrations[i - 1], &b = cat.migrations[i];
    if (compare_versions(a.version, b.version) == 0) {
      return Status::fail(Exit::kInvalid,
                          fmt::format("{}: version {} is also used by {}", b.display, b.version, a.display),
                          "give each migration its own version (`tide new NAME` makes a fresh timestamp)");
    }
  }
  return cat;
}

}  // namespace tide
