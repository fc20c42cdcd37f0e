#include "config/config.h"

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>

#include "util/text.h"

namespace fs = std::filesystem;

namespace tide {

bool Config::is_protected() const {
  for (const auto &e : protected_envs)
    if (e == environment) return true;
  return false;
}

namespace {

std::string_view trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

class TableReader {
 public:
  // prefix names a nested table in errors ("lint.").
  TableReader(lua_State *L, int index, std::string file, std::string prefix = {})
      : L_(L), t_(index), file_(std::move(file)), prefix_(std::move(prefix)) {}

  Status fail(const std::string &key, const std::string &what) const {
    return Status::fail(Exit::kUsage, fmt::format("{}: `{}{}` {}", file_, prefix_, key, what));
  }

  // Each reader leaves the stack as it found it and succeeds when the key is absent.
  Status string(const char *key, std::string &out) {
    lua_getfield(L_, t_, key);
    int ty = lua_type(L_, -1);
    if (ty == LUA_TSTRING) out = lua_tostring(L_, -1);
    lua_pop(L_, 1);
    return ty == LUA_TNIL || ty == LUA_TSTRING ? Status() : fail(key, "must be a string");
  }

  Status list(const char *key, std::vector<std::string> &out) {
    lua_getfield(L_, t_, key);
    Status s;
    if (lua_type(L_, -1) == LUA_TSTRING) {
      out = {lua_tostring(L_, -1)};
    } else if (lua_istable(L_, -1)) {
      out.clear();
      for (int i = 1;; ++i) {
        lua_rawgeti(L_, -1, i);
        bool str = lua_type(L_, -1) == LUA_TSTRING;
        if (str) out.emplace_back(lua_tostring(L_, -1));
        lua_pop(L_, 1);
        if (!str) break;
      }
    } else if (!lua_isnil(L_, -1)) {
      s = fail(key, "must be a string or a list of strings");
    }
    lua_pop(L_, 1);
    return s;
  }

  Status duration(const char *key, int64_t &out) {
    lua_getfield(L_, t_, key);
    Status s;
    if (lua_type(L_, -1) == LUA_TNUMBER) {
      out = static_cast<int64_t>(lua_tonumber(L_, -1) * 1000);
    } else if (lua_type(L_, -1) == LUA_TSTRING) {
      auto ms = parse_duration_ms(lua_tostring(L_, -1));
      if (ms)
        out = *ms;
      else
        s = fail(key, "must be a duration like \"30s\", \"500ms\" or \"5m\"");
    } else if (!lua_isnil(L_, -1)) {
      s = fail(key, "must be a duration like \"30s\" or a number of seconds");
    }
    lua_pop(L_, 1);
    return s;
  }

  // `database` may be a URL, a table keyed by environment, or a function(env).
  Status database(LuaState &lua, const std::string &env, std::string &out) {
    lua_getfield(L_, t_, "database");
    if (lua_istable(L_, -1)) {
      lua_getfield(L_, -1, env.c_str());
      lua_remove(L_, -2);
    } else if (lua_isfunction(L_, -1)) {
      lua_pushstring(L_, env.c_str());
      Status s = lua.pcall(1, 1);
      if (!s.ok()) {
        s.error().exit = Exit::kUsage;
        s.error().traceback.clear();
        return s;
      }
    }
    int ty = lua_type(L_, -1);
    if (ty == LUA_TSTRING) out = lua_tostring(L_, -1);
    lua_pop(L_, 1);
    if (ty == LUA_TNIL || ty == LUA_TSTRING) return {};
    return fail("database", "must be a URL, a table of URLs by environment, or a function(env) returning one");
  }

  // `hooks` is kept in the Lua registry as it is (kHooksRegistryKey); LuaHooks reads
  // and checks its events when a command needs them.
  Status hooks() {
    lua_getfield(L_, t_, "hooks");
    if (lua_isnil(L_, -1) || lua_istable(L_, -1)) {
      lua_setfield(L_, LUA_REGISTRYINDEX, kHooksRegistryKey);
      return {};
    }
    lua_pop(L_, 1);
    return fail("hooks", "must be a table: hooks = { before_migrate = function(ctx) ... end, ... }");
  }

