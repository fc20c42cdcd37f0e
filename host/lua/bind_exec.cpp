// tide.core.exec and tide.core.add_secret: the primitives under tide.exec (init.lua).
// exec(argv, env, input, timeout_ms) returns `true, {code, signal, timed_out, stdout,
// stderr}` once the command ran (whatever its exit code), or `false, err` when it could
// not start. Arguments are checked on the Lua side; here they are only read.
#include <string>

#include "lua/bind.h"
#include "util/process.h"

namespace tide {

namespace {

const char kSecretKey = 0;  // address used as a registry key

ProcessSpec read_spec(lua_State *L) {
  ProcessSpec spec;
  int n = static_cast<int>(lua_objlen(L, 1));
  for (int i = 1; i <= n; ++i) {
    lua_rawgeti(L, 1, i);
    size_t len = 0;
    const char *s = lua_tolstring(L, -1, &len);
    spec.argv.emplace_back(s ? s : "", s ? len : 0);
    lua_pop(L, 1);
  }
  if (lua_istable(L, 2)) {
    lua_pushnil(L);
    while (lua_next(L, 2) != 0) {
      if (lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TSTRING)
        spec.env.emplace_back(lua_tostring(L, -2), lua_tostring(L, -1));
      lua_pop(L, 1);
    }
  }
  if (lua_type(L, 3) == LUA_TSTRING) {
    size_t len = 0;
    const char *s = lua_tolstring(L, 3, &len);
    spec.input = std::string(s, len);
  }
  if (lua_isnumber(L, 4)) spec.timeout_ms = static_cast<int64_t>(lua_tonumber(L, 4));
  if (lua_isnumber(L, 5)) spec.kill_grace_ms = static_cast<int64_t>(lua_tonumber(L, 5));
  return spec;
}

int push_result(lua_State *L, const Result<ProcessResult> &r) {
  if (!r) {
    lua_pushboolean(L, 0);
    push_error(L, r.error());
    return 2;
  }
  lua_pushboolean(L, 1);
  lua_createtable(L, 0, 5);
  lua_pushnumber(L, r.value().code);
  lua_setfield(L, -2, "code");
  lua_pushnumber(L, r.value().signal);
  lua_setfield(L, -2, "signal");
  lua_pushboolean(L, r.value().timed_out);
  lua_setfield(L, -2, "timed_out");
  lua_pushlstring(L, r.value().out.data(), r.value().out.size());
  lua_setfield(L, -2, "stdout");
  lua_pushlstring(L, r.value().err.data(), r.value().err.size());
  lua_setfield(L, -2, "stderr");
  return 2;
}

int core_exec(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  return push_result(L, run_process(read_spec(L)));
}

int core_add_secret(lua_State *L) {
  size_t len = 0;
  const char *s = luaL_checklstring(L, 1, &len);
  lua_pushlightuserdata(L, const_cast<char *>(&kSecretKey));
  lua_rawget(L, LUA_REGISTRYINDEX);
  auto *sink = static_cast<SecretSink *>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  if (sink && *sink) (*sink)(std::string(s, len));
  return 0;
}

}  // namespace

void register_exec(lua_State *L) {
  lua_pushcfunction(L, core_exec);
  lua_setfield(L, -2, "exec");
  lua_pushcfunction(L, core_add_secret);
  lua_setfield(L, -2, "add_secret");
}

void set_secret_sink(lua_State *L, SecretSink *sink) {
  lua_pushlightuserdata(L, const_cast<char *>(&kSecretKey));
  lua_pushlightuserdata(L, sink);
  lua_rawset(L, LUA_REGISTRYINDEX);
}

}  // namespace tide
