// The session a migration runs on during `tide up --dry-run` (runner_dry_run.cpp): the
// real connection, inside the one transaction the dry run rolls back, with three
// differences. Scripts run statement by statement (cut by the dialect's splitter), each
// timed and reported with its file:line. A statement that would end or start a
// transaction (COMMIT, ROLLBACK, BEGIN, ...; migrate/statement_kind) is never sent, and
// neither are db:begin/commit/rollback: a dry run can never commit. And should anything
// end the transaction anyway, the next check says so before another statement runs.
// tide.exec is refused too (refuse_command): what a command does is not rolled back.
#pragma once

#include <optional>
#include <string>

#include "lua/state.h"
#include "migrate/migration.h"
#include "migrate/reporter.h"
#include "plugin/session.h"

namespace tide {

class RehearsalSession : public Session {
 public:
  RehearsalSession(Session &inner, Reporter &reporter, LuaState &lua) : inner_(inner), reporter_(reporter), lua_(lua) {}

  // The migration whose statements come next: their positions are in its file.
  void start(const Migration &m) { migration_ = &m; }
  size_t statements_run() const { return statements_run_; }

  const Dialect &dialect() const override { return inner_.dialect(); }
  std::string server_version() override { return inner_.server_version(); }
  Status exec(std::string_view script) override;
  Result<std::unique_ptr<Cursor>> query(std::string_view sql, std::span<const tide_value> params) override;
  Status begin() override { return refuse("db:begin()"); }
  Status commit() override { return refuse("db:commit()"); }
  Status rollback() override { return refuse("db:rollback()"); }
  bool in_transaction() override { return inner_.in_transaction(); }
  Status lock(std::string_view, int64_t) override { return refuse("taking a lock"); }
  Status unlock(std::string_view) override { return refuse("releasing a lock"); }
  Status disconnect() override { return refuse("disconnecting"); }
  Status reconnect() override { return refuse("reconnecting"); }
  Status dump(const DumpWriter &) override { return refuse("a schema dump"); }
  Status upsert(const UpsertSpec &spec, std::span<const tide_value> values, size_t nrows,
                UpsertCounts &counts) override;
  bool can_upsert() const override { return inner_.can_upsert(); }

  // tide.core.exec during a dry run (an ExecOverride's fn; upvalue 1: this session):
  // refused, because a command's effects are outside the transaction that is rolled back.
  static int refuse_command(lua_State *L);

 private:
  Status refuse(const char *what) const;
  Error command_refused(std::string_view argv) const;
  // Before a statement: refused when it is transaction control. After: the transaction
  // must still be open.
  Status check_statement(std::string_view sql) const;
  Status check_still_open() const;
  std::string where(int line) const;
  int lua_line() const;

  Session &inner_;
  Reporter &reporter_;
  LuaState &lua_;
  const Migration *migration_ = nullptr;
  size_t statements_run_ = 0;
};

}  // namespace tide
