// tide.core: the module table, logging, environment, sleep. The database primitives
// are added by bind_db.cpp.
#include <time.h>

#include <cstdlib>
#include <string>

#include "lua/bind.h"

namespace tide {

namespace {

const char kSinkKey = 0;  // addresses used as registry keys
const char kRowSinkKey = 0;

int core_log(lua_State *L) {
  const char *level = luaL_checkstring(L, 1);
  size_t len = 0;
  const char *msg = luaL_checklstring(L, 2, &len);
  lua_pushlightuserdata(L, const_cast<char *>(&kSinkKey));
  lua_rawget(L, LUA_REGISTRYINDEX);
  auto *sink = static_cast<LogSink *>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  if (sink && *sink) (*sink)(level, std::string(msg, len));
  return 0;
}

int core_getenv(lua_State *L) {
  const char *v = std::getenv(luaL_checkstring(L, 1));
  if (v)
    lua_pushstring(L, v);
  else
    lua_pushnil(L);
  return 1;
}

int core_sleep(lua_State *L) {
  double seconds = luaL_checknumber(L, 1);
  if (seconds > 0) {
    timespec ts{};
    ts.tv_sec = static_cast<time_t>(seconds);
    ts.tv_nsec = static_cast<long>((seconds - static_cast<double>(ts.tv_sec)) * 1e9);
    while (nanosleep(&ts, &ts) != 0) {
    }
  }
  return 0;
}

int core_now(lua_State *L) {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  lua_pushnumber(L, static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9);
  return 1;
}

int open_module(lua_State *L) {
  static const luaL_Reg kFuncs[] = {
      {"log", core_log}, {"getenv", core_getenv}, {"sleep", core_sleep}, {"now", core_now}, {nullptr, nullptr}};
  lua_newtable(L);
  luaL_register(L, nullptr, kFuncs);
  lua_pushlightuserdata(L, nullptr);
  lua_setfield(L, -2, "NULL");
  register_exec(L);
  register_step_aside(L);
  return 1;
}

}  // namespace

void open_core(lua_State *L) {
  open_conn_methods(L);
  lua_getglobal(L, "package");
  lua_getfield(L, -1, "preload");
  lua_pushcfunction(L, open_module);
  lua_setfield(L, -2, "tide.core");
  lua_pop(L, 2);
}

void set_log_sink(lua_State *L, LogSink *sink) {
  lua_pushlightuserdata(L, const_cast<char *>(&kSinkKey));
  lua_pushlightuserdata(L, sink);
  lua_rawset(L, LUA_REGISTRYINDEX);
}

void set_row_sink(lua_State *L, RowSink *sink) {
  lua_pushlightuserdata(L, const_cast<char *>(&kRowSinkKey));
  lua_pushlightuserdata(L, sink);
  lua_rawset(L, LUA_REGISTRYINDEX);
}

RowSink *row_sink(lua_State *L) {
  lua_pushlightuserdata(L, const_cast<char *>(&kRowSinkKey));
  lua_rawget(L, LUA_REGISTRYINDEX);
  auto *sink = static_cast<RowSink *>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  return sink;
}

bool is_null_sentinel(lua_State *L, int idx) {
  return lua_type(L, idx) == LUA_TLIGHTUSERDATA && lua_touserdata(L, idx) == nullptr;
}

void push_error(lua_State *L, const Error &e) {
  lua_createtable(L, 0, 8);
  auto set = [&](const char *k, const std::string &v) {
    if (v.empty()) return;
    lua_pushlstring(L, v.data(), v.size());
    lua_setfield(L, -2, k);
  };
  set("message", e.message);
  set("code", e.code);
  set("sqlstate", e.sqlstate);
  set("detail", e.detail);
  set("hint", e.hint);
  lua_pushnumber(L, static_cast<double>(e.vendor_code));
  lua_setfield(L, -2, "vendor_code");
  lua_pushnumber(L, static_cast<double>(e.statement_offset));
  lua_setfield(L, -2, "statement_offset");
  lua_pushnumber(L, static_cast<double>(e.error_position));
  lua_setfield(L, -2, "error_position");
  if (e.exit != Exit::kFailed) {  // a refusal (exit 2) stays one through Lua
    lua_pushnumber(L, static_cast<double>(static_cast<int>(e.exit)));
    lua_setfield(L, -2, "exit");
  }
}

}  // namespace tide
