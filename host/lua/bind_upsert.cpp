// conn:upsert(table, rows, spec): the primitive under db:upsert and db:insert. It checks
// every row in the host before anything reaches the driver — an array of row tables,
// one column set, key columns present and not NULL, bindable values only — so a bad
// row is reported by its index and column whatever the database, then streams the rows
// to the driver in batches (seed/row_writer).
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "lua/bind.h"
#include "lua/bind_rows.h"
#include "seed/row_writer.h"

namespace tide {

namespace {

// The keys of rows must be 1..n: anything else is not an array of rows (a single row
// passed without its wrapping table, most often).
std::string check_array(lua_State *L, int rows, size_t n) {
  lua_pushnil(L);
  while (lua_next(L, rows) != 0) {
    lua_pop(L, 1);
    bool index = lua_type(L, -1) == LUA_TNUMBER && lua_tonumber(L, -1) >= 1 &&
                 lua_tonumber(L, -1) <= static_cast<double>(n) &&
                 lua_tonumber(L, -1) == static_cast<double>(static_cast<size_t>(lua_tonumber(L, -1)));
    if (!index) {
      std::string key = lua_type(L, -1) == LUA_TSTRING ? fmt::format("\"{}\"", lua_tostring(L, -1))
                                                       : std::string(luaL_typename(L, -1));
      lua_pop(L, 1);
      return fmt::format(
          "rows must be an array of row tables, but it has the key {} (to write one row, wrap it: {{ {{...}} }})", key);
    }
  }
  return {};
}

// The column names of the first row, sorted (pairs() order is not stable).
std::string columns_of_first_row(lua_State *L, int rows, std::vector<std::string> &out) {
  lua_rawgeti(L, rows, 1);
  if (!lua_istable(L, -1)) {
    std::string got = luaL_typename(L, -1);
    lua_pop(L, 1);
    return fmt::format("row 1 is a {}, not a table of column = value", got);
  }
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {
    lua_pop(L, 1);
    if (lua_type(L, -1) != LUA_TSTRING) {
      std::string got = luaL_typename(L, -1);
      lua_pop(L, 2);
      return fmt::format("row 1: column names must be strings (found a {} key)", got);
    }
    out.emplace_back(lua_tostring(L, -1));
  }
  lua_pop(L, 1);
  std::sort(out.begin(), out.end());
  return {};
}

// Reads row i (a table at the top of the stack) into values, in column order.
std::string read_row(lua_State *L, size_t i, const UpsertSpec &spec, bool listed, std::vector<tide_value> &values,
                     std::vector<char> &seen) {
  const std::vector<std::string> &cols = spec.columns;
  std::fill(seen.begin(), seen.end(), 0);
  int row = lua_gettop(L);
  lua_pushnil(L);
  while (lua_next(L, row) != 0) {
    size_t klen = 0;
    const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tolstring(L, -2, &klen) : nullptr;
    size_t c = 0;
    while (c < cols.size() && !(k && cols[c].size() == klen && std::memcmp(cols[c].data(), k, klen) == 0)) ++c;
    if (c == cols.size()) {
      std::string name = k ? fmt::format("\"{}\"", k) : fmt::format("a {} key", luaL_typename(L, -2));
      lua_pop(L, 2);
      return fmt::format("row {} has column {}, which {}", i, name,
                         listed ? "is not in `columns`" : "row 1 does not have; every row needs the same columns");
    }
    if (!lua_to_value(L, -1, values[c])) {
      std::string got = luaL_typename(L, -1);
      lua_pop(L, 2);
      return fmt::format("row {}, column \"{}\": cannot bind a {} value (use db.NULL, a boolean, a number or a string)",
                         i, cols[c], got);
    }
    if (values[c].type == TIDE_TYPE_TEXT && std::memchr(values[c].u.s.ptr, 0, values[c].u.s.len)) {
      lua_pop(L, 2);
      return fmt::format(
          "row {}, column \"{}\": the string holds a NUL byte (\\0), which tide refuses on every database "
          "(PostgreSQL cannot store it in text); encode binary data (hex, base64) first",
          i, cols[c]);
    }
    seen[c] = 1;
    lua_pop(L, 1);
  }
  for (size_t c = 0; c < cols.size(); ++c) {
    if (seen[c]) continue;
    if (std::find(spec.key.begin(), spec.key.end(), cols[c]) != spec.key.end())
      return fmt::format("row {}: key column \"{}\" is missing; every row needs its key", i, cols[c]);
    if (!listed)
      return fmt::format(
          "row {} has no column \"{}\" (row 1 has it); every row needs the same columns: write db.NULL for "
          "NULL, or list the columns in `columns` so a missing one is NULL",
          i, cols[c]);
    values[c] = tide_value{};  // NULL
  }
  for (const std::string &k : spec.key) {
    size_t c = static_cast<size_t>(std::find(cols.begin(), cols.end(), k) - cols.begin());
    if (values[c].type == TIDE_TYPE_NULL)
      return fmt::format(
          "row {}: key column \"{}\" is {}; a NULL key never matches an existing row, so the row would be inserted "
          "again on every run",
          i, k, seen[c] ? "NULL" : "missing");
  }
  return {};
}

// The work of conn_upsert; pushes `true, counts` or `false, err`. Lua errors raised here
// (memory only) would skip destructors, as everywhere in the bindings.
int do_upsert(lua_State *L, Session &session) {
  constexpr int kTable = 2, kRows = 3, kSpec = 4;
  RowsOptions o;
  UpsertSpec &spec = o.spec;
  spec.table = lua_tostring(L, kTable);
  auto fail = [&](std::string message) { return fail_rows(L, spec, message); };
  if (std::string m = read_rows_options(L, kSpec, o); !m.empty()) return fail(m);
  bool listed = o.listed;
  auto n = static_cast<size_t>(lua_objlen(L, kRows));
  if (std::string m = check_array(L, kRows, n); !m.empty()) return fail(m);
  if (n == 0) return push_counts(L, UpsertCounts{});
  if (!listed) {
    if (std::string m = columns_of_first_row(L, kRows, spec.columns); !m.empty()) return fail(m);
  }
  if (std::string m = resolve_columns(o); !m.empty()) return fail(m);
  RowWriter writer(
      session, spec, row_sink(L), spec.table, [](int64_t i) { return fmt::format("row {}", i); },
      static_cast<int64_t>(n));
  std::vector<tide_value> values(spec.columns.size());
  std::vector<char> seen(spec.columns.size());
  for (size_t i = 1; i <= n; ++i) {
    lua_rawgeti(L, kRows, static_cast<int>(i));
    if (!lua_istable(L, -1)) {
      std::string got = luaL_typename(L, -1);
      lua_pop(L, 1);
      return fail(fmt::format("row {} is a {}, not a table of column = value", i, got));
    }
    std::string m = read_row(L, i, writer.spec(), listed, values, seen);
    if (!m.empty()) {
      lua_pop(L, 1);
      return fail(m);
    }
    Status s = writer.add(values, static_cast<int64_t>(i));
    lua_pop(L, 1);
    if (!s.ok()) return push_fail(L, s.error());
  }
  if (Status s = writer.finish(); !s.ok()) return push_fail(L, s.error());
  return push_counts(L, writer.counts());
}

}  // namespace

int conn_upsert(lua_State *L) {
  Session *session = check_session(L, 1);
  luaL_checkstring(L, 2);
  luaL_checktype(L, 3, LUA_TTABLE);
  luaL_checktype(L, 4, LUA_TTABLE);
  return do_upsert(L, *session);
}

}  // namespace tide
