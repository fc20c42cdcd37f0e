// tide.Conn and tide.Rows: the database primitives under stdlib-lua/tide/db.lua.
// Every method that touches the database returns `true, result` or `false, err`; the
// Lua side raises with the caller's file and line. Parameters are always bound.
#include <cmath>
#include <string>
#include <vector>

#include "lua/bind.h"
#include "seed/row_writer.h"

namespace tide {

namespace {

constexpr const char *kConnMeta = "tide.Conn";
constexpr const char *kRowsMeta = "tide.Rows";

struct Conn {
  Session *session;  // borrowed; null once closed
};

// One statement at a time per session: the session itself ends an unfinished db:rows
// loop when the next statement starts (PluginSession), and stepping it then says so.
struct Rows {
  Cursor *cursor;  // owned; null once closed
  int ncols;
};

void close_rows(Rows *r) {
  delete r->cursor;
  r->cursor = nullptr;
}

Conn *check_conn(lua_State *L) {
  auto *c = static_cast<Conn *>(luaL_checkudata(L, 1, kConnMeta));
  if (!c->session) luaL_error(L, "the database connection is closed");
  return c;
}

// check_conn plus the SQL argument, checked here where no C++ object is live yet.
Conn *check_sql_call(lua_State *L) {
  Conn *c = check_conn(L);
  luaL_checkstring(L, 2);
  return c;
}

// Collect bound parameters from stack slots first..top. Returns an empty string or the
// misuse message (raised by the caller once no C++ object is live).
std::string collect_params(lua_State *L, int first, std::vector<tide_value> &out) {
  int top = lua_gettop(L);
  for (int i = first; i <= top; ++i) {
    tide_value v{};
    if (!lua_to_value(L, i, v))
      return std::string("parameter ") + std::to_string(i - first + 1) + ": cannot bind a " + luaL_typename(L, i) +
             " value (use nil, a boolean, a number or a string)";
    out.push_back(v);
  }
  return {};
}

void push_value(lua_State *L, const tide_value &v) {
  switch (v.type) {
    case TIDE_TYPE_INT:
      // Integers beyond 2^53 do not fit a Lua number exactly: hand them over as text.
      if (v.u.i > (int64_t{1} << 53) || v.u.i < -(int64_t{1} << 53))
        lua_pushstring(L, std::to_string(v.u.i).c_str());
      else
        lua_pushnumber(L, static_cast<double>(v.u.i));
      break;
    case TIDE_TYPE_FLOAT:
      lua_pushnumber(L, v.u.f);
      break;
    case TIDE_TYPE_BOOL:
      lua_pushboolean(L, v.u.i != 0);
      break;
    case TIDE_TYPE_TEXT:
    case TIDE_TYPE_BLOB:
      lua_pushlstring(L, v.u.s.ptr, v.u.s.len);
      break;
    default:
      lua_pushnil(L);
  }
}

// Pushes the current row as a table keyed by column name.
void push_row(lua_State *L, Cursor &cur, int ncols) {
  lua_createtable(L, 0, ncols);
  for (int i = 0; i < ncols; ++i) {
    std::string name = cur.column_name(i);
    lua_pushlstring(L, name.data(), name.size());
    push_value(L, cur.column(i));
    lua_rawset(L, -3);
  }
}

// What a method did: pushed results (n > 0), or a misuse message to raise.
struct Outcome {
  int n = 0;
  std::string misuse;
};

int finish(lua_State *L, Outcome &&o) {
  if (o.misuse.empty()) return o.n;
  // Level 2: the user's line that called the tide.db method that called us.
  luaL_where(L, 2);
  lua_pushstring(L, o.misuse.c_str());
  lua_concat(L, 2);
  o.misuse.clear();
  o.misuse.shrink_to_fit();
  return lua_error(L);
}

// While a seed runs in a protected environment, SQL that deletes rows is refused (the
// seed runner's RowSink decides). Returns true, with `false, err` pushed, when refused.
bool refused(lua_State *L, std::string_view sql) {
  RowSink *sink = row_sink(L);
  if (!sink) return false;
  std::string why = sink->check_sql(sql);
  if (why.empty()) return false;
  Error e;
  e.exit = Exit::kUsage;
  e.message = std::move(why);
  e.hint = "pass --yes to allow it (protected environments are set by `protected` in tide.lua)";
  push_fail(L, e);
  return true;
}

// Runs the query at stack slot 2 with the parameters after it. On failure, cur stays
// empty and the returned Outcome says what to return (`false, err`, or a misuse).
Outcome start_query(lua_State *L, Conn *c, std::unique_ptr<Cursor> &cur) {
  size_t len = 0;
  const char *sql = lua_tolstring(L, 2, &len);  // checked by check_sql_call
  if (refused(L, std::string_view(sql, len))) return {2, {}};
  std::vector<tide_value> params;
  if (std::string m = collect_params(L, 3, params); !m.empty()) return {0, m};
  auto started = c->session->query(std::string_view(sql, len), params);
  if (!started) return {push_fail(L, started.error()), {}};
  cur = std::move(*started);
  return {};
}

Outcome do_exec(lua_State *L, Conn *c) {
  if (lua_gettop(L) == 2) {
    size_t len = 0;
    const char *sql = lua_tolstring(L, 2, &len);  // checked by check_sql_call
    if (refused(L, std::string_view(sql, len))) return {2, {}};
    Status s = c->session->exec(std::string_view(sql, len));
    if (!s.ok()) return {push_fail(L, s.error()), {}};
    lua_pushboolean(L, 1);
    return {1, {}};
  }
  std::unique_ptr<Cursor> cur;
  if (Outcome o = start_query(L, c, cur); !cur) return o;
  Result<bool> more = cur->step();
  while (more && *more) more = cur->step();
  if (!more) return {push_fail(L, more.error()), {}};
  lua_pushboolean(L, 1);
  lua_pushnumber(L, static_cast<double>(cur->changes()));
  return {2, {}};
}

Outcome do_query(lua_State *L, Conn *c, bool scalar) {
  std::unique_ptr<Cursor> cur;
  if (Outcome o = start_query(L, c, cur); !cur) return o;
  int ncols = cur->column_count();
  lua_pushboolean(L, 1);
  if (!scalar) lua_newtable(L);
  int n = 0;
  for (;;) {
    Result<bool> more = cur->step();
    if (!more) {
      lua_pop(L, scalar ? 1 : 2);
      return {push_fail(L, more.error()), {}};
    }
    if (!*more) break;
    if (scalar) {
      if (n++ == 0) push_value(L, ncols > 0 ? cur->column(0) : null_value());
      continue;
    }
    push_row(L, *cur, ncols);
    lua_rawseti(L, -2, ++n);
  }
  if (scalar && n == 0) lua_pushnil(L);
  return {2, {}};
}

Outcome do_rows(lua_State *L, Conn *c) {
  std::unique_ptr<Cursor> cur;
  if (Outcome o = start_query(L, c, cur); !cur) return o;
  lua_pushboolean(L, 1);
  auto *r = static_cast<Rows *>(lua_newuserdata(L, sizeof(Rows)));
  r->ncols = cur->column_count();
  r->cursor = cur.release();
  luaL_getmetatable(L, kRowsMeta);
  lua_setmetatable(L, -2);
  // Keep the connection userdata alive while the rows are.
  lua_createtable(L, 1, 0);
  lua_pushvalue(L, 1);
  lua_rawseti(L, -2, 1);
  lua_setfenv(L, -2);
  return {2, {}};
}

int conn_exec(lua_State *L) { return finish(L, do_exec(L, check_sql_call(L))); }
int conn_query(lua_State *L) { return finish(L, do_query(L, check_sql_call(L), false)); }
int conn_scalar(lua_State *L) { return finish(L, do_query(L, check_sql_call(L), true)); }
int conn_rows(lua_State *L) { return finish(L, do_rows(L, check_sql_call(L))); }

Outcome do_tx(lua_State *L, Conn *c, Status (Session::*op)()) {
  Status s = (c->session->*op)();
  if (!s.ok()) return {push_fail(L, s.error()), {}};
  lua_pushboolean(L, 1);
  return {1, {}};
}

int conn_begin(lua_State *L) { return finish(L, do_tx(L, check_conn(L), &Session::begin)); }
int conn_commit(lua_State *L) { return finish(L, do_tx(L, check_conn(L), &Session::commit)); }
int conn_rollback(lua_State *L) { return finish(L, do_tx(L, check_conn(L), &Session::rollback)); }

int conn_in_transaction(lua_State *L) {
  lua_pushboolean(L, check_conn(L)->session->in_transaction());
  return 1;
}

int conn_quote_ident(lua_State *L) {
  Conn *c = check_conn(L);
  size_t len = 0;
  const char *s = luaL_checklstring(L, 2, &len);
  std::string q = c->session->dialect().quote_ident(std::string_view(s, len));
  lua_pushlstring(L, q.data(), q.size());
  return 1;
}

int conn_dialect(lua_State *L) {
  lua_pushstring(L, check_conn(L)->session->dialect().name().c_str());
  return 1;
}

int conn_server_version(lua_State *L) {
  lua_pushstring(L, check_conn(L)->session->server_version().c_str());
  return 1;
}

int conn_capabilities(lua_State *L) {
  const Dialect &d = check_conn(L)->session->dialect();
  lua_createtable(L, 0, 5);
  auto flag = [&](const char *name, uint32_t cap) {
    lua_pushboolean(L, d.has(cap));
    lua_setfield(L, -2, name);
  };
  flag("transactional_ddl", TIDE_CAP_TRANSACTIONAL_DDL);
  flag("savepoints", TIDE_CAP_SAVEPOINTS);
  flag("server_lock", TIDE_CAP_SERVER_LOCK);
  flag("concurrent_index", TIDE_CAP_CONCURRENT_INDEX);
  flag("embedded", TIDE_CAP_EMBEDDED);
  return 1;
}

// close() and __gc: the session belongs to the host, so closing only lets go of it.
// Safe to run twice.
int conn_close(lua_State *L) {
  auto *c = static_cast<Conn *>(luaL_checkudata(L, 1, kConnMeta));
  c->session = nullptr;
  return 0;
}

int rows_next(lua_State *L) {
  auto *r = static_cast<Rows *>(luaL_checkudata(L, 1, kRowsMeta));
  if (!r->cursor) {
    lua_pushboolean(L, 1);
    lua_pushnil(L);
    return 2;
  }
  Result<bool> more = r->cursor->step();
  if (!more) {
    Error e = more.error();
    close_rows(r);
    return push_fail(L, e);
  }
  lua_pushboolean(L, 1);
  if (!*more) {
    close_rows(r);
    lua_pushnil(L);
  } else {
    push_row(L, *r->cursor, r->ncols);
  }
  return 2;
}

int rows_close(lua_State *L) {
  close_rows(static_cast<Rows *>(luaL_checkudata(L, 1, kRowsMeta)));
  return 0;
}

void new_meta(lua_State *L, const char *name, const luaL_Reg *methods, lua_CFunction gc) {
  luaL_newmetatable(L, name);
  lua_newtable(L);
  luaL_register(L, nullptr, methods);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, gc);
  lua_setfield(L, -2, "__gc");
  lua_pop(L, 1);
}

}  // namespace

