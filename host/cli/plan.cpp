#include "cli/plan.h"

#include <fmt/format.h>

#include "cli/commands.h"
#include "migrate/env_gate.h"
#include "util/text.h"

namespace tide {

namespace {

// A migration its env gate skips: nothing planned, its flags still there for lint.
MigrationPlan skipped_plan(const Migration &m, std::string why) {
  MigrationPlan p;
  p.file = &m.file();
  p.has_down = m.has_down();
  p.irreversible = m.irreversible();
  p.lint_ignore = m.lint_ignore();
  p.wants_transaction = p.transactional = m.transactional();
  p.skipped = std::move(why);
  p.statements.clear();
  return p;
}

// Prints the plans and a summary; exit 1 when one failed while planned.
Status print_plans(const std::vector<MigrationPlan> &plans, Output &out, bool offline) {
  if (plans.empty()) {
    out.note("up_to_date",
             offline ? "nothing to plan: there are no migrations" : "nothing to apply: the database is up to date");
    return {};
  }
  size_t planned = 0, statements = 0, stopped = 0, skipped = 0, failed = 0;
  for (const MigrationPlan &p : plans) {
    out.migration_plan(p);
    if (!p.skipped.empty()) {
      ++skipped;
      continue;
    }
    ++planned;
    statements += p.statements.size();
    if (p.failed)
      ++failed;
    else if (!p.stopped.empty())
      ++stopped;
  }
  std::string text = fmt::format("{} migration(s) planned, {} statement(s)", planned, statements);
  if (stopped) text += fmt::format("; {} plan(s) stop early at a read or a command", stopped);
  if (skipped) text += fmt::format("; {} skipped by their env gate", skipped);
  out.event("plan_summary",
            {{"count", std::to_string(planned)}, {"statements", std::to_string(statements)}, {"message", text}},
            "-- " + text);
  if (!failed) return {};
  return Status::fail(Exit::kFailed, fmt::format("{} migration(s) fail while they are planned", failed),
                      "`tide up` would fail at the same place: see the plan's stop above");
}

}  // namespace

Result<std::vector<MigrationPlan>> plans_of(const std::vector<Runner::Planned> &pending, LuaState &lua,
                                            Session &session) {
  const std::string version = session.server_version();
  std::vector<MigrationPlan> plans;
  plans.reserve(pending.size());
  for (const Runner::Planned &p : pending) {
    // The preflight keeps small migrations loaded; the others are loaded for the plan
    // and dropped again (up loads them when it applies them).
    std::unique_ptr<Migration> loaded;
    Migration *m = p.loaded.get();
    if (!m) {
      auto read = load_migration(*p.file, lua, session.dialect());
      if (!read) return read.status();
      loaded = std::move(*read);
      m = loaded.get();
    }
    if (!p.skip.empty()) {
      plans.push_back(skipped_plan(*m, p.skip));
      continue;
    }
    auto plan = plan_migration(*m, Direction::kUp, lua, session.dialect(), version);
    if (!plan) return plan.status();
    plans.push_back(std::move(*plan));
  }
  return plans;
}

Result<std::vector<MigrationPlan>> pending_plans(Runner &runner, const UpOptions &options, LuaState &lua,
                                                 Session &session) {
  auto pending = runner.pending(options, /*history_may_be_missing=*/true);
  if (!pending) return pending.status();
  return plans_of(*pending, lua, session);
}

Result<std::vector<MigrationPlan>> file_plans(const std::vector<const MigrationFile *> &files, const UpOptions &options,
                                              const std::string &environment, LuaState &lua, const Dialect &dialect) {
  if (!options.to.empty()) {
    bool known = false;
    for (const MigrationFile *f : files) known = known || compare_versions(f->version, options.to) == 0;
    if (!known) return Status::fail(Exit::kUsage, fmt::format("--to {}: no migration has that version", options.to));
  }
  std::vector<MigrationPlan> plans;
  int runs = 0;
  for (const MigrationFile *f : files) {
    if (!options.to.empty() && compare_versions(f->version, options.to) > 0) break;
    if (options.step > 0 && runs >= options.step) break;
    auto m = load_migration(*f, lua, dialect);
    if (!m) return m.status();
    if (const auto &gate = (*m)->env()) {
      auto match = env_matches(*gate, environment);
      if (!match) {
        Error e = match.error();
        e.where = (*m)->env_where();
        e.exit = Exit::kInvalid;
        return e;
      }
      if (!*match) {
        plans.push_back(skipped_plan(**m, fmt::format("env gate \"{}\" excludes {}", *gate, environment)));
        continue;
      }
    }
    auto plan = plan_migration(**m, Direction::kUp, lua, dialect);
    if (!plan) return plan.status();
    plans.push_back(std::move(*plan));
    ++runs;
  }
  return plans;
}

Result<std::unique_ptr<PluginDialect>> offline_dialect(const Config &config) {
  auto plugin = find_driver(config);
  if (!plugin) return plugin.status();
  return std::make_unique<PluginDialect>(std::move(*plugin));
}

Status plan_command(Runner &runner, const UpOptions &options, LuaState &lua, Session &session, Output &out) {
  auto plans = pending_plans(runner, options, lua, session);
  if (!plans) return plans.status();
  return print_plans(*plans, out, false);
}

Status plan_offline_command(const UpOptions &options, const Config &config, LuaState &lua, Output &out) {
  auto dialect = offline_dialect(config);
  if (!dialect) return dialect.status();
  auto catalog = scan_migrations(config.migrations_dir, config.migrations_dir);
  if (!catalog) return catalog.status();
  out.run_header(config.environment, redact_url(config.database), /*as_sql_comment=*/true);
  for (const auto &w : catalog->warnings) out.warn(w);
  out.note("offline",
           fmt::format("offline: no database is read; every migration is pending, planned for {}", (*dialect)->name()));
  std::vector<const MigrationFile *> files;
  for (const MigrationFile &f : catalog->migrations) files.push_back(&f);
  auto plans = file_plans(files, options, config.environment, lua, **dialect);
  if (!plans) return plans.status();
  return print_plans(*plans, out, true);
}

}  // namespace tide
