// What db:upsert, db:insert and db:load_csv share in the bindings: the options table
// that tide/db.lua normalises ({mode, key, update, columns}), checked against the
// columns once they are known, and the counts handed back to Lua.
#pragma once

#include <lua.hpp>
#include <string>

#include "plugin/session.h"
#include "seed/row_writer.h"

namespace tide {

// Reads {mode = "insert"|"update"|"ignore", key = {...}, update = {...} | nil (all),
// columns = {...} | nil} at idx. Returns a message for what is wrong, else "".
std::string read_rows_options(lua_State *L, int idx, RowsOptions &out);

// Pushes `false, err` for a misuse message about spec ("upsert: ..."); returns 2.
int fail_rows(lua_State *L, const UpsertSpec &spec, const std::string &message);

// Pushes `true, {inserted = , updated = , unchanged = }`; returns 2.
int push_counts(lua_State *L, const UpsertCounts &c);

}  // namespace tide