  // `lint = { enable = {...}, disable = {...}, severity = { [rule] = "warning" } }` (SPEC §7):
  // every rule id is checked here, so a typo is an error rather than a rule silently on.
  Status lint(lint::Settings &out) {
    lua_getfield(L_, t_, "lint");
    if (lua_isnil(L_, -1)) {
      lua_pop(L_, 1);
      return {};
    }
    if (!lua_istable(L_, -1)) {
      lua_pop(L_, 1);
      return fail("lint", "must be a table: lint = { disable = { \"missing-down\" } }");
    }
    TableReader inner(L_, lua_gettop(L_), file_, "lint.");
    Status s = inner.keys("lint", {"enable", "disable", "severity"});
    if (s.ok()) s = inner.list("enable", out.enable);
    if (s.ok()) s = inner.list("disable", out.disable);
    for (const auto *ids : {&out.enable, &out.disable})
      for (const std::string &id : *ids)
        if (s.ok()) s = inner.rule_id(ids == &out.enable ? "enable" : "disable", id);
    if (s.ok()) s = inner.severities(out.severity);
    lua_pop(L_, 1);
    return s;
  }

  Status check_keys() {
    static const char *const kKnown[] = {"database",     "environment",       "protected",   "migrations",
                                         "seeds",        "lock_timeout",      "statement_timeout",
                                         "plugin_path",  "history_table",     "hooks",       "lint"};
    static const char *const kLater[] = {"targets"};
    lua_pushnil(L_);
    while (lua_next(L_, t_) != 0) {
      lua_pop(L_, 1);
      std::string key = lua_type(L_, -1) == LUA_TSTRING ? lua_tostring(L_, -1) : "(non-string key)";
      bool known = false;
      for (const char *k : kKnown) known = known || key == k;
      for (const char *k : kLater) {
        if (key == k) {
          lua_pop(L_, 1);
          return fail(key, "is not supported by this version of tide yet; remove it so nothing is silently ignored");
        }
      }
      if (!known) {
        lua_pop(L_, 1);
        return Status::fail(Exit::kUsage, fmt::format("{}: unknown key `{}`", file_, key),
                            "known keys: database, environment, protected, migrations, seeds, lock_timeout, "
                            "statement_timeout, plugin_path, history_table, hooks, lint");
      }
    }
    return {};
  }

