#include "seed/seed.h"

#include <fmt/format.h>

#include <algorithm>

#include "migrate/checksum.h"
#include "migrate/migration.h"
#include "migrate/sql_file.h"
#include "seed/deletes.h"
#include "util/text.h"

namespace fs = std::filesystem;

namespace tide {

Result<std::vector<MigrationFile>> scan_seeds(const fs::path &dir, const std::string &display_dir) {
  std::vector<MigrationFile> seeds;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return seeds;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (!it->is_regular_file(type_ec)) continue;
    std::string file = it->path().filename().string();
    std::string ext = it->path().extension().string();
    // Anything else (data.csv, README.md) may sit beside the seeds: they read it.
    if (ext != ".lua" && ext != ".sql") continue;
    MigrationFile f;
    f.name = f.version = file.substr(0, file.size() - ext.size());
    f.path = it->path();
    f.display = display_dir + "/" + file;
    f.format = ext == ".lua" ? MigrationFormat::kLua : MigrationFormat::kSql;
    seeds.push_back(std::move(f));
  }
  if (ec)
    return Status::fail(Exit::kUsage, fmt::format("{}: cannot list the seeds folder: {}", display_dir, ec.message()));
  std::sort(seeds.begin(), seeds.end(), [](const MigrationFile &a, const MigrationFile &b) {
    return a.name != b.name ? a.name < b.name : a.display < b.display;
  });
  for (size_t i = 1; i < seeds.size(); ++i)
    if (seeds[i].name == seeds[i - 1].name)
      return Status::fail(Exit::kInvalid,
                          fmt::format("{}: the seed name \"{}\" is also used by {}", seeds[i].display, seeds[i].name,
                                      seeds[i - 1].display),
                          "a seed is recorded by its name: rename one of them");
  return seeds;
}

namespace {

class SqlSeed : public Seed {
 public:
  SqlSeed(const MigrationFile &file, std::string text, const SqlMigration &parsed, const Dialect &dialect)
      : Seed(file), text_(std::move(text)), body_(parsed.up), dialect_(dialect) {
    checksum_ = tide::checksum(text_);
    env_ = parsed.directives.env;
    env_line_ = parsed.directives.env_line;
    deletes_ = deleting_statement(body_.in(text_), dialect.name());
  }

  Status run(Session &session) override {
    std::string_view script = body_.in(text_);
    Status s = session.exec(script);
    if (s.ok()) return s;
    return locate_sql_error(s.error(), file_, text_, body_.offset, script, dialect_);
  }

 private:
  std::string text_;
  SqlSection body_;
  const Dialect &dialect_;
};

class LuaSeed : public Seed {
 public:
  LuaSeed(const MigrationFile &file, LuaState &lua, int ref) : Seed(file), lua_(lua), ref_(ref) {}
  ~LuaSeed() override { luaL_unref(lua_.L(), LUA_REGISTRYINDEX, ref_); }
  LuaSeed(const LuaSeed &) = delete;
  LuaSeed &operator=(const LuaSeed &) = delete;

  Status read_fields(const std::string &text);

  Status run(Session &session) override {
    lua_State *L = lua_.L();
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref_);
    lua_getfield(L, -1, "run");
    lua_remove(L, -2);
    TIDE_TRY(push_db(lua_, session));
    Status s = lua_.pcall(1, 0);
    if (!s.ok() && s.error().where.empty() && s.error().message.rfind(file_.display, 0) != 0)
      s.error().where = file_.display;
    return s;
  }

 private:
  LuaState &lua_;
  int ref_;
};

Status LuaSeed::read_fields(const std::string &text) {
  checksum_ = tide::checksum(text);
  lua_State *L = lua_.L();
  lua_rawgeti(L, LUA_REGISTRYINDEX, ref_);
  int t = lua_gettop(L);
  auto fail = [&](const std::string &msg, std::string hint = {}) {
    lua_settop(L, t - 1);
    return Status::fail(Exit::kInvalid, fmt::format("{}: {}", file_.display, msg), std::move(hint));
  };
  lua_pushnil(L);
  while (lua_next(L, t) != 0) {
    lua_pop(L, 1);
    std::string key = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : luaL_typename(L, -1);
    if (key != "run" && key != "env" && key != "description")
      return fail(fmt::format("unknown field \"{}\" in the seed table", key), "known fields: run, env, description");
  }
  lua_getfield(L, t, "run");
  if (!lua_isfunction(L, -1))
    return fail("the seed table has no `run` function", "end the file with `return { run = function(db) ... end }`");
  lua_getfield(L, t, "env");
  env_ = env_gate_of(L, -1);
  if (!env_ && !lua_isnil(L, -1)) return fail("`env` must be a string or a list of strings");
  lua_settop(L, t - 1);
  return {};
}

Result<std::unique_ptr<Seed>> load_sql(const MigrationFile &file, std::string text, const Dialect &dialect) {
  auto parsed = parse_sql_migration(text, file.display);
  if (!parsed) return parsed.status();
  const Directives &d = parsed->directives;
  if (parsed->down.present || d.no_transaction || d.irreversible)
    return Status::fail(Exit::kInvalid,
                        fmt::format("{}: a seed is plain SQL: `-- tide:down`, `-- tide:no-transaction` and "
                                    "`-- tide:irreversible` are for migrations",
                                    file.display),
                        "keep only the SQL (and an optional `-- tide:env EXPR`); a seed runs in one transaction");
  if (dialect.split(parsed->up.in(text)).empty())
    return Status::fail(Exit::kInvalid, fmt::format("{}: the seed has no SQL statements", file.display));
  return std::unique_ptr<Seed>(new SqlSeed(file, std::move(text), *parsed, dialect));
}

}  // namespace

Result<std::unique_ptr<Seed>> load_seed(const MigrationFile &file, LuaState &lua, const Dialect &dialect) {
  auto text = read_file(file.path);
  if (!text) return text.status();
  if (text->find_first_not_of(" \t\r\n") == std::string::npos)
    return Status::fail(Exit::kInvalid, fmt::format("{}: the seed is empty", file.display));
  if (file.format == MigrationFormat::kSql) return load_sql(file, std::move(*text), dialect);
  auto ref =
      load_lua_table(lua, *text, file.display, "a seed", "end the file with `return { run = function(db) ... end }`");
  if (!ref) return ref.status();
  auto seed = std::make_unique<LuaSeed>(file, lua, *ref);
  TIDE_TRY(seed->read_fields(*text));
  return std::unique_ptr<Seed>(std::move(seed));
}

}  // namespace tide
