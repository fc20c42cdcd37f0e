// The C++ primitives behind the Lua API: the `tide.core` module. The friendly API
// (stdlib-lua/tide/*.lua) is built on these in Lua (wrk's split between script.c and
// wrk.lua). Primitives that can fail at run time return `ok, value_or_error`, where an
// error is a table {message, code, sqlstate, vendor_code, detail, hint,
// statement_offset, error_position}; misuse raises.
#pragma once

#include <lua.hpp>

#include "lua/state.h"
#include "plugin/session.h"

namespace tide {

class RowSink;

// Register the tide.Conn / tide.Rows metatables (bind_db.cpp).
void open_conn_methods(lua_State *L);

// Register package.preload["tide.core"].
void open_core(lua_State *L);

// Where tide.core.log writes; sink must outlive the state.
void set_log_sink(lua_State *L, LogSink *sink);

// Add exec and add_secret to the tide.core table on top of the stack (bind_exec.cpp).
void register_exec(lua_State *L);

// Where tide.core.add_secret sends values to mask in all output; must outlive the state.
void set_secret_sink(lua_State *L, SecretSink *sink);

// Add step_aside to the tide.core table on top of the stack (bind_aside.cpp), and say
// which LuaState it calls back through.
void register_step_aside(lua_State *L);
void set_lua_state(lua_State *L, LuaState *state);

// Push a tide.Conn userdata over session (borrowed: the caller keeps the session alive
// for as long as the state may use it; conn:close() lets go of it early).
void push_conn(lua_State *L, Session *session);

// Push an error table built from e.
void push_error(lua_State *L, const Error &e);

// Pushes `false, err` for e; returns 2 (the number of values pushed).
int push_fail(lua_State *L, const Error &e);

// The session behind the tide.Conn at idx (raises when it is not one, or is closed).
Session *check_session(lua_State *L, int idx);

// conn:upsert(table, rows, spec) and conn:load_csv(table, path, spec) (bind_upsert.cpp,
// bind_csv.cpp): `true, {inserted, updated, unchanged}` or `false, err`.
int conn_upsert(lua_State *L);
int conn_load_csv(lua_State *L);

// Where row counts, progress and SQL checks go while a seed runs (null: nowhere). The
// sink must outlive its use; the seed runner clears it when the seed ends.
void set_row_sink(lua_State *L, RowSink *sink);
RowSink *row_sink(lua_State *L);

// The value at idx as a bound parameter: nil and db.NULL are NULL, booleans, numbers
// (integral ones as integers) and strings (pointing into Lua's string). False for any
// other type.
bool lua_to_value(lua_State *L, int idx, tide_value &out);

// The sentinel db.NULL (a light userdata), which stands for SQL NULL in rows.
bool is_null_sentinel(lua_State *L, int idx);

}  // namespace tide
