// The database a Lua migration talks to while it is planned (migrate/plan.h): a Session
// that records what the migration asks for and sends nothing anywhere, so a plan needs no
// connection at all.
//
// - exec(script): each statement of the script (cut by the dialect's splitter) is
//   recorded where the migration has it: in the SQL literal of the file, or at the line
//   of the db:exec call (found on the Lua stack) when the SQL is built at run time.
// - query(): a parameterised db:exec is recorded as a statement; a read (db:query,
//   db:scalar, db:rows — they ask for the result's columns, db:exec does not) is recorded
//   as a read and ends the plan: the migration gets an error instead of made-up rows,
//   and every later call fails the same way, so nothing after the read is recorded.
// - upsert(): one entry "upsert of N rows into T" (batches of one call are merged).
// - begin/commit/rollback: recorded and tracked; lock, dump and disconnect are not
//   something a migration does, and fail.
// - tide.exec: while an ExecOverride with stop_command is alive, running a command
//   records it and ends the plan the way a read does.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "lua/state.h"
#include "migrate/catalog.h"
#include "migrate/plan.h"
#include "plugin/session.h"

namespace tide {

class RecordingSession : public Session {
 public:
  // file: the migration (its display name is its chunk name on the Lua stack).
  // in_transaction: whether up would run it inside a transaction (db:transaction then
  // uses savepoints, as it would for real).
  RecordingSession(const Dialect &dialect, LuaState &lua, const MigrationFile &file, std::string_view source,
                   std::string server_version, bool in_transaction);

  const Dialect &dialect() const override { return dialect_; }
  std::string server_version() override { return server_version_; }
  Status exec(std::string_view script) override;
  Result<std::unique_ptr<Cursor>> query(std::string_view sql, std::span<const tide_value> params) override;
  Status begin() override;
  Status commit() override;
  Status rollback() override;
  bool in_transaction() override { return in_transaction_; }
  Status lock(std::string_view key, int64_t timeout_ms) override;
  Status unlock(std::string_view key) override;
  Status disconnect() override;
  Status reconnect() override;
  Status dump(const DumpWriter &write) override;
  // Counts are all zero: a plan does not know which rows exist.
  Status upsert(const UpsertSpec &spec, std::span<const tide_value> values, size_t nrows,
                UpsertCounts &counts) override;
  bool can_upsert() const override { return true; }

  // The migration runs a command (tide.exec; argv joined by spaces): recorded, and the
  // plan stops. Returns the error the migration gets.
  Error command(std::string_view argv);
  // tide.core.exec while a plan runs (an ExecOverride's fn; upvalue 1: this session).
  static int stop_command(lua_State *L);

  std::vector<PlannedStatement> &statements() { return statements_; }
  // Non-empty once the plan has stopped: why, for MigrationPlan::stopped.
  const std::string &stopped() const { return stopped_; }

 private:
  friend class RecordingCursor;
  void mark_read(size_t index);  // the statement at index is a read: stop there
  Error stop_error() const;
  Status transaction_control(const char *sql, bool in_transaction_after);
  Status not_in_a_migration(const char *what) const;
  ScriptOrigin origin(std::string_view script) const;

  const Dialect &dialect_;
  LuaState &lua_;
  const MigrationFile &file_;
  std::string_view source_;  // the migration file's text, to find the SQL literals in
  std::string server_version_;
  bool in_transaction_;
  std::vector<PlannedStatement> statements_;
  std::string stopped_;
  // The last upsert's table and mode, to merge one call's batches into one entry.
  std::string last_rows_key_;
  size_t last_rows_ = 0;
};

// While alive, tide.exec (tide.core.exec underneath, so the snapshot providers too)
// calls fn, with upvalue as its first upvalue, instead of running a command; the real
// function is put back by the destructor. A plan records the command and stops
// (RecordingSession::stop_command); a dry run refuses it (RehearsalSession).
// quiet (plans): tide.sleep returns at once and tide.log / print() print nothing, since
// the migration's up runs for real later (tide up plans before it applies, for lint).
class ExecOverride {
 public:
  ExecOverride(LuaState &lua, lua_CFunction fn, void *upvalue, bool quiet = false);
  ~ExecOverride();
  ExecOverride(const ExecOverride &) = delete;
  ExecOverride &operator=(const ExecOverride &) = delete;
  Status status() const { return status_; }  // installing failed: tide.exec is unchanged

 private:
  LuaState &lua_;
  int core_ref_ = LUA_NOREF;  // the tide.core table
  int exec_ref_ = LUA_NOREF;  // its real exec
  int sleep_ref_ = LUA_NOREF;  // its real sleep and log, when quiet
  int log_ref_ = LUA_NOREF;
  Status status_;
};

// The argument vector of tide.core.exec (a table of strings at idx) as one line.
std::string argv_text(lua_State *L, int idx);

// The line of the innermost frame on L's stack that runs code of the chunk "@display"
// (the migration's file): where it called into tide. 0 when none does.
int chunk_line(lua_State *L, const std::string &display);

}  // namespace tide
