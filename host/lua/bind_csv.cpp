// conn:load_csv(table, path, spec): the primitive under db:load_csv. The options come
// normalised from tide/db.lua; the loading itself is seed/csv_load.
#include <fmt/format.h>

#include "lua/bind.h"
#include "lua/bind_rows.h"
#include "seed/csv_load.h"

namespace tide {

namespace {

// A table of string = string at field `name` of idx into out.
std::string read_map(lua_State *L, int idx, const char *name, std::vector<std::pair<std::string, std::string>> &out) {
  lua_getfield(L, idx, name);
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    return {};
  }
  if (!lua_istable(L, -1)) {
    lua_pop(L, 1);
    return fmt::format("`{}` must be a table of name = value", name);
  }
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {
    if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING) {
      lua_pop(L, 3);
      return fmt::format("`{}` must map names to names (strings)", name);
    }
    out.emplace_back(lua_tostring(L, -2), lua_tostring(L, -1));
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  return {};
}

std::string read_csv_options(lua_State *L, int idx, CsvOptions &csv) {
  lua_getfield(L, idx, "delimiter");
  if (!lua_isnil(L, -1)) {
    size_t len = 0;
    const char *d = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &len) : nullptr;
    if (!d || len != 1 || *d == '"' || *d == '\n' || *d == '\r') {
      lua_pop(L, 1);
      return "`delimiter` must be one character other than a quote or a line break (\",\", \";\", \"\\t\")";
    }
    csv.delimiter = *d;
  }
  lua_pop(L, 1);
  lua_getfield(L, idx, "null");
  if (!lua_isnil(L, -1) && lua_type(L, -1) != LUA_TSTRING) {
    lua_pop(L, 1);
    return "`null` must be a string (the unquoted text that means NULL)";
  }
  if (!lua_isnil(L, -1)) csv.null_marker = lua_tostring(L, -1);
  lua_pop(L, 1);
  if (std::string m = read_map(L, idx, "rename", csv.rename); !m.empty()) return m;
  std::vector<std::pair<std::string, std::string>> types;
  if (std::string m = read_map(L, idx, "types", types); !m.empty()) return m;
  for (const auto &[col, name] : types) {
    CsvType t;
    if (!parse_csv_type(name, t))
      return fmt::format("types: \"{}\" for column \"{}\" is not one of integer, number, boolean, text", name, col);
    csv.types.emplace_back(col, t);
  }
  return {};
}

int do_load_csv(lua_State *L, Session &session) {
  constexpr int kTable = 2, kPath = 3, kSpec = 4;
  RowsOptions o;
  o.spec.table = lua_tostring(L, kTable);
  std::string path = lua_tostring(L, kPath);
  auto fail = [&](const std::string &m) { return fail_rows(L, o.spec, "load_csv " + path + ": " + m); };
  if (std::string m = read_rows_options(L, kSpec, o); !m.empty()) return fail(m);
  CsvOptions csv;
  if (std::string m = read_csv_options(L, kSpec, csv); !m.empty()) return fail(m);
  auto counts = load_csv(session, std::move(o), csv, path, row_sink(L));
  if (!counts) return push_fail(L, counts.error());
  return push_counts(L, *counts);
}

}  // namespace

int conn_load_csv(lua_State *L) {
  Session *session = check_session(L, 1);
  luaL_checkstring(L, 2);
  luaL_checkstring(L, 3);
  luaL_checktype(L, 4, LUA_TTABLE);
  return do_load_csv(L, *session);
}

}  // namespace tide
