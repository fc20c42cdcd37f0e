// The hooks a project defines (SPEC §6), in tide.lua (`hooks = {...}`) and as files
// (hooks/<event>.lua, hooks/<event>.sql), loaded and env-gated once per command, and run
// with a context table when the runner (or seeds) calls Hooks::run.
//
// In tide.lua an event maps to a function(ctx), a table {env = EXPR, run = function},
// or a list of those. hooks/<event>.lua returns a function or {env =, run =};
// hooks/<event>.sql is SQL with an optional `-- tide:env EXPR` line. For one event,
// tide.lua's hooks run first (in list order), then the .lua file, then the .sql file.
//
// A hook runs on the run's own connection (ctx.db), outside any transaction except
// the one of `up --single-transaction`, while the run holds the migration lock: the
// lock belongs to this connection, so SQL in a hook cannot wait on it.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lua/state.h"
#include "migrate/hooks.h"
#include "migrate/reporter.h"
#include "plugin/session.h"

namespace tide {

struct HookSettings {
  std::string environment;
  std::string redacted_url;
  std::filesystem::path hooks_dir = "hooks";  // relative to the project folder
  std::string config_display = "tide.lua";
};

class LuaHooks : public Hooks {
 public:
  // Reads tide.lua's hooks (left in the registry by load_config) and hooks_dir. Bad
  // input is a config error (exit 2) naming the file.
  static Result<std::unique_ptr<LuaHooks>> load(LuaState &lua, Session &session, Reporter &reporter,
                                                HookSettings settings);
  ~LuaHooks() override;
  LuaHooks(const LuaHooks &) = delete;
  LuaHooks &operator=(const LuaHooks &) = delete;

  Status run(HookEvent event, const HookContext &ctx) override;
  bool empty() const override;
  size_t count(HookEvent event) const { return hooks_[static_cast<int>(event)].size(); }

 private:
  struct Hook {
    std::string source;  // "tide.lua", "hooks/before_migrate.lua"
    int fn_ref = -2;     // LUA_NOREF for SQL hooks
    std::string sql;     // the script of a .sql hook
    size_t sql_offset = 0;
    std::string sql_text;  // the whole file, for line numbers
  };
  LuaHooks(LuaState &lua, Session &session, Reporter &reporter, HookSettings settings);
  Status add(HookEvent event, Hook hook, const std::optional<std::string> &gate, const std::string &where);
  Status read_config_entry(HookEvent event, int index, const std::string &where);
  Status read_file(const std::filesystem::path &path);
  Status run_lua(const Hook &h, HookEvent event, const HookContext &ctx);
  Status run_sql(const Hook &h);
  void push_context(HookEvent event, const HookContext &ctx);

  LuaState &lua_;
  Session &session_;
  Reporter &reporter_;
  HookSettings settings_;
  std::vector<Hook> hooks_[kHookEventCount];
  int state_ref_;  // ctx.state: one table shared by every hook of the command
};

}  // namespace tide
