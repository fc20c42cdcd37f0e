#include "lua/state.h"

#include <fmt/format.h>

#include <cstdlib>

#include "lua/bind.h"
#include "lua/embedded.h"
#include "util/text.h"

namespace tide {

namespace {

int load_embedded(lua_State *L) {
  auto *m = static_cast<const EmbeddedModule *>(lua_touserdata(L, lua_upvalueindex(1)));
  if (luaL_loadbuffer(L, reinterpret_cast<const char *>(m->bytecode), m->size, m->chunkname) != 0) return lua_error(L);
  lua_pushstring(L, m->name);
  lua_call(L, 1, 1);  // our own library, not user code
  return 1;
}

void register_embedded(lua_State *L) {
  lua_getglobal(L, "package");
  if (const char *dir = std::getenv("TIDE_LUA_PATH"); dir && *dir) {
    // Development: read stdlib-lua/ from disk so edits need no rebuild.
    lua_getfield(L, -1, "path");
    std::string path = fmt::format("{0}/?.lua;{0}/?/init.lua;{1}", dir, lua_tostring(L, -1));
    lua_pop(L, 1);
    lua_pushstring(L, path.c_str());
    lua_setfield(L, -2, "path");
    lua_pop(L, 1);
    return;
  }
  lua_getfield(L, -1, "preload");
  for (const EmbeddedModule *m = kEmbeddedModules; m->name; ++m) {
    lua_pushlightuserdata(L, const_cast<EmbeddedModule *>(m));
    lua_pushcclosure(L, load_embedded, 1);
    lua_setfield(L, -2, m->name);
  }
  lua_pop(L, 2);
}

// Message handler: keep tide error tables (adding a traceback), wrap anything else.
int traceback_handler(lua_State *L) {
  // A tide error is a table with a string `message`; any other table (error({...}),
  // objects with __tostring) is wrapped like a string, so its text is not lost.
  bool tide_error = false;
  if (lua_istable(L, 1)) {
    lua_getfield(L, 1, "message");
    tide_error = lua_type(L, -1) == LUA_TSTRING;
    lua_pop(L, 1);
  }
  if (!tide_error) {
    // A user __tostring may itself fail: run it protected, and keep the plain message
    // if it does. No C++ temporaries live here, since Lua may raise (memory) anywhere.
    if (lua_istable(L, 1) && luaL_getmetafield(L, 1, "__tostring")) {
      lua_pushvalue(L, 1);
      if (lua_pcall(L, 1, 1, 0) == 0 && lua_type(L, -1) == LUA_TSTRING) lua_replace(L, 1);
      else lua_pop(L, 1);
    }
    if (lua_type(L, 1) == LUA_TSTRING || lua_type(L, 1) == LUA_TNUMBER) {
      lua_pushvalue(L, 1);
    } else {
      lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    lua_newtable(L);
    lua_insert(L, -2);
    lua_setfield(L, -2, "message");
    lua_replace(L, 1);
  }
  luaL_traceback(L, L, nullptr, 1);
  lua_setfield(L, 1, "traceback");
  lua_settop(L, 1);
  return 1;
}

std::string field(lua_State *L, int idx, const char *name) {
  lua_getfield(L, idx, name);
  std::string out;
  if (lua_type(L, -1) == LUA_TSTRING || lua_type(L, -1) == LUA_TNUMBER) out = lua_tostring(L, -1);
  lua_pop(L, 1);
  return out;
}

int64_t int_field(lua_State *L, int idx, const char *name, int64_t dflt) {
  lua_getfield(L, idx, name);
  int64_t v = lua_isnumber(L, -1) ? static_cast<int64_t>(lua_tonumber(L, -1)) : dflt;
  lua_pop(L, 1);
  return v;
}

}  // namespace

LuaState::LuaState() : L_(luaL_newstate()) {
  luaL_openlibs(L_);
  register_embedded(L_);
  open_core(L_);
  set_lua_state(L_, this);
}

LuaState::~LuaState() { lua_close(L_); }

Status LuaState::install_globals(const std::string &environment, LogSink sink) {
  sink_ = std::move(sink);
  set_log_sink(L_, &sink_);
  lua_getglobal(L_, "require");
  lua_pushstring(L_, "tide");
  TIDE_TRY(pcall(1, 1));
  lua_setglobal(L_, "tide");
  set_environment(environment);
  return {};
}

void LuaState::set_secret_sink(SecretSink sink) {
  secret_sink_ = std::move(sink);
  tide::set_secret_sink(L_, &secret_sink_);
}

void LuaState::set_environment(const std::string &environment) {
  lua_getglobal(L_, "tide");
  if (environment.empty())
    lua_pushnil(L_);
  else
    lua_pushstring(L_, environment.c_str());
  lua_setfield(L_, -2, "env");
  lua_pop(L_, 1);
}

Status LuaState::load_string(std::string_view code, const std::string &display) {
  std::string chunk = "@" + display;
  if (luaL_loadbuffer(L_, code.data(), code.size(), chunk.c_str()) == 0) return {};
  Error e;
  e.exit = Exit::kInvalid;
  e.message = lua_tostring(L_, -1);  // "file:line: message"
  lua_pop(L_, 1);
  return e;
}

Status LuaState::load_file(const std::string &path, const std::string &display) {
  auto text = read_file(path);
  if (!text) return text.status();
  return load_string(*text, display);
}

Status LuaState::pcall(int nargs, int nresults) {
  int base = lua_gettop(L_) - nargs;
  lua_pushcfunction(L_, traceback_handler);
  lua_insert(L_, base);
  int rc = lua_pcall(L_, nargs, nresults, base);
  lua_remove(L_, base);
  if (rc == 0) return {};
  int err = lua_gettop(L_);
  Error e;
  e.exit = Exit::kFailed;
  if (lua_istable(L_, err)) {
    e.message = field(L_, err, "message");
    e.where = field(L_, err, "where");
    e.code = field(L_, err, "code");
    e.sqlstate = field(L_, err, "sqlstate");
    e.detail = field(L_, err, "detail");
    e.hint = field(L_, err, "hint");
    e.traceback = field(L_, err, "traceback");
    e.vendor_code = int_field(L_, err, "vendor_code", 0);
    e.statement_offset = int_field(L_, err, "statement_offset", -1);
    e.error_position = int_field(L_, err, "error_position", -1);
    e.exit = static_cast<Exit>(int_field(L_, err, "exit", static_cast<int>(Exit::kFailed)));
  } else {
    e.message = rc == LUA_ERRMEM ? "out of memory" : "error in error handling";
  }
  lua_settop(L_, base - 1);
  return e;
}

}  // namespace tide
