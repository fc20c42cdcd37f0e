#include "hooks/lua_hooks.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "config/config.h"
#include "lua/bind.h"
#include "migrate/env_gate.h"
#include "migrate/migration.h"
#include "migrate/sql_file.h"
#include "util/text.h"

namespace fs = std::filesystem;

namespace tide {

namespace {

constexpr const char *kForms =
    "a function(ctx), a table {env = \"EXPR\", run = function(ctx) ... end}, or a list of them";

Status config_error(const std::string &where, const std::string &message, const std::string &hint = {}) {
  Error e;
  e.exit = Exit::kUsage;
  e.where = where;
  e.message = message;
  e.hint = hint;
  return e;
}

bool is_error_event(HookEvent e) {
  return e == HookEvent::kAfterEachError || e == HookEvent::kAfterMigrateError || e == HookEvent::kAfterRollbackError ||
         e == HookEvent::kAfterSeedError;
}

// An env gate written as a string or a list of names (any of them).
std::optional<std::string> gate_at(lua_State *L, int idx, bool &bad) {
  bad = false;
  if (lua_isnil(L, idx)) return std::nullopt;
  if (lua_type(L, idx) == LUA_TSTRING) return std::string(lua_tostring(L, idx));
  if (!lua_istable(L, idx)) {
    bad = true;
    return std::nullopt;
  }
  std::string expr;
  for (int i = 1;; ++i) {
    lua_rawgeti(L, idx, i);
    bool name = lua_type(L, -1) == LUA_TSTRING;
    if (name) expr += (expr.empty() ? "" : " or ") + std::string(lua_tostring(L, -1));
    lua_pop(L, 1);
    if (!name) break;
  }
  bad = expr.empty();
  return expr;
}

void set_string(lua_State *L, const char *key, const std::string &value) {
  lua_pushlstring(L, value.data(), value.size());
  lua_setfield(L, -2, key);
}

void push_item(lua_State *L, const HookItem &item) {
  lua_createtable(L, 0, 5);
  set_string(L, "kind", item.kind);
  set_string(L, "version", item.version);
  set_string(L, "name", item.name);
  set_string(L, "file", item.file);
  set_string(L, "direction", item.direction);
}

}  // namespace

LuaHooks::LuaHooks(LuaState &lua, Session &session, Reporter &reporter, HookSettings settings)
    : lua_(lua), session_(session), reporter_(reporter), settings_(std::move(settings)) {
  lua_newtable(lua_.L());
  state_ref_ = luaL_ref(lua_.L(), LUA_REGISTRYINDEX);
}

LuaHooks::~LuaHooks() {
  lua_State *L = lua_.L();
  for (auto &list : hooks_)
    for (Hook &h : list) luaL_unref(L, LUA_REGISTRYINDEX, h.fn_ref);
  luaL_unref(L, LUA_REGISTRYINDEX, state_ref_);
}

Result<std::unique_ptr<LuaHooks>> LuaHooks::load(LuaState &lua, Session &session, Reporter &reporter,
                                                 HookSettings settings) {
  std::unique_ptr<LuaHooks> h(new LuaHooks(lua, session, reporter, std::move(settings)));
  lua_State *L = lua.L();
  const std::string &config = h->settings_.config_display;
  lua_getfield(L, LUA_REGISTRYINDEX, kHooksRegistryKey);
  int t = lua_gettop(L);
  if (lua_istable(L, t)) {
    lua_pushnil(L);
    while (lua_next(L, t) != 0) {
      HookEvent event{};
      bool named = lua_type(L, -2) == LUA_TSTRING && hook_event_from(lua_tostring(L, -2), event);
      if (!named) {
        std::string key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : luaL_typename(L, -2);
        lua_settop(L, t - 1);
        return config_error(config, fmt::format("hooks: unknown event `{}`", key), "events: " + hook_event_list());
      }
      Status s = h->read_config_entry(event, lua_gettop(L), config);
      lua_pop(L, 1);
      if (!s.ok()) {
        lua_settop(L, t - 1);
        return s;
      }
    }
  }
  lua_settop(L, t - 1);

  std::error_code ec;
  if (!fs::is_directory(h->settings_.hooks_dir, ec)) return h;
  std::vector<fs::path> files;
  for (const auto &entry : fs::directory_iterator(h->settings_.hooks_dir, ec))
    if (entry.is_regular_file(ec)) files.push_back(entry.path());
  if (ec) return config_error(h->settings_.hooks_dir.string(), "cannot read the hooks folder: " + ec.message());
  std::sort(files.begin(), files.end());  // before_migrate.lua before before_migrate.sql
  for (const fs::path &f : files) TIDE_TRY(h->read_file(f));
  return h;
}

// The value at index: a function, {env =, run =}, or a list of those.
Status LuaHooks::read_config_entry(HookEvent event, int index, const std::string &source) {
  lua_State *L = lua_.L();
  std::string where = fmt::format("{}: hooks.{}", source, hook_event_name(event));
  if (source != settings_.config_display) where = source;
  if (lua_isfunction(L, index)) {
    lua_pushvalue(L, index);
    return add(event, Hook{source, luaL_ref(L, LUA_REGISTRYINDEX), {}, 0, {}}, std::nullopt, where);
  }
  if (!lua_istable(L, index))
    return config_error(where, fmt::format("must be {} (got a {})", kForms, luaL_typename(L, index)));
  lua_rawgeti(L, index, 1);
  bool list = !lua_isnil(L, -1);
  lua_pop(L, 1);
  if (list) {
    for (int i = 1;; ++i) {
      lua_rawgeti(L, index, i);
      if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return {};
      }
      Status s = lua_istable(L, -1) || lua_isfunction(L, -1)
                     ? read_config_entry(event, lua_gettop(L), source)
                     : config_error(where, fmt::format("item {} must be a function or {{env =, run =}}", i));
      lua_pop(L, 1);
      TIDE_TRY(s);
    }
  }
  // {env = EXPR, run = function}
  lua_pushnil(L);
  while (lua_next(L, index) != 0) {
    lua_pop(L, 1);
    std::string key = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "(non-string key)";
    if (key != "env" && key != "run") {
      lua_pop(L, 1);
      return config_error(where, fmt::format("unknown field `{}` in a hook table", key), "known fields: env, run");
    }
  }
  lua_getfield(L, index, "run");
  if (!lua_isfunction(L, -1)) {
    lua_pop(L, 1);
    return config_error(where, "a hook table needs `run = function(ctx) ... end`");
  }
  int ref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_getfield(L, index, "env");
  bool bad = false;
  std::optional<std::string> gate = gate_at(L, lua_gettop(L), bad);
  lua_pop(L, 1);
  Hook hook{source, ref, {}, 0, {}};
  if (bad) {
    luaL_unref(L, LUA_REGISTRYINDEX, ref);
    return config_error(where, "`env` must be a gate expression or a list of environment names");
  }
  return add(event, std::move(hook), gate, where);
}

