#include "cli/lint.h"

#include <fmt/format.h>

#include <deque>
#include <map>

#include "cli/commands.h"
#include "cli/lint_report.h"
#include "migrate/statement_kind.h"
#include "plugin/plugin_session.h"
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

Status list_rules(Output &out) {
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

}  // namespace

Status report_findings(const LintOptions &options, const std::vector<lint::Finding> &findings, size_t files,
                       Output &out, const fs::path &start_dir) {
  LintSummary summary = summarize(findings, files);
  if (options.format == "json") {
    out.document(lint_json_document(findings, summary));
  } else if (options.format == "sarif") {
    std::error_code ec;
    fs::path project = fs::current_path(ec);
    out.document(lint_sarif(findings, kTideVersion, [&](const std::string &file) {
      fs::path rel = (project / file).lexically_normal().lexically_relative(start_dir);
      return path_to_uri(!rel.empty() && *rel.begin() != ".." ? rel.string() : (project / file).string());
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

Status lint_offline(const LintOptions &options, const Config &config, LuaState &lua, Output &out,
                    const fs::path &start_dir) {
  if (options.rules) return list_rules(out);
  auto plugin = find_driver(config);
  if (!plugin) return plugin.status();
  PluginDialect dialect(*plugin);

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

  std::vector<MigrationPlan> plans;
  plans.reserve(files.size());
  for (const MigrationFile *file : files) {
    auto m = load_migration(*file, lua, dialect);
    if (!m) return m.status();
    auto plan = plan_migration(**m, Direction::kUp, lua, dialect);
    if (!plan) return plan.status();
    plans.push_back(std::move(*plan));
  }
  auto findings = lint::check(plans, lint_target(dialect, "", config), config.lint);
  return report_findings(options, findings, plans.size(), out, start_dir);
}

}  // namespace tide
