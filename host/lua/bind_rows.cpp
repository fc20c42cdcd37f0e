#include "lua/bind_rows.h"

#include <fmt/format.h>

#include "lua/bind.h"

namespace tide {

namespace {

// A list of strings in field `name` of the table at idx (absent: empty, present = true).
std::string read_names(lua_State *L, int idx, const char *name, std::vector<std::string> &out, bool &present) {
  lua_getfield(L, idx, name);
  present = !lua_isnil(L, -1);
  if (present && !lua_istable(L, -1)) {
    lua_pop(L, 1);
    return fmt::format("`{}` must be a list of column names", name);
  }
  for (int i = 1; present; ++i) {
    lua_rawgeti(L, -1, i);
    if (lua_isnil(L, -1)) {
      lua_pop(L, 1);
      break;
    }
    if (lua_type(L, -1) != LUA_TSTRING) {
      lua_pop(L, 2);
      return fmt::format("`{}` must be a list of column names (item {} is not a string)", name, i);
    }
    out.emplace_back(lua_tostring(L, -1));
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  return {};
}

}  // namespace

std::string read_rows_options(lua_State *L, int idx, RowsOptions &o) {
  lua_getfield(L, idx, "mode");
  std::string mode = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
  lua_pop(L, 1);
  UpsertSpec &spec = o.spec;
  spec.mode = mode == "update" ? TIDE_UPSERT_UPDATE : mode == "ignore" ? TIDE_UPSERT_IGNORE : TIDE_UPSERT_INSERT;
  bool present = false;
  if (std::string m = read_names(L, idx, "key", spec.key, present); !m.empty()) return m;
  if (std::string m = read_names(L, idx, "update", spec.update, present); !m.empty()) return m;
  o.update_all = spec.mode == TIDE_UPSERT_UPDATE && !present;
  if (std::string m = read_names(L, idx, "columns", spec.columns, o.listed); !m.empty()) return m;
  if (o.listed && spec.columns.empty()) return "`columns` is empty";
  if (spec.mode != TIDE_UPSERT_INSERT && spec.key.empty())
    return "`key` must name the columns of a primary key or unique index, e.g. {key = {\"id\"}}";
  return {};
}

int fail_rows(lua_State *L, const UpsertSpec &spec, const std::string &message) {
  Error e;
  e.message =
      fmt::format("{} {}: {}", spec.mode == TIDE_UPSERT_INSERT ? "insert into" : "upsert into", spec.table, message);
  return push_fail(L, e);
}

int push_counts(lua_State *L, const UpsertCounts &c) {
  lua_pushboolean(L, 1);
  lua_createtable(L, 0, 3);
  lua_pushnumber(L, static_cast<double>(c.inserted));
  lua_setfield(L, -2, "inserted");
  lua_pushnumber(L, static_cast<double>(c.updated));
  lua_setfield(L, -2, "updated");
  lua_pushnumber(L, static_cast<double>(c.unchanged));
  lua_setfield(L, -2, "unchanged");
  return 2;
}

}  // namespace tide
