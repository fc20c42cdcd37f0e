// tide: the steps of a run, one call each — parse arguments, load config, open the
// driver, build the catalog and run the command (the runner takes the lock), report.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>

#include "cli/commands.h"
#include "cli/dump.h"
#include "cli/lint.h"
#include "cli/options.h"
#include "cli/output.h"
#include "cli/plan.h"
#include "cli/scaffold.h"
#include "cli/wait.h"
#include "config/config.h"
#include "lua/state.h"
#include "util/text.h"

using namespace tide;

namespace {

int fail(Output &out, const Status &s) {
  // Pending migrations (status --exit-code) are a state to report, not an error.
  if (s.error().exit == Exit::kPending)
    out.note("pending", s.error().message);
  else
    out.error(s.error());
  return static_cast<int>(s.error().exit);
}

OutputOptions output_options(const CommandLine &cl) {
  OutputOptions o;
  o.json = cl.json;
  o.quiet = cl.quiet;
  o.verbose = cl.verbose;
  const char *no_color = std::getenv("NO_COLOR");
  // Errors and warnings are painted on stderr: colour only when both streams are terminals,
  // so `tide up 2>err.log` writes no escape codes to the log.
  o.color = !cl.no_color && !(no_color && *no_color) && !cl.json && isatty(STDOUT_FILENO) && isatty(STDERR_FILENO);
  o.terminal = isatty(STDOUT_FILENO);
  // `dump -o -` writes the schema to stdout, `lint --format json|sarif` one document:
  // nothing else may go there.
  if (cl.command == "dump" && cl.dump_output == "-") o.quiet = true;
  if (cl.command == "lint" && cl.lint.format != "text") {
    o.quiet = true;
    o.json = false;  // not even --json's events: the document is the whole of stdout
  }
  return o;
}

}  // namespace

// The run itself; main() only adds the last line of defence below it.
static int run(int argc, char **argv) {
  // 1. Arguments. --help and usage errors end here.
  CommandLine cl;
  if (auto rc = parse_command_line(argc, argv, cl)) return *rc;
  Output out(output_options(cl));

  // 2. The project folder: -C first, like git and make.
  std::error_code ec;
  // Where the user is (before -C): SARIF paths are relative to it, as code scanning reads
  // them from the repository's root.
  cl.lint.start_dir = std::filesystem::current_path(ec);
  if (!cl.dir.empty() && (std::filesystem::current_path(cl.dir, ec), ec))
    return fail(out, Status::fail(Exit::kUsage, fmt::format("-C {}: {}", cl.dir, ec.message())));
  // Folders named on the command line are relative to where tide was started (after -C),
  // not to the project folder it moves into below.
  for (auto &dir : cl.config.plugin_path) dir = std::filesystem::absolute(dir, ec).string();
  if (!cl.dump_output.empty() && cl.dump_output != "-")
    cl.dump_output = std::filesystem::absolute(cl.dump_output, ec).string();
  for (auto &file : cl.lint.files) file = std::filesystem::absolute(file, ec).lexically_normal().string();
  if (cl.command == "init") {
    Status s = init_project(out);
    return s.ok() ? 0 : fail(out, s);
  }

  // 3. Config: .env, tide.lua (Lua, so the state exists first), overrides. The session
  //    is declared before the Lua state so that it outlives every cursor Lua holds.
  std::unique_ptr<Session> session;
  LuaState lua;
  if (Status s =
          lua.install_globals("", [&](const std::string &level, const std::string &msg) { out.log(level, msg); });
      !s.ok())
    return fail(out, s);
  lua.set_secret_sink([&](const std::string &secret) { out.add_secret(secret); });  // tide.exec's env values
  auto config = load_config(lua, cl.config);
  if (!config) return fail(out, config.status());
  for (const std::string &secret : url_password(config->database)) out.add_secret(secret);  // never printed
  // Paths in tide.lua (migrations, sqlite:relative) are relative to its folder.
  std::filesystem::current_path(config->project_dir, ec);

  // 4. Commands that need no database.
  if (cl.command == "new") {
    Status s = new_migration(*config, cl.name, cl.sql, out);
    return s.ok() ? 0 : fail(out, s);
  }
  if (cl.command == "drivers") {
    Status s = list_drivers(*config, out);
    return s.ok() ? 0 : fail(out, s);
  }
  if (cl.command == "lint" && (cl.lint.all || cl.lint.rules || !cl.lint.files.empty())) {
    Status s = lint_offline(cl.lint, *config, lua, out);
    return s.ok() ? 0 : fail(out, s);
  }
  if (cl.command == "plan" && cl.plan_offline) {  // the URL's scheme picks the dialect
    Status s = plan_offline_command(cl.up, *config, lua, out);
    return s.ok() ? 0 : fail(out, s);
  }

  // 5. Safety before touching anything: destructive commands in protected environments.
  if (Status s = check_protected(cl, *config); !s.ok()) return fail(out, s);

  // 6. The driver for the URL's scheme, and a connection.
  out.run_header(config->environment, redact_url(config->database), cl.command == "plan");
  if (cl.command == "wait") {  // connects, again and again, by itself
    Status s = wait_command(*config, cl.wait_timeout, out);
    return s.ok() ? 0 : fail(out, s);
  }
  auto opened = open_database(*config);
  if (!opened) return fail(out, opened.status());
  session = std::move(*opened);
  if (cl.verbose)
    out.note("connected", fmt::format("driver {} · server {}", session->dialect().name(), session->server_version()));

  // 7. The command itself: catalog, lock, plan, execute, report — or the schema dump,
  //    which reads the database and needs none of that.
  Status s = cl.command == "dump" ? dump_command(cl.dump_output, *config, *session, out)
                                  : run_command(cl, *config, *session, lua, out);
  return s.ok() ? 0 : fail(out, s);
}

int main(int argc, char **argv) {
  // Errors travel as Status; an exception reaching here is a bug or an exhausted machine
  // (bad_alloc, a filesystem error not yet turned into a Status). Say so, don't abort.
  try {
    return run(argc, argv);
  } catch (const std::exception &e) {
    std::fprintf(stderr,
                 "error: %s\n  hint: this is a bug in tide if it is not about memory or the disk; "
                 "please report it with the command that caused it\n",
                 redact_url(e.what()).c_str());
    return static_cast<int>(Exit::kFailed);
  }
}
