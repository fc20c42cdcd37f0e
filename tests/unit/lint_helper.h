// Test helper for the lint rules: builds MigrationPlans from SQL text cut into statements by
// the real drivers' splitters (the built plugins, loaded and called through PluginDialect,
// as tide plan does), with each statement's leading comments and file position; and runs
// lint::check on them with a Target like the one tide builds for each driver.
#pragma once

#include <tide/driver.h>

#include <catch2/catch.hpp>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lint/lint.h"
#include "plugin/loader.h"
#include "plugin/plugin_session.h"

namespace tide::test {

// How a plan is built: the migration's settings (a down by default, so missing-down stays
// quiet unless a test asks for it).
struct PlanOptions {
  bool transactional = true;
  bool has_down = true;
  bool irreversible = false;
  std::vector<std::string> lint_ignore;
  std::string stopped;  // a plan that ends early (MigrationPlan::stopped), and why
  bool failed = false;
};

inline PlanOptions stopped_at_read(bool failed = false) {
  PlanOptions o;
  o.stopped = failed ? "stops at an error of the migration itself: boom" : "stops at a read at x.lua:3";
  o.failed = failed;
  return o;
}

inline PlanOptions without_transaction() {
  PlanOptions o;
  o.transactional = false;
  return o;
}
inline PlanOptions without_down(bool irreversible = false) {
  PlanOptions o;
  o.has_down = false;
  o.irreversible = irreversible;
  return o;
}
inline PlanOptions ignoring(std::vector<std::string> rules, bool has_down = true) {
  PlanOptions o;
  o.lint_ignore = std::move(rules);
  o.has_down = has_down;
  return o;
}

class LintRig {
 public:
  // dialect: "postgres", "mysql" or "sqlite".
  explicit LintRig(const std::string &dialect) : name_(dialect) {
    const char *path = dialect == "postgres" ? TIDE_TEST_POSTGRES_PLUGIN
                       : dialect == "mysql"  ? TIDE_TEST_MYSQL_PLUGIN
                                             : TIDE_TEST_SQLITE_PLUGIN;
    auto plugin = Plugin::load(path);
    REQUIRE(plugin.ok());
    dialect_ = std::make_unique<PluginDialect>(*plugin);
    target.dialect = dialect == "postgres" ? sql::Dialect::postgres
                     : dialect == "mysql"  ? sql::Dialect::mysql
                                           : sql::Dialect::sqlite;
    target.dialect_name = dialect_->name();
    target.capabilities = dialect_->capabilities();
  }

  // A plan of sql, cut by the driver's splitter. The file is shown as migrations/<n>_x.sql.
  MigrationPlan plan(const std::string &sql, const PlanOptions &o = {}) {
    texts_.push_back(sql);
    const std::string &text = texts_.back();
    const std::string version = std::to_string(files_.size() + 1);
    const std::string display = "migrations/" + version + "_x.sql";
    files_.push_back(MigrationFile{version, std::string(1, 'x'), display, display, MigrationFormat::kSql});
    const MigrationFile &f = files_.back();
    MigrationPlan p;
    p.file = &f;
    p.transactional = o.transactional;
    p.has_down = o.has_down;
    p.irreversible = o.irreversible;
    p.lint_ignore = o.lint_ignore;
    p.stopped = o.stopped;
    p.failed = o.failed;
    // The real path: cut_statements, as plan_migration cuts a .sql section.
    p.statements = cut_statements(text, *dialect_, ScriptOrigin{text, 0, 0});
    return p;
  }

  std::vector<lint::Finding> check(const std::vector<MigrationPlan> &plans, const lint::Settings &settings = {}) {
    return lint::check(plans, target, settings);
  }
  std::vector<lint::Finding> check(const std::string &sql, const PlanOptions &o = {},
                                   const lint::Settings &settings = {}) {
    return check(std::vector<MigrationPlan>{plan(sql, o)}, settings);
  }

  const std::string &name() const { return name_; }
  lint::Target target;

 private:
  std::string name_;
  std::unique_ptr<PluginDialect> dialect_;
  std::deque<std::string> texts_;  // the plans' files: stable addresses
  std::deque<MigrationFile> files_;
};

// The findings of one rule.
inline std::vector<lint::Finding> of_rule(const std::vector<lint::Finding> &all, std::string_view rule) {
  std::vector<lint::Finding> out;
  for (const auto &f : all)
    if (f.rule == rule) out.push_back(f);
  return out;
}

// Line and column (1-based) of the nth (0-based) occurrence of marker in text.
inline std::pair<int, int> position_of(std::string_view text, std::string_view marker, int nth = 0) {
  size_t at = text.find(marker);
  for (int i = 0; i < nth && at != std::string_view::npos; ++i) at = text.find(marker, at + 1);
  REQUIRE(at != std::string_view::npos);
  int line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < at; ++i)
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  return {line, static_cast<int>(at - line_start) + 1};
}

}  // namespace tide::test