int push_fail(lua_State *L, const Error &e) {
  lua_pushboolean(L, 0);
  push_error(L, e);
  return 2;
}

bool lua_to_value(lua_State *L, int idx, tide_value &v) {
  v = tide_value{};
  switch (lua_type(L, idx)) {
    case LUA_TNIL:
      v.type = TIDE_TYPE_NULL;
      return true;
    case LUA_TBOOLEAN:
      v.type = TIDE_TYPE_BOOL;
      v.u.i = lua_toboolean(L, idx);
      return true;
    case LUA_TNUMBER: {
      double d = lua_tonumber(L, idx);
      if (std::floor(d) == d && std::fabs(d) < 9.2e18) {
        v.type = TIDE_TYPE_INT;
        v.u.i = static_cast<int64_t>(d);
      } else {
        v.type = TIDE_TYPE_FLOAT;
        v.u.f = d;
      }
      return true;
    }
    case LUA_TSTRING: {
      size_t len = 0;
      v.u.s.ptr = lua_tolstring(L, idx, &len);
      v.u.s.len = len;
      v.type = TIDE_TYPE_TEXT;
      return true;
    }
    default:
      if (!is_null_sentinel(L, idx)) return false;
      v.type = TIDE_TYPE_NULL;
      return true;
  }
}

