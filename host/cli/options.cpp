#include "cli/options.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <sstream>

#include "util/text.h"
#include "version.h"

namespace tide {

namespace {

constexpr const char *kExitCodes =
    "Exit codes: 0 ok; 1 a migration, seed or hook failed, or lint found an error-level problem; 2 usage or config "
    "error; 3 pending migrations (status --exit-code); 4 lock not acquired in time (wait: no connection in time); "
    "5 validation failed (checksum changed, dirty, missing file, out of order).";

// A usage error echoes the arguments, and Output (which masks the database password)
// does not exist yet: mask the passwords of any URL among them here.
std::string masked(std::string_view text, int argc, char **argv) {
  std::vector<std::string> secrets;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (size_t eq = arg.find('='); arg.starts_with("-") && eq != std::string_view::npos) arg.remove_prefix(eq + 1);
    for (std::string &s : url_password(arg)) secrets.push_back(std::move(s));
  }
  return mask_secrets(text, std::move(secrets));
}

}  // namespace

// Long because it is the whole command line in one place, declared option by option
// (as CLI11 is meant to be read); splitting it would scatter SPEC §3 across functions.
std::optional<int> parse_command_line(int argc, char **argv, CommandLine &c) {
  CLI::App app{"tide: database migrations and seeds in Lua or SQL", "tide"};
  app.footer(kExitCodes);
  app.set_version_flag("--version", std::string("tide ") + kTideVersion);
  app.require_subcommand(1);
  app.fallthrough();

  app.add_option("-C", c.dir, "Run as if started in DIR");
  app.add_option("--database", c.config.database,
                 "Database URL (default: tide.lua, $DATABASE_URL, sqlite:db/ENV.sqlite3)");
  app.add_option("--env", c.config.environment, "Environment name (default: $TIDE_ENV, tide.lua, development)");
  app.add_option("--config", c.config.config_file, "Config file (default: tide.lua)");
  app.add_option("--plugin-path", c.config.plugin_path, "Extra folder to search for driver plugins");
  app.add_option("--lock-timeout", c.config.lock_timeout, "How long to wait for the migration lock (e.g. 30s)");
  app.add_flag("--json", c.json, "One JSON object per event on stdout");
  app.add_flag("-q,--quiet", c.quiet, "Print only errors");
  app.add_flag("-v,--verbose", c.verbose, "Print more detail");
  app.add_flag("--no-color", c.no_color, "No colours (also NO_COLOR)");
  app.add_flag("-y,--yes", c.yes, "Confirm destructive commands in protected environments");

  auto *init = app.add_subcommand("init", "Create tide.lua, migrations/ and seeds/");
  auto *nw = app.add_subcommand("new", "Create a new migration from a template");
  nw->add_option("NAME", c.name, "What the migration does, e.g. add_users_role")->required();
  nw->add_flag("--sql", c.sql, "Write a .sql migration instead of .lua");

  auto *up = app.add_subcommand("up", "Apply pending migrations");
  up->add_option("--to", c.up.to, "Apply up to and including version V");
  up->add_option("--step", c.up.step, "Apply at most N migrations")->check(CLI::PositiveNumber);
  up->add_flag("--single-transaction", c.up.single_transaction, "Apply all pending in one transaction");
  up->add_flag("--allow-out-of-order", c.up.allow_out_of_order, "Apply pending migrations older than applied ones");
  auto *up_seed = up->add_flag("--seed", c.up_seed, "Run the seeds after the migrations (as `tide seed` does)");
  up->add_flag("--dry-run", c.up.dry_run,
               "Run the pending migrations in one transaction and roll it back, printing each statement and its "
               "time (PostgreSQL, SQLite)")
      ->excludes(up_seed);
  // plan takes up's selection options (into the same UpOptions), and works offline.
  auto *plan = app.add_subcommand("plan", "Print the statements `up` would run, per migration, without running them");
  plan->add_option("--to", c.up.to, "Plan up to and including version V");
  plan->add_option("--step", c.up.step, "Plan at most N migrations")->check(CLI::PositiveNumber);
  plan->add_flag("--allow-out-of-order", c.up.allow_out_of_order, "Plan pending migrations older than applied ones");
  plan->add_flag("--offline", c.plan_offline,
                 "Connect to no database: every migration is pending, the dialect is the URL scheme's driver's");

  auto *down = app.add_subcommand("down", "Revert applied migrations (default: the latest one)");
  auto *to = down->add_option("--to", c.down.to, "Revert every migration newer than version V");
  auto *step = down->add_option("--step", c.down.step, "Revert the latest N migrations")->check(CLI::PositiveNumber);
  auto *all = down->add_flag("--all", c.down.all, "Revert every applied migration");
  to->excludes(step)->excludes(all);
  step->excludes(all);

  app.add_subcommand("redo", "Revert and re-apply the latest migration");
  auto *status = app.add_subcommand("status", "Show applied, pending, missing, changed and dirty migrations");
  status->add_flag("--exit-code", c.status_exit_code,
                   "Exit 3 when migrations are pending, 5 when any is dirty, changed or missing");
  app.add_subcommand("validate", "Parse every file and check checksums, order, duplicates and downs");
  auto *baseline = app.add_subcommand("baseline", "Mark every migration up to V applied on an existing database");
  baseline->add_option("V", c.version, "Version to baseline at")->required();
  app.add_subcommand("repair", "Forget dirty and missing migrations; accept changed checksums");
  auto *resolve = app.add_subcommand("resolve", "Clear a dirty migration after fixing the database by hand");
  resolve->add_option("V", c.version, "The dirty migration's version")->required();
  auto *ra = resolve->add_flag("--applied", c.applied, "Its changes are all in the database: mark it applied");
  auto *rr =
      resolve->add_flag("--rolled-back", c.rolled_back, "None of its changes remain: forget it, so up runs it again");
  ra->excludes(rr);
  auto *seed = app.add_subcommand("seed", "Run the seeds whose file changed since they last ran (all with --force)");
  seed->add_option("--only", c.seed_only, "Run only this seed (its name or file name; repeatable)");
  seed->add_flag("--force", c.seed_force, "Run every seed, changed or not (needs --yes in protected environments)");
  app.add_subcommand("drivers", "List the driver plugins found, with schemes and capabilities");
  auto *dump = app.add_subcommand("dump", "Write the database schema to schema.sql (driver-provided)");
  dump->add_option("-o,--output", c.dump_output, "Write to FILE instead of schema.sql; - for standard output");
  auto *wait = app.add_subcommand("wait", "Wait until the database accepts a connection (exit 4 on timeout)");
  wait->add_option("--timeout", c.wait_timeout, "How long to wait: 500ms, 30s, 5m (default 60s)");
  auto *lint = app.add_subcommand("lint", "Check migrations against the safety rules (default: the pending ones)");
  lint->add_option("FILES", c.lint.files, "Check these migration files (needs no database)");
  auto *lint_all = lint->add_flag("--all", c.lint.all, "Check every migration file (needs no database)");
  lint->add_option("--format", c.lint.format, "text (default), json (one document) or sarif (code scanning)")
      ->check(CLI::IsMember({"text", "json", "sarif"}));
  lint->add_flag("--rules", c.lint.rules, "List the rules (id, severity, dialects, what each catches) and stop");
  lint_all->excludes("FILES");
  (void)init;

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    // CLI11 reports `tide frobnicate` and `tide --bogus` as "A subcommand is required":
    // name the word instead.
    if (dynamic_cast<const CLI::RequiredError *>(&e) && app.get_subcommands().empty() && !app.remaining().empty()) {
      const std::string arg = masked(app.remaining().front(), argc, argv);
      std::fprintf(stderr, "error: unknown %s \"%s\"\nRun with --help for the list of commands and options.\n",
                   arg.rfind('-', 0) == 0 ? "option" : "command", arg.c_str());
      return 2;
    }
    std::ostringstream out, err;
    int rc = app.exit(e, out, err);
    std::fputs(masked(out.str(), argc, argv).c_str(), stdout);
    std::fputs(masked(err.str(), argc, argv).c_str(), stderr);
    return rc == 0 ? 0 : 2;
  }
  if (resolve->parsed() && !c.applied && !c.rolled_back) {
    std::fprintf(stderr, "error: resolve needs --applied or --rolled-back\n");
    return 2;
  }
  if (dump->parsed() && c.dump_output == "-" && c.json) {
    std::fprintf(stderr, "error: dump -o - writes the schema to stdout, where --json writes its events; use -o FILE\n");
    return 2;
  }
  c.command = app.get_subcommands().front()->get_name();
  return std::nullopt;
}

}  // namespace tide
