#include "cli/scaffold.h"

#include <fmt/format.h>

#include <ctime>
#include <filesystem>
#include <fstream>

#include "migrate/catalog.h"

namespace fs = std::filesystem;

namespace tide {

namespace {

constexpr const char *kConfigTemplate = R"(-- tide configuration. Every key is optional; see README.md "Configuration".
return {
  -- A URL, or a table by environment. Default: $DATABASE_URL, then sqlite:db/<env>.sqlite3
  -- database = { development = "sqlite:db/development.sqlite3", production = os.getenv("DATABASE_URL") },
  -- protected = { "production" },   -- down and redo need --yes here
  -- lock_timeout = "30s",
  migrations = "migrations",
  seeds = "seeds",
}
)";

constexpr const char *kLuaTemplate = R"(-- {name}
return {{
  description = "{name}",
  up = function(db)
    db:exec [[
    ]]
  end,
  -- Write the down, or say `irreversible = true`: until then `tide validate` reports
  -- it, and `tide down` refuses to revert this migration.
  -- down = function(db)
  --   db:exec [[
  --   ]]
  -- end,
}}
)";

constexpr const char *kSqlTemplate = R"(-- {name}
-- tide:up

-- tide:down

)";

Status write_new(const fs::path &path, std::string_view text) {
  if (fs::exists(path)) return Status::fail(Exit::kUsage, fmt::format("{}: already exists", path.string()));
  std::ofstream f(path, std::ios::binary);
  f << text;
  if (!f) return Status::fail(Exit::kFailed, fmt::format("{}: cannot write", path.string()));
  return {};
}

// Next version: a timestamp, unless the project numbers its migrations 001, 002, ...
std::string next_version(const Catalog &cat) {
  bool sequential = !cat.migrations.empty();
  for (const auto &m : cat.migrations) sequential = sequential && m.version.size() < 10;
  if (sequential) {
    const std::string &last = cat.migrations.back().version;
    std::string next = std::to_string(std::stoll(last) + 1);
    if (next.size() < last.size()) next.insert(0, last.size() - next.size(), '0');
    return next;
  }
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d%H%M%S", &tm);
  std::string v = buf;
  // Two `tide new` in one second must not collide.
  while (cat.find(v)) v = std::to_string(std::stoll(v) + 1);
  return v;
}

std::string snake_case(const std::string &name) {
  std::string out;
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)))
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    else if (!out.empty() && out.back() != '_')
      out += '_';
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

}  // namespace

Status init_project(Output &out) {
  int made = 0;
  for (const char *dir : {"migrations", "seeds"}) {
    std::error_code ec;
    if (fs::exists(dir, ec)) continue;
    if (fs::create_directories(dir, ec); ec)
      return Status::fail(Exit::kFailed, fmt::format("{}/: cannot create: {}", dir, ec.message()));
    out.event("created", {{"path", dir}}, fmt::format("created {}/", dir));
    ++made;
  }
  if (!fs::exists("tide.lua")) {
    TIDE_TRY(write_new("tide.lua", kConfigTemplate));
    out.event("created", {{"path", "tide.lua"}}, "created tide.lua");
    ++made;
  }
  if (made == 0) out.info("nothing to do: tide.lua, migrations/ and seeds/ already exist");
  return {};
}

Status new_migration(const Config &config, const std::string &name, bool sql, Output &out) {
  std::string clean = snake_case(name);
  if (clean.empty())
    return Status::fail(Exit::kUsage, fmt::format("new: \"{}\" is not a usable name", name),
                        "e.g. tide new add_users_role");
  std::error_code ec;
  if (fs::create_directories(config.migrations_dir, ec); ec)
    return Status::fail(
        Exit::kUsage, fmt::format("{}: cannot create the migrations folder: {}", config.migrations_dir, ec.message()));
  auto cat = scan_migrations(config.migrations_dir, config.migrations_dir);
  if (!cat) return cat.status();
  fs::path path =
      fs::path(config.migrations_dir) / fmt::format("{}_{}{}", next_version(*cat), clean, sql ? ".sql" : ".lua");
  TIDE_TRY(write_new(path, fmt::format(fmt::runtime(sql ? kSqlTemplate : kLuaTemplate), fmt::arg("name", clean))));
  out.event("created", {{"path", path.string()}}, fmt::format("created {}", path.string()));
  return {};
}

}  // namespace tide