void open_conn_methods(lua_State *L) {
  static const luaL_Reg kConn[] = {{"exec", conn_exec},
                                   {"query", conn_query},
                                   {"scalar", conn_scalar},
                                   {"rows", conn_rows},
                                   {"begin", conn_begin},
                                   {"commit", conn_commit},
                                   {"rollback", conn_rollback},
                                   {"in_transaction", conn_in_transaction},
                                   {"quote_ident", conn_quote_ident},
                                   {"dialect", conn_dialect},
                                   {"server_version", conn_server_version},
                                   {"capabilities", conn_capabilities},
                                   {"close", conn_close},
                                   {"upsert", conn_upsert},
                                   {"load_csv", conn_load_csv},
                                   {nullptr, nullptr}};
  static const luaL_Reg kRows[] = {{"next", rows_next}, {"close", rows_close}, {nullptr, nullptr}};
  new_meta(L, kConnMeta, kConn, conn_close);
  new_meta(L, kRowsMeta, kRows, rows_close);
}

Session *check_session(lua_State *L, int idx) {
  auto *c = static_cast<Conn *>(luaL_checkudata(L, idx, kConnMeta));
  if (!c->session) luaL_error(L, "the database connection is closed");
  return c->session;
}

void push_conn(lua_State *L, Session *session) {
  auto *c = static_cast<Conn *>(lua_newuserdata(L, sizeof(Conn)));
  c->session = session;
  luaL_getmetatable(L, kConnMeta);
  lua_setmetatable(L, -2);
}

}  // namespace tide