Status LuaHooks::add(HookEvent event, Hook hook, const std::optional<std::string> &gate, const std::string &where) {
  if (gate) {
    auto match = env_matches(*gate, settings_.environment);
    if (!match || !*match) {
      luaL_unref(lua_.L(), LUA_REGISTRYINDEX, hook.fn_ref);
      if (!match) return config_error(where, match.error().message);
      return {};  // gated out in this environment
    }
  }
  hooks_[static_cast<int>(event)].push_back(std::move(hook));
  return {};
}

Status LuaHooks::read_file(const fs::path &path) {
  std::string ext = path.extension().string();
  if (ext != ".lua" && ext != ".sql") return {};
  std::string display = path.lexically_normal().string();
  HookEvent event{};
  if (!hook_event_from(path.stem().string(), event))
    return config_error(display, "not a hook: the file name must be <event>.lua or <event>.sql",
                        "events: " + hook_event_list());
  if (ext == ".sql") {
    auto text = tide::read_file(path);
    if (!text) return text.status();
    auto parsed = parse_sql_migration(*text, display);
    if (!parsed) return parsed.status();
    std::string_view script = parsed->up.in(*text);
    if (session_.dialect().split(script).empty()) return config_error(display, "the hook has no SQL statement");
    std::string where =
        parsed->directives.env_line > 0 ? fmt::format("{}:{}", display, parsed->directives.env_line) : display;
    Hook hook{display, LUA_NOREF, std::string(script), parsed->up.offset, *text};
    return add(event, std::move(hook), parsed->directives.env, where);
  }
  lua_State *L = lua_.L();
  Status s = lua_.load_file(path.string(), display);
  if (s.ok()) s = lua_.pcall(0, 1);
  if (!s.ok()) {
    s.error().exit = Exit::kUsage;
    return s;
  }
  if (!lua_isfunction(L, -1) && !lua_istable(L, -1)) {
    std::string got = luaL_typename(L, -1);
    lua_pop(L, 1);
    return config_error(display, fmt::format("a hook file must return {} (it returned {})", kForms, got));
  }
  s = read_config_entry(event, lua_gettop(L), display);
  lua_pop(L, 1);
  return s;
}

