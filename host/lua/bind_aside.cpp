// tide.core.step_aside(fn, history_may_change): the primitive under tide.step_aside
// (init.lua). Returns nil when no run holds a connection (the caller then just calls
// fn), `true` once fn ran with tide's connection closed and the run connected and
// locked again, or `false, err` when fn or the way back failed.
#include "lua/bind.h"

namespace tide {

namespace {

const char kStateKey = 0;  // address used as a registry key

LuaState *lua_state(lua_State *L) {
  lua_pushlightuserdata(L, const_cast<char *>(&kStateKey));
  lua_rawget(L, LUA_REGISTRYINDEX);
  auto *state = static_cast<LuaState *>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  return state;
}

// The C++ part, so that nothing with a destructor is live when the wrapper pushes.
Status run_aside(lua_State *L, LuaState &state, bool history_may_change) {
  return state.step_aside()(
      [&]() -> Status {
        lua_pushvalue(L, 1);
        return state.pcall(0, 0);
      },
      history_may_change);
}

int core_step_aside(lua_State *L) {
  luaL_checktype(L, 1, LUA_TFUNCTION);
  bool history_may_change = lua_toboolean(L, 2) != 0;
  LuaState *state = lua_state(L);
  if (!state || !state->step_aside()) {
    lua_pushnil(L);
    return 1;
  }
  lua_settop(L, 1);
  Status s = run_aside(L, *state, history_may_change);
  if (s.ok()) {
    lua_pushboolean(L, 1);
    return 1;
  }
  lua_pushboolean(L, 0);
  push_error(L, s.error());
  return 2;
}

}  // namespace

void register_step_aside(lua_State *L) {
  lua_pushcfunction(L, core_step_aside);
  lua_setfield(L, -2, "step_aside");
}

void set_lua_state(lua_State *L, LuaState *state) {
  lua_pushlightuserdata(L, const_cast<char *>(&kStateKey));
  lua_pushlightuserdata(L, state);
  lua_rawset(L, LUA_REGISTRYINDEX);
}

}  // namespace tide
