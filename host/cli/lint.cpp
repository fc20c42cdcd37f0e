#include "cli/lint.h"

#include <fmt/format.h>

#include <map>

#include "cli/commands.h"
#include "cli/lint_report.h"
#include "cli/plan.h"
#include "migrate/statement_kind.h"
#include "version.h"

namespace fs = std::filesystem;

namespace tide {

lint::Target lint_target(const Dialect &dialect, const std::string &server_version, const Config &config) {
  lint::Target t;
  t.dialect = lexer_dialect(dialect);
  t.dialect_name = dialect.name();
  t.capabilities = dialect.capabilities();
  t.server_version = server_version;
  t.lock_timeout_ms = config.lock_timeout_ms;
  return t;
}

namespace {

Status list_rules(const LintOptions &options, Output &out) {
  if (options.format == "sarif") {  // the rule table, no results: for a viewer's rule list
    out.document(lint_sarif({}, kTideVersion, [](const std::string &f) { return path_to_uri(f); }));
    return {};
  }
  if (options.format == "json") {
    out.document(lint_rules_document());
    return {};
  }
  for (const lint::RuleInfo &r : lint::rules()) {
    out.event("rule",
              {{"id", std::string(r.id)},
               {"severity", lint::severity_name(r.severity)},
               {"dialects", std::string(r.dialects)},
               {"summary", std::string(r.summary)},
               {"fix", std::string(r.fix)}},
              fmt::format("{:<29} {:<8} {:<22} {}", r.id, lint::severity_name(r.severity), r.dialects, r.summary));
  }
  return {};
}

// The catalog entries for the files named on the command line. A file is found through
// its folder's catalog, so its version and name are read exactly as `up` reads them.
class NamedFiles {
 public:
  explicit NamedFiles(const Config &config) : config_(config) {}

  Result<const MigrationFile *> find(const fs::path &file) {
    std::error_code ec;
    if (!fs::is_regular_file(file, ec))
      return Status::fail(Exit::kUsage, fmt::format("{}: no such file", display(file)));
    fs::path dir = file.parent_path();
    auto it = catalogs_.find(dir);
    if (it == catalogs_.end()) {
      auto scanned = scan_migrations(dir, display(dir));
      if (!scanned) return scanned.status();
      it = catalogs_.emplace(dir, std::move(*scanned)).first;
    }
    for (const MigrationFile &m : it->second.migrations)
      if (fs::equivalent(m.path, file, ec)) return &m;
    return Status::fail(Exit::kUsage, fmt::format("{}: not a migration file", display(file)),
                        "migration files are named VERSION_name.sql or VERSION_name.lua (SPEC: 001_create_users.sql, "
                        "20261120093000_add_role.lua), or in a golang-migrate, dbmate or Flyway layout");
  }

 private:
  // Inside the project: relative to it, as every other command shows files.
  std::string display(const fs::path &p) const {
    fs::path rel = p.lexically_relative(config_.project_dir);
    return !rel.empty() && *rel.begin() != ".." ? rel.string() : p.string();
  }