bool LuaHooks::empty() const {
  for (const auto &event : hooks_)
    if (!event.empty()) return false;
  return true;
}

Status LuaHooks::run(HookEvent event, const HookContext &ctx) {
  const char *name = hook_event_name(event);
  bool error_event = is_error_event(event);
  Status result;
  for (const Hook &h : hooks_[static_cast<int>(event)]) {
    auto start = std::chrono::steady_clock::now();
    Status s = h.fn_ref != LUA_NOREF ? run_lua(h, event, ctx) : run_sql(h);
    int64_t ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
    if (s.ok()) {
      reporter_.hook_ran(name, h.source, nullptr, ms, false);
      continue;
    }
    Error &e = s.error();
    e.exit = Exit::kFailed;
    if (e.where.empty() && e.message.find(h.source) == std::string::npos) e.where = h.source;
    e.message = fmt::format("{} hook failed: {}", name, e.message);
    reporter_.hook_ran(name, h.source, &e, ms, !error_event);
    if (!error_event) return s;
    if (result.ok())
      result = s;
    else
      result.error().detail += (result.error().detail.empty() ? "" : "\n") + e.headline();
  }
  return result;
}

Status LuaHooks::run_lua(const Hook &h, HookEvent event, const HookContext &ctx) {
  lua_State *L = lua_.L();
  int top = lua_gettop(L);
  lua_rawgeti(L, LUA_REGISTRYINDEX, h.fn_ref);
  push_context(event, ctx);
  if (Status db = push_db(lua_, session_); db.ok()) {
    lua_setfield(L, -2, "db");
  } else {
    lua_settop(L, top);
    return db;
  }
  TIDE_TRY(lua_.pcall(1, 2));
  // Nothing or true: it worked. false / nil, "why": it failed. Anything else is a mistake.
  int first = lua_type(L, -2);
  bool ok = (first == LUA_TNIL && lua_isnil(L, -1)) || (first == LUA_TBOOLEAN && lua_toboolean(L, -2));
  if (ok) {
    lua_settop(L, top);
    return {};
  }
  Error e;
  e.where = h.source;
  if (first == LUA_TNIL || first == LUA_TBOOLEAN) {
    if (lua_type(L, -1) == LUA_TSTRING) {
      e.message = lua_tostring(L, -1);
    } else if (lua_istable(L, -1)) {
      lua_getfield(L, -1, "message");
      e.message = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "it returned an error table without message";
      lua_pop(L, 1);
    } else {
      e.message = "it returned false";
    }
  } else {
    e.message = fmt::format("it returned a {} value", luaL_typename(L, -2));
    e.hint = "a hook returns nothing (or true) when it worked; it fails with error(\"why\") or `return nil, \"why\"`";
  }
  lua_settop(L, top);
  return e;
}

Status LuaHooks::run_sql(const Hook &h) {
  Status s = session_.exec(h.sql);
  if (s.ok()) return s;
  Error &e = s.error();
  size_t at = h.sql_offset;
  if (e.statement_offset >= 0 && static_cast<size_t>(e.statement_offset) <= h.sql.size()) {
    at += static_cast<size_t>(e.statement_offset);
    at = h.sql_text.find_first_not_of(" \t\r\n", at);
  }
  e.where = fmt::format("{}:{}", h.source, line_of(h.sql_text, std::min(at, h.sql_text.size())));
  return s;
}

// ctx: event, environment, url (password hidden), migration or seed, error, applied,
// state (one table for the whole command, to pass a snapshot handle from one hook to
// another). db is added by the caller.
void LuaHooks::push_context(HookEvent event, const HookContext &ctx) {
  lua_State *L = lua_.L();
  lua_createtable(L, 0, 9);
  set_string(L, "event", hook_event_name(event));
  set_string(L, "environment", settings_.environment);
  set_string(L, "url", settings_.redacted_url);
  if (ctx.item) {
    push_item(L, *ctx.item);
    lua_setfield(L, -2, ctx.item->kind == "seed" ? "seed" : "migration");
  }
  if (ctx.error) {
    push_error_for_lua(L, *ctx.error);
    lua_setfield(L, -2, "error");
  }
  lua_createtable(L, ctx.applied ? static_cast<int>(ctx.applied->size()) : 0, 0);
  if (ctx.applied) {
    int i = 0;
    for (const HookItem &item : *ctx.applied) {
      push_item(L, item);
      lua_rawseti(L, -2, ++i);
    }
  }
  lua_setfield(L, -2, "applied");
  lua_rawgeti(L, LUA_REGISTRYINDEX, state_ref_);
  lua_setfield(L, -2, "state");
}

}  // namespace tide
