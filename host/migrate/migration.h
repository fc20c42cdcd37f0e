// A loaded migration: its parsed file (Lua table or SQL sections), its flags, and how to
// run it in each direction. Loaded one at a time by the runner and dropped after use.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lua/state.h"
#include "migrate/catalog.h"
#include "migrate/sql_file.h"
#include "plugin/session.h"

namespace tide {

enum class Direction { kUp, kDown };

class Migration {
 public:
  virtual ~Migration() = default;

  const MigrationFile &file() const { return file_; }
  // SHA-256 of the file (line endings normalised), computed on first use: a run that
  // only checks a file's gate never pays for it.
  const std::string &checksum() const;
  size_t source_bytes() const { return source_.size(); }
  std::string_view source() const { return source_; }  // the file's text
  bool transactional() const { return transactional_; }
  bool irreversible() const { return irreversible_; }
  bool has_down() const { return has_down_; }
  const std::optional<std::string> &env() const { return env_; }
  // Where the gate is written, for errors: "file:line" for SQL, the file for Lua.
  std::string env_where() const {
    return env_line_ > 0 ? file_.display + ":" + std::to_string(env_line_) : file_.display;
  }
  const std::string &description() const { return description_; }
  // File-wide `-- tide:lint-ignore` rules (SPEC §2): in a .sql file those above
  // `-- tide:up`, in a .lua file those in its comment lines before the first line of code.
  const std::vector<std::string> &lint_ignore() const { return lint_ignore_; }

  // A .sql migration's SQL for one direction: the script, the file's whole text and the
  // script's offset in it (to map a statement to a line). nullopt for a Lua migration or
  // a direction the file has no section for.
  struct SqlScript {
    std::string_view script;
    std::string_view file_text;
    size_t offset = 0;
  };
  virtual std::optional<SqlScript> sql_script(Direction) const { return std::nullopt; }

  // Whether this direction is known, before it runs, to change rows only (no DDL, nothing
  // that commits by itself): SQL files whose statements are all INSERT/UPDATE/DELETE/...
  // (migrate/statement_kind). What a Lua migration will run cannot be known: false.
  virtual bool changes_rows_only(Direction, const Dialect &) const { return false; }

  // Run one direction on session. Errors carry the file and line of the failure.
  virtual Status run(Direction dir, Session &session) = 0;

  // A Lua migration's own on_error(db, err), run after its up failed (SPEC §2).
  bool has_on_error() const { return has_on_error_; }
  virtual Status on_error(Session &, const Error &) { return {}; }

 protected:
  explicit Migration(const MigrationFile &file) : file_(file) {}
  const MigrationFile &file_;  // the catalog's, which outlives every loaded migration
  std::string source_;         // the file's text
  mutable std::string checksum_;
  bool transactional_ = true;
  bool irreversible_ = false;
  bool has_down_ = false;
  bool has_on_error_ = false;
  std::optional<std::string> env_;
  int env_line_ = 0;
  std::string description_;
  std::vector<std::string> lint_ignore_;
};

// Read and parse file, which must outlive the migration (the catalog's files do). Lua
// migrations are evaluated in lua (their chunk runs once here).
Result<std::unique_ptr<Migration>> load_migration(const MigrationFile &file, LuaState &lua, const Dialect &dialect);

// The checksum of file without parsing it (status, validation of applied files).
Result<std::string> file_checksum(const MigrationFile &file);

// Pushes the `db` object for session (cached per state and session).
Status push_db(LuaState &lua, Session &session);
// Drops that cache entry: for a session that ends before the state does (a plan's
// recording session, a dry run's), so no db object outlives it or piles up.
void forget_db(LuaState &lua, Session &session);

// Run a Lua file's chunk (text, shown as display) and keep the table it returns in the
// registry: its reference. Errors are validation errors (exit 5) naming the file; what
// ("a migration") and hint say what the file should return.
Result<int> load_lua_table(LuaState &lua, std::string_view text, const std::string &display, const char *what,
                           const char *hint);

// An env gate written in a Lua file's table as a string, or as a list of names (any of
// them); nullopt for anything else. Shared by migrations and seeds.
std::optional<std::string> env_gate_of(lua_State *L, int idx);

// A driver error on a script that starts at byte `base` of file's text, turned into one
// that names the file's line and the failing statement (its number and first line).
Error locate_sql_error(Error e, const MigrationFile &file, std::string_view text, size_t base, std::string_view script,
                       const Dialect &dialect);

// Pushes an error as the table a hook or on_error gets: message, code, sqlstate, where,
// file, line, statement, detail, hint.
void push_error_for_lua(lua_State *L, const Error &e);

}  // namespace tide
