// check(): reads each plan's statements once, in order, through the rules (checks*.cpp),
// then drops what the ignore comments and the settings silence, and sorts the rest.
#include <fmt/format.h>
#include <tide/driver.h>

#include <algorithm>
#include <array>

#include "lint/checks.h"
#include "lint/ignores.h"
#include "lint/lint.h"

namespace tide::lint {

namespace {

constexpr std::string_view kAllRules = "all";

std::string_view family_name(Family f) {
  switch (f) {
    case Family::kPostgres:
      return "postgres";
    case Family::kMysql:
      return "mysql";
    case Family::kSqlite:
      return "sqlite";
  }
  return "sqlite";
}

// The driver's dialect name when it is one tide knows; else what the tokenizer says (a
// PostgreSQL-compatible database brings a "postgres" lexer dialect).
Family family_of(const Target &t) {
  if (t.dialect_name == "postgres") return Family::kPostgres;
  if (t.dialect_name == "mysql") return Family::kMysql;
  if (t.dialect_name == "sqlite") return Family::kSqlite;
  switch (t.dialect) {
    case sql::Dialect::postgres:
      return Family::kPostgres;
    case sql::Dialect::mysql:
      return Family::kMysql;
    case sql::Dialect::sqlite:
      return Family::kSqlite;
  }
  return Family::kSqlite;
}

sql::Dialect lexer_of(Family f) {
  switch (f) {
    case Family::kPostgres:
      return sql::Dialect::postgres;
    case Family::kMysql:
      return sql::Dialect::mysql;
    case Family::kSqlite:
      return sql::Dialect::sqlite;
  }
  return sql::Dialect::sqlite;
}

// "15.4", "15.4 (Debian 15.4-1.pgdg120+1)", "9.6.24", or PQserverVersion's 150004.
int major_version(std::string_view v) {
  int n = 0;
  size_t i = 0;
  while (i < v.size() && v[i] >= '0' && v[i] <= '9' && n < 10000000) n = n * 10 + (v[i++] - '0');
  return n >= 10000 ? n / 10000 : n;
}

Facts facts_of(const Target &t) {
  Facts f;
  f.family = family_of(t);
  f.concurrent_index = (t.capabilities & TIDE_CAP_CONCURRENT_INDEX) != 0;
  f.transactional_ddl = (t.capabilities & TIDE_CAP_TRANSACTIONAL_DDL) != 0;
  if (f.family == Family::kPostgres) f.pg_major = major_version(t.server_version);
  f.lock_timeout_ms = t.lock_timeout_ms;
  return f;
}

bool lists(std::string_view dialects, std::string_view name) {
  while (!dialects.empty()) {
    const size_t comma = dialects.find(',');
    if (dialects.substr(0, comma) == name) return true;
    dialects = comma == std::string_view::npos ? std::string_view() : dialects.substr(comma + 1);
  }
  return false;
}

// Each rule's severity after the settings; kOff: it does not run.
std::array<Severity, kRuleCount> severities(const Settings &settings, Family family) {
  std::array<Severity, kRuleCount> out{};
  const auto contains = [](const std::vector<std::string> &ids, std::string_view id) {
    return std::find(ids.begin(), ids.end(), id) != ids.end();
  };
  for (size_t i = 0; i < kRuleCount; ++i) {
    const RuleInfo &r = rules()[i];
    out[i] = r.severity;
    for (const auto &[id, severity] : settings.severity)
      if (id == r.id) out[i] = severity;
    if (!lists(r.dialects, family_name(family)) || (!settings.enable.empty() && !contains(settings.enable, r.id)) ||
        contains(settings.disable, r.id))
      out[i] = Severity::kOff;
  }
  return out;
}

// The statement's first line, shortened, for the reader of a finding.
std::string first_line(std::string_view sql) {
  constexpr size_t kMax = 80;
  std::string_view line = sql.substr(0, sql.find('\n'));
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
  if (line.size() <= kMax) return std::string(line);
  size_t cut = kMax - 3;
  while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;  // not inside a character
  return std::string(line.substr(0, cut)) + "...";
}

// Reads one plan through the rules; hits and ignores are appended. s is scratch, reused.
void read_plan(const MigrationPlan &plan, const Facts &facts, Created &created, Statement &s, std::vector<Hit> &hits,
               std::vector<IgnoreName> &ignores) {
  Context c(facts, plan, created, hits);
  c.lock_timeout_ok = facts.lock_timeout_ms > 0 && facts.lock_timeout_ms <= kMaxLockTimeoutMs;
  const sql::Dialect dialect = lexer_of(facts.family);
  for (size_t i = 0; i < plan.statements.size(); ++i) {
    c.statement = i;
    s.read(plan.statements[i], dialect);
    collect_ignores(plan, i, s, dialect, ignores);
    check_statement(s, c);
  }
  if (!plan.has_down && !plan.irreversible)
    hits.push_back({RuleId::kMissingDown,
                    Hit::kFile,
                    {1, 1},
                    "this migration has no down and is not marked irreversible: tide down cannot revert it",
                    {}});
  // A plan that stopped early (a read, tide.exec, the migration's own error): the rest was
  // not checked. Reported at the statement it stopped at, where an ignore can accept it.
  if (!plan.stopped.empty()) {
    size_t at = plan.statements.empty() ? Hit::kFile : plan.statements.size() - 1;
    Position pos = plan.statements.empty() ? Position{1, 1}
                                           : Position{plan.statements.back().line, plan.statements.back().column};
    hits.push_back({RuleId::kIncompletePlan, at, pos,
                    fmt::format("lint checked this migration only as far as its plan goes: it {}", plan.stopped),
                    {}});
  }
  for (const std::string &name : plan.lint_ignore) ignores.push_back({name, Hit::kFile, {1, 1}});
  // An ignore that names no rule silences nothing: say so, where it is.
  for (const IgnoreName &ig : ignores) {
    if (ig.name == kAllRules || find_rule(ig.name)) continue;
    hits.push_back({RuleId::kUnknownLintIgnore,
                    ig.statement,
                    ig.pos,
                    ig.name.empty() ? std::string("tide:lint-ignore names no rule: it silences nothing")
                                    : fmt::format("tide:lint-ignore names `{}`, which is no lint rule: it silences "
                                                  "nothing",
                                                  ig.name),
                    {}});
  }
}

bool ignored(const Hit &h, const std::vector<IgnoreName> &ignores) {
  const std::string_view id = rules()[static_cast<size_t>(h.rule)].id;
  for (const IgnoreName &ig : ignores)
    if ((ig.statement == Hit::kFile || ig.statement == h.statement) && (ig.name == id || ig.name == kAllRules))
      return true;
  return false;
}

}  // namespace

std::vector<Finding> check(std::span<const MigrationPlan> plans, const Target &target, const Settings &settings) {
  const Facts facts = facts_of(target);
  const auto severity = severities(settings, facts.family);
  Created created;
  std::vector<Finding> out;
  std::vector<Hit> hits;
  std::vector<IgnoreName> ignores;
  Statement statement;
  for (const MigrationPlan &plan : plans) {
    if (!plan.skipped.empty()) continue;
    hits.clear();
    ignores.clear();
    read_plan(plan, facts, created, statement, hits, ignores);
    const size_t first = out.size();
    for (const Hit &h : hits) {
      Severity sev = severity[static_cast<size_t>(h.rule)];
      // A migration that fails by itself while planned fails in up too: an error, unless off.
      if (h.rule == RuleId::kIncompletePlan && plan.failed && sev == Severity::kWarning) sev = Severity::kError;
      if (sev == Severity::kOff || ignored(h, ignores)) continue;
      const RuleInfo &r = rules()[static_cast<size_t>(h.rule)];
      Finding f;
      f.rule = r.id;
      f.severity = sev;
      f.file = plan.file ? plan.file->display : std::string();
      f.line = h.pos.line;
      f.column = h.pos.column;
      f.message = h.message;
      f.fix = h.fix.empty() ? r.fix : h.fix;
      if (h.statement != Hit::kFile) f.statement = first_line(plan.statements[h.statement].sql);
      out.push_back(std::move(f));
    }
    // By position; at one position, a finding about the whole file first.
    std::stable_sort(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(),
                     [](const Finding &a, const Finding &b) {
                       if (a.line != b.line) return a.line < b.line;
                       if (a.column != b.column) return a.column < b.column;
                       return a.statement.empty() && !b.statement.empty();
                     });
  }
  return out;
}

}  // namespace tide::lint
