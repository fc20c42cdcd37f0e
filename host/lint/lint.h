// tide lint (SPEC §7): the safety checklist, run over migration plans (migrate/plan.h).
// Statements are read with the shared tokenizer (plugins/common/sql_lexer), so comments,
// strings and dollar-quoted bodies never trigger a rule; there are no regular expressions
// over raw SQL. The rule table (id, dialects, default severity, message, safe rewrite) is
// rules(); docs/lint.md documents the same table.
#pragma once

#include <sql_lexer.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "migrate/plan.h"
#include "util/status.h"

namespace tide::lint {

enum class Severity { kOff, kWarning, kError };
const char *severity_name(Severity s);                   // "off", "warning", "error"
bool parse_severity(std::string_view name, Severity &out);  // the names above

struct RuleInfo {
  std::string_view id;        // "index-not-concurrent"
  std::string_view dialects;  // "postgres", "postgres,mysql,sqlite", ...
  Severity severity;          // the default
  std::string_view summary;   // what it catches, one line
  std::string_view fix;       // the safe rewrite, one or two sentences
};

// Every rule, in the order docs/lint.md lists them.
std::span<const RuleInfo> rules();
const RuleInfo *find_rule(std::string_view id);  // null when there is no such rule

// tide.lua's `lint = { enable = {...}, disable = {...}, severity = { [rule] = "warning" } }`.
// enable: when non-empty, only these rules run; disable: these never run; severity:
// overrides the default. Rule ids are checked when the config is read.
struct Settings {
  std::vector<std::string> enable;
  std::vector<std::string> disable;
  std::vector<std::pair<std::string, Severity>> severity;
};

// What lint knows of the database: from the URL's scheme and the driver alone (offline),
// or also the server's version when connected.
struct Target {
  sql::Dialect dialect = sql::Dialect::sqlite;  // how to tokenize
  std::string dialect_name;                     // the driver's dialect name: "postgres", ...
  uint32_t capabilities = 0;                    // TIDE_CAP_*
  std::string server_version;                   // empty: offline, unknown
  int64_t lock_timeout_ms = 30000;              // the session lock_timeout tide sets (config)
};

struct Finding {
  std::string rule;
  Severity severity = Severity::kError;
  std::string file;  // the migration's display path
  int line = 0;      // 1-based, of the token that fired the rule (of the file, for
  int column = 0;    // rules about the whole migration: missing-down)
  std::string message;
  std::string fix;
  std::string statement;  // the statement's first line, shortened; empty for file rules
};

// Lint plans (pending migrations in version order: a table created by an earlier plan is
// new to a later one). Skipped plans (env gate) are not linted. Findings come in plan
// order, then file position.
std::vector<Finding> check(std::span<const MigrationPlan> plans, const Target &target, const Settings &settings);

}  // namespace tide::lint
