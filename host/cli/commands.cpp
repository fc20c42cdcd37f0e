#include "cli/commands.h"

#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include "cli/lint.h"
#include "cli/plan.h"
#include "hooks/lua_hooks.h"
#include "migrate/history.h"
#include "migrate/runner.h"
#include "seed/seed_runner.h"
#include "util/text.h"
#include "version.h"

namespace tide {

std::string applied_by() {
  std::string user;
  if (const char *u = std::getenv("USER"); u && *u)
    user = u;
  else if (passwd *pw = getpwuid(getuid()))
    user = pw->pw_name;
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  return user + "@" + host;
}

Result<std::shared_ptr<Plugin>> find_driver(const Config &config) {
  std::string scheme = url_scheme(config.database);
  if (scheme.empty())
    return Status::fail(Exit::kUsage, fmt::format("database URL \"{}\" has no scheme", redact_url(config.database)),
                        "write it like sqlite:db/dev.sqlite3 or postgres://user@host/db");
  std::vector<std::filesystem::path> dirs(config.plugin_path.begin(), config.plugin_path.end());
  return PluginFinder(dirs).for_scheme(scheme);
}

Result<std::unique_ptr<Session>> open_database(const Config &config) {
  auto plugin = find_driver(config);
  if (!plugin) return plugin.status();
  ConnectOptions opts;
  opts.statement_timeout_ms = config.statement_timeout_ms;
  // lock_timeout bounds every lock wait: tide's migration lock, and the database's own
  // (PostgreSQL lock_timeout, the SQLite busy timeout), so a migration stuck behind a
  // long transaction fails instead of queueing every query behind it.
  opts.lock_timeout_ms = config.lock_timeout_ms;
  auto session = PluginSession::connect(*plugin, config.database, opts);
  if (!session) {
    Error e = session.error();
    e.where = redact_url(config.database);
    return e;
  }
  return std::unique_ptr<Session>(std::move(*session));
}

Status check_protected(const CommandLine &cl, const Config &config) {
  bool destructive = cl.command == "down" || cl.command == "redo" || (cl.command == "seed" && cl.seed_force);
  if (!destructive || !config.is_protected() || cl.yes) return {};
  std::string what = cl.command == "seed" ? "seed --force" : cl.command;
  return Status::fail(Exit::kUsage,
                      fmt::format("refusing to run `{}` in the protected environment \"{}\"", what, config.environment),
                      "pass --yes if you mean it (protected environments are set by `protected` in tide.lua)");
}

namespace {

Status status_command(Runner &runner, SeedRunner &seeds, const CommandLine &cl, Output &out) {
  auto ov = runner.status();
  if (!ov) return ov.status();
  out.status_table(*ov);
  auto seed_states = seeds.status();
  if (!seed_states) return seed_states.status();
  if (!seed_states->empty()) out.seed_table(*seed_states);
  if (!cl.status_exit_code) return {};
  for (State s : {State::kDirty, State::kChanged, State::kMissing})
    if (!ov->with(s).empty()) {
      Error e;
      e.exit = Exit::kInvalid;
      e.message = fmt::format("{} migration(s) {}", ov->with(s).size(), state_name(s));
      return e;
    }
  if (!ov->with(State::kPending).empty()) {
    Error e;
    e.exit = Exit::kPending;
    e.message = fmt::format("{} migration(s) pending", ov->with(State::kPending).size());
    return e;
  }
  return {};
}

}  // namespace

Status run_command(const CommandLine &cl, const Config &config, Session &session, LuaState &lua, Output &out) {
  auto catalog = scan_migrations(config.migrations_dir, config.migrations_dir);
  if (!catalog) return catalog.status();
  for (const auto &w : catalog->warnings) out.warn(w);
  SqlHistory history(session, config.history_table);
  RunContext ctx;
  ctx.environment = config.environment;
  ctx.applied_by = applied_by();
  ctx.tide_version = kTideVersion;
  ctx.lock_timeout_ms = config.lock_timeout_ms;
  ctx.lock_key = "tide:" + config.history_table;
  Runner runner(session, history, lua, out, *catalog, ctx);
  auto seed_files = scan_seeds(config.seeds_dir, config.seeds_dir);
  if (!seed_files) return seed_files.status();
  SeedOptions seed_options{cl.seed_only, cl.seed_force, cl.yes, config.is_protected()};
  SeedRunner seeds(session, history, lua, out, *seed_files, ctx, seed_options);

  const std::string &c = cl.command;
  // Hooks (SPEC §6) for the commands that fire them; validate loads them to check them.
  std::unique_ptr<LuaHooks> hooks;
  if (c == "up" || c == "down" || c == "redo" || c == "seed" || c == "validate") {
    HookSettings settings;
    settings.environment = config.environment;
    settings.redacted_url = redact_url(config.database);
    if (!config.config_display.empty()) settings.config_display = config.config_display;
    auto loaded = LuaHooks::load(lua, session, out, std::move(settings));
    if (!loaded) return loaded.status();
    hooks = std::move(*loaded);
    runner.set_hooks(*hooks);
    seeds.set_hooks(*hooks);
  }
  if (c == "up" && cl.up.dry_run) return runner.dry_run(cl.up);  // no hook fires: it says so if there are any
  if (c == "plan") return plan_command(runner, cl.up, lua, session, out);
  if (c == "lint") return lint_pending(runner, cl.lint, config, lua, session, out);
  if (c == "up")
    runner.set_check(
        [&](std::vector<Runner::Planned> &plan) { return lint_gate(plan, cl.yes, config, lua, session, out); });
  if (c == "up" && cl.up_seed) return runner.up(cl.up, [&] { return seeds.run(); });
  if (c == "up") return runner.up(cl.up);
  if (c == "seed") return runner.locked([&] { return seeds.run(); });
  if (c == "down") return runner.down(cl.down);
  if (c == "redo") return runner.redo();
  if (c == "status") return status_command(runner, seeds, cl, out);
  if (c == "validate") {
    Status migrations = runner.validate();
    Status seeded = seeds.validate();
    if (migrations.ok() || seeded.ok()) return migrations.ok() ? seeded : migrations;
    migrations.error().detail += "\n" + seeded.error().message + ":\n" + seeded.error().detail;
    return migrations;
  }
  if (c == "baseline") return runner.baseline(cl.version);
  if (c == "repair") return runner.repair();
  if (c == "resolve") return runner.resolve(cl.version, cl.applied);
  return Status::fail(Exit::kUsage, fmt::format("unknown command {}", c));
}

Status list_drivers(const Config &config, Output &out) {
  std::vector<std::filesystem::path> dirs(config.plugin_path.begin(), config.plugin_path.end());
  PluginFinder finder(dirs);
  auto found = finder.all();
  if (found.empty()) {
    std::string looked;
    for (const auto &d : finder.dirs()) looked += "\n  " + d.string();
    return Status::fail(Exit::kUsage, "no driver plugins found; looked in:" + looked);
  }
  for (const auto &f : found) {
    if (!f.plugin) {
      out.warn(f.error);
      continue;
    }
    const tide_driver &t = f.plugin->table();
    std::string schemes, caps;
    auto append = [](std::string &list, std::string_view item) {
      if (!list.empty()) list += ',';
      list += item;
    };
    for (const auto &s : f.plugin->schemes()) append(schemes, s);
    auto cap = [&](uint32_t bit, const char *name) {
      if (t.capabilities & bit) append(caps, name);
    };
    cap(TIDE_CAP_TRANSACTIONAL_DDL, "transactional-ddl");
    cap(TIDE_CAP_SAVEPOINTS, "savepoints");
    cap(TIDE_CAP_SERVER_LOCK, "server-lock");
    cap(TIDE_CAP_CONCURRENT_INDEX, "concurrent-index");
    cap(TIDE_CAP_EMBEDDED, "embedded");
    // The optional members the driver has (db:upsert/insert/load_csv need upsert).
    std::string members;
    if (TIDE_DRIVER_HAS(t, upsert)) append(members, "upsert");
    if (TIDE_DRIVER_HAS(t, dump)) append(members, "dump");
    if (TIDE_DRIVER_HAS(t, commit_with)) append(members, "commit_with");
    if (TIDE_DRIVER_HAS(t, upsert_then_exec)) append(members, "upsert_then_exec");
    std::string abi = fmt::format("{}.{}", t.abi_major, t.abi_minor);
    out.event(
        "driver",
        {{"name", t.name},
         {"version", t.version ? t.version : ""},
         {"abi", abi},
         {"schemes", schemes},
         {"capabilities", caps},
         {"members", members},
         {"path", f.path.string()}},
        fmt::format("{:<10} {:<8} abi {}  schemes {}  [{}]  members {}\n           {}", t.name,
                    t.version ? t.version : "", abi, schemes, caps, members.empty() ? "-" : members, f.path.string()));
  }
  return {};
}

}  // namespace tide