 private:
  // Every key of this (nested) table is one of known; what names the table in errors.
  Status keys(const std::string &what, std::initializer_list<std::string_view> known) {
    Status s;
    lua_pushnil(L_);
    while (lua_next(L_, t_) != 0) {
      lua_pop(L_, 1);
      std::string key = lua_type(L_, -1) == LUA_TSTRING ? lua_tostring(L_, -1) : "(non-string key)";
      bool ok = false;
      for (std::string_view k : known) ok = ok || key == k;
      if (!ok && s.ok()) {
        std::string list;
        for (std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
        s = Status::fail(Exit::kUsage, fmt::format("{}: unknown key `{}` in `{}`", file_, key, what),
                         "known: " + list);
      }
    }
    return s;
  }

  Status rule_id(const std::string &key, const std::string &id) const {
    if (lint::find_rule(id)) return {};
    return Status::fail(Exit::kUsage, fmt::format("{}: `{}{}` names no lint rule: \"{}\"", file_, prefix_, key, id),
                        "`tide lint --rules` lists them; docs/lint.md describes each");
  }

  // severity = { ["drop-table"] = "warning", ... }
  Status severities(std::vector<std::pair<std::string, lint::Severity>> &out) {
    lua_getfield(L_, t_, "severity");
    Status s;
    if (lua_istable(L_, -1)) {
      lua_pushnil(L_);
      while (lua_next(L_, -2) != 0) {
        std::string id = lua_type(L_, -2) == LUA_TSTRING ? lua_tostring(L_, -2) : "(non-string key)";
        lint::Severity level = lint::Severity::kError;
        if (s.ok()) s = rule_id("severity", id);
        if (s.ok() && !(lua_type(L_, -1) == LUA_TSTRING && lint::parse_severity(lua_tostring(L_, -1), level)))
          s = fail("severity." + id, "must be \"error\", \"warning\" or \"off\"");
        if (s.ok()) out.emplace_back(id, level);
        lua_pop(L_, 1);
      }
    } else if (!lua_isnil(L_, -1)) {
      s = fail("severity", "must be a table: severity = { [\"drop-table\"] = \"warning\" }");
    }
    lua_pop(L_, 1);
    return s;
  }

  lua_State *L_;
  int t_;
  std::string file_;
  std::string prefix_;
};

std::string env_or(const char *name, std::string dflt) {
  const char *v = std::getenv(name);
  return v && *v ? std::string(v) : dflt;
}

// Evaluate tide.lua and read its keys into c. env comes in as the command line's or
// $TIDE_ENV's (possibly empty) and leaves with the file's `environment` applied when it
// was empty; database is the URL the file chose for that environment.
Status read_config_file(LuaState &lua, const fs::path &file, Config &c, std::string &env, std::string &database) {
  c.config_display = file.lexically_normal().string();
  lua_State *L = lua.L();
  Status s = lua.load_file(file.string(), c.config_display);
  if (s.ok()) s = lua.pcall(0, 1);
  if (!s.ok()) {
    s.error().exit = Exit::kUsage;
    s.error().traceback.clear();  // a config mistake: the message names file and line
    return s;
  }
  if (!lua_istable(L, -1)) {
    std::string got = luaL_typename(L, -1);
    lua_pop(L, 1);
    return Status::fail(Exit::kUsage,
                        fmt::format("{}: the config must return a table (it returned {})", c.config_display, got),
                        "end tide.lua with `return { database = \"sqlite:db/dev.sqlite3\" }`");
  }
  TableReader t(L, lua_gettop(L), c.config_display);
  Status r = t.check_keys();
  std::string env_from_file;
  if (r.ok()) r = t.string("environment", env_from_file);
  if (r.ok() && env.empty()) env = env_from_file;
  if (env.empty()) env = "development";
  if (r.ok()) r = t.database(lua, env, database);
  if (r.ok()) r = t.list("protected", c.protected_envs);
  if (r.ok()) r = t.string("migrations", c.migrations_dir);
  if (r.ok()) r = t.string("seeds", c.seeds_dir);
  if (r.ok()) r = t.string("history_table", c.history_table);
  if (r.ok()) r = t.duration("lock_timeout", c.lock_timeout_ms);
  if (r.ok()) r = t.duration("statement_timeout", c.statement_timeout_ms);
  if (r.ok()) r = t.list("plugin_path", c.plugin_path);
  if (r.ok()) r = t.hooks();
  if (r.ok()) r = t.lint(c.lint);
  lua_pop(L, 1);
  TIDE_TRY(r);
  c.project_dir = fs::absolute(file).parent_path();
  return {};
}

}  // namespace

Status load_dotenv(const fs::path &path) {
  std::ifstream in(path);
  if (!in) return {};
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    std::string_view l = trim(line);
    if (l.empty() || l[0] == '#') continue;
    if (l.substr(0, 7) == "export ") l = trim(l.substr(7));
    size_t eq = l.find('=');
    if (eq == std::string_view::npos || eq == 0)
      return Status::fail(Exit::kUsage, fmt::format("{}:{}: expected KEY=VALUE", path.filename().string(), n));
    std::string key(trim(l.substr(0, eq)));
    std::string_view value = trim(l.substr(eq + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    } else if (size_t hash = value.find(" #"); hash != std::string_view::npos) {
      value = trim(value.substr(0, hash));
    }
    setenv(key.c_str(), std::string(value).c_str(), 0);
  }
  return {};
}

Result<Config> load_config(LuaState &lua, const ConfigOverrides &o) {
  Config c;
  c.project_dir = fs::current_path();
  fs::path file = o.config_file.empty() ? fs::path("tide.lua") : fs::path(o.config_file);
  bool exists = fs::exists(file);
  if (!o.config_file.empty() && !exists)
    return Status::fail(Exit::kUsage, fmt::format("{}: config file not found", o.config_file));
  TIDE_TRY(load_dotenv((exists ? file.parent_path() : fs::path()) / ".env"));

  // The environment as known before the file runs, so tide.lua can read tide.env: the
  // command line, $TIDE_ENV, else the default. The file's own `environment` key applies
  // when neither of the first two is set.
  std::string env = !o.environment.empty() ? o.environment : env_or("TIDE_ENV", "");
  lua.set_environment(env.empty() ? "development" : env);
  std::string database;
  if (exists) TIDE_TRY(read_config_file(lua, file, c, env, database));
  c.environment = env.empty() ? "development" : env;
  lua.set_environment(c.environment);

  c.database = !o.database.empty() ? o.database
               : !database.empty() ? database
                                   : env_or("DATABASE_URL", fmt::format("sqlite:db/{}.sqlite3", c.environment));
  if (!o.lock_timeout.empty()) {
    auto ms = parse_duration_ms(o.lock_timeout);
    if (!ms)
      return Status::fail(Exit::kUsage,
                          fmt::format("--lock-timeout {}: expected a duration like 30s, 500ms or 5m", o.lock_timeout));
    c.lock_timeout_ms = *ms;
  }
  c.plugin_path.insert(c.plugin_path.begin(), o.plugin_path.begin(), o.plugin_path.end());
  return c;
}

}  // namespace tide