  const Config &config_;
  std::map<fs::path, Catalog> catalogs_;  // by folder; entries are pointed to by plans
};

// Findings as options.format asks; an error-level finding is the command's failure.
Status report_findings(const LintOptions &options, const std::vector<MigrationPlan> &plans,
                       const std::vector<lint::Finding> &findings, Output &out) {
  LintSummary summary = summarize(findings, plans.size());
  if (options.format == "json") {
    out.document(lint_json_document(findings, summary));
  } else if (options.format == "sarif") {
    std::error_code ec;
    fs::path project = fs::current_path(ec);
    out.document(lint_sarif(findings, kTideVersion, [&](const std::string &file) {
      fs::path abs = (project / file).lexically_normal();
      fs::path rel = abs.lexically_relative(options.start_dir);
      return path_to_uri(!rel.empty() && *rel.begin() != ".." ? rel.string() : abs.string());
    }));
  } else {
    for (const lint::Finding &f : findings) out.lint_finding(f);
    out.event("lint_summary",
              {{"files", std::to_string(summary.files)},
               {"errors", std::to_string(summary.errors)},
               {"warnings", std::to_string(summary.warnings)}},
              fmt::format("lint: {} migration(s) checked, {} error(s), {} warning(s)", summary.files, summary.errors,
                          summary.warnings));
  }
  if (summary.errors == 0) return {};
  return Status::fail(Exit::kFailed, fmt::format("lint: {} error-level finding(s)", summary.errors),
                      "make the change the safe way (each finding says how), or accept it with "
                      "`-- tide:lint-ignore RULE` on the statement (docs/lint.md)");
}

}  // namespace

Status lint_offline(const LintOptions &options, const Config &config, LuaState &lua, Output &out) {
  if (options.rules) return list_rules(options, out);
  auto dialect = offline_dialect(config);
  if (!dialect) return dialect.status();

  std::vector<const MigrationFile *> files;
  Catalog all;
  NamedFiles named(config);
  if (options.all) {
    auto scanned = scan_migrations(config.migrations_dir, config.migrations_dir);
    if (!scanned) return scanned.status();
    all = std::move(*scanned);
    for (const auto &w : all.warnings) out.warn(w);
    for (const MigrationFile &m : all.migrations) files.push_back(&m);
  } else {
    for (const std::string &f : options.files) {
      auto found = named.find(f);
      if (!found) return found.status();
      files.push_back(*found);
    }
  }

  // Every file, whatever its env gate says: a migration for production only is the one
  // most worth checking.
  std::vector<MigrationPlan> plans;
  plans.reserve(files.size());
  for (const MigrationFile *file : files) {
    auto m = load_migration(*file, lua, **dialect);
    if (!m) return m.status();
    auto plan = plan_migration(**m, Direction::kUp, lua, **dialect);
    if (!plan) return plan.status();
    plans.push_back(std::move(*plan));
  }
  const lint::Target target = lint_target(**dialect, "", config);
  std::vector<lint::Finding> findings;
  if (options.all) {
    for (const MigrationPlan &plan : plans) {
      auto one = lint::check(std::span(&plan, 1), target, config.lint);
      findings.insert(findings.end(), std::make_move_iterator(one.begin()), std::make_move_iterator(one.end()));
    }
  } else {
    findings = lint::check(plans, target, config.lint);
  }
  return report_findings(options, plans, findings, out);
}

Status lint_pending(Runner &runner, const LintOptions &options, const Config &config, LuaState &lua, Session &session,
                    Output &out) {
  auto plans = pending_plans(runner, UpOptions{}, lua, session);
  if (!plans) return plans.status();
  std::string version = session.server_version();
  auto findings = lint::check(*plans, lint_target(session.dialect(), version, config), config.lint);
  return report_findings(options, *plans, findings, out);
}

Status lint_gate(std::vector<Runner::Planned> &pending, bool yes, const Config &config, LuaState &lua, Session &session,
                 Output &out) {
  auto plans = plans_of(pending, lua, session);
  if (!plans) return plans.status();
  auto findings = lint::check(*plans, lint_target(session.dialect(), session.server_version(), config), config.lint);
  std::vector<const lint::Finding *> errors;
  for (const lint::Finding &f : findings)
    if (f.severity == lint::Severity::kError) errors.push_back(&f);
  if (errors.empty()) return {};
  if (!config.is_protected() || yes) {
    for (const lint::Finding *f : errors) out.lint_finding(*f, true);
    return {};
  }
  Error e;
  e.exit = Exit::kFailed;
  e.message = fmt::format(
      "refusing to apply migrations in the protected environment \"{}\": lint found {} "
      "error-level problem(s); nothing was applied",
      config.environment, errors.size());
  for (const lint::Finding *f : errors) {
    if (!e.detail.empty()) e.detail += "\n";
    e.detail += fmt::format("{}:{}:{}: error[{}]: {}", f->file, f->line, f->column, f->rule, f->message);
    if (!f->fix.empty()) e.detail += fmt::format("\n  fix: {}", f->fix);
  }
  e.hint =
      "make each change the safe way, mark one you have checked with `-- tide:lint-ignore RULE` on its "
      "statement, or pass --yes to apply them anyway (`tide lint` shows the findings; docs/lint.md)";
  return e;
}

}  // namespace tide
