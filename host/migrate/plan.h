// What `up` would run, per migration, without running it (SPEC §3 `plan`, §7 lint): the
// input of `tide plan`, of `tide lint` and of the lint gate in `tide up`.
//
// SQL migrations are cut into statements by the dialect's own splitter. Lua migrations
// run their up against a recording session: every db:exec is recorded where it is
// called; a read whose result the rest of the migration may need (db:query, db:scalar,
// db:rows) is recorded, marked, and ends that migration's plan — it is never answered
// with a made-up result.
#pragma once

#include <string>
#include <vector>

#include "lua/state.h"
#include "migrate/catalog.h"
#include "migrate/migration.h"
#include "plugin/session.h"
#include "util/status.h"

namespace tide {

struct PlannedStatement {
  enum class Kind {
    kStatement,  // SQL that up runs (DDL or DML)
    kRead,       // a query whose result the migration reads (Lua); the plan stops after it
    kRows,       // rows written by db:upsert / db:insert / db:load_csv (sql: a summary)
  };
  Kind kind = Kind::kStatement;
  std::string sql;      // the statement as the splitter cut it: first token to last
  std::string leading;  // comments and blanks between the previous statement and this one
  // The last statement of a script only: the rest of the line it ends on (`DROP TABLE t;
  // -- tide:lint-ignore drop-table`), which no next statement's `leading` holds.
  std::string trailing;
  // Where sql starts in the migration's file (1-based). In a Lua migration whose SQL is
  // a literal of the file, exact too (lua_script_origin); SQL built at run time has the
  // line of the db call, and `exact` is false — lines inside it are counted from there.
  int line = 0;
  int column = 1;
  bool exact = true;
  std::string note;  // for the reader of the plan: "needs a real result", "3 rows into roles"
};

struct MigrationPlan {
  const MigrationFile *file = nullptr;  // the catalog's
  // Whether up runs it inside a transaction (with its history row).
  bool transactional = true;
  // Whether the migration asks for one (not `transaction = false` / `-- tide:no-transaction`).
  // Differs from transactional on a database without transactional DDL (MySQL), where a
  // migration that may run DDL is recorded dirty first instead.
  bool wants_transaction = true;
  bool has_down = false;
  bool irreversible = false;
  // File-wide `-- tide:lint-ignore RULE`s: in a .sql file those above `-- tide:up`, in a
  // .lua file those in the comment lines before the first line of code.
  std::vector<std::string> lint_ignore;
  std::string skipped;  // why the env gate skips it (nothing planned); empty: it runs
  std::vector<PlannedStatement> statements;
  // Non-empty: the plan ends early, and why (the read it stopped at, a Lua error).
  std::string stopped;
  bool failed = false;  // stopped by the migration's own error, not by a read: up fails too
};

// Where a script handed to the splitter starts, for its statements' positions.
struct ScriptOrigin {
  // Exact positions: the script is file_text.substr(offset, ...) (a .sql section).
  std::string_view file_text;
  size_t offset = 0;
  // Otherwise (file_text empty): the line of the Lua call that passed the script; lines
  // inside it are counted from there, and the statements are marked not exact.
  int line = 0;
};

// Where a script that a Lua migration (its file's text: source) passed to a db call on
// call_line starts. When the script is a literal of the file — it occurs there verbatim,
// on lines that include call_line (Lua reports a call on the line its arguments end when
// they are a long string) — positions are exact; otherwise they count from call_line.
ScriptOrigin lua_script_origin(std::string_view source, std::string_view script, int call_line);

// The `--` comment lines of a Lua file's text (source) right above its 1-based line, as
// one text ("-- a\n-- b\n"): what a statement's `leading` gets from the Lua around a call.
// Block comments (`--[[`) end the search.
std::string lua_comments_above(std::string_view source, int line);

// The statements of script as the dialect's splitter cuts them, with leading text and
// positions (see PlannedStatement). No connection is needed.
std::vector<PlannedStatement> cut_statements(std::string_view script, const Dialect &dialect,
                                             const ScriptOrigin &origin);

// Plans m's direction dir without a database: nothing is sent anywhere. dialect splits the
// SQL (it needs no connection); lua is the state m was loaded in. server_version is what
// db:server_version() answers in a Lua migration (empty: unknown, offline).
Result<MigrationPlan> plan_migration(Migration &m, Direction dir, LuaState &lua, const Dialect &dialect,
                                     const std::string &server_version = {});

}  // namespace tide
