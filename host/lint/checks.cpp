// The statement rules except ALTER TABLE (checks_alter.cpp) and the index statements
// (checks_index.cpp): a statement is recognised by its first words — CREATE INDEX, DROP
// TABLE, UPDATE, SET lock_timeout, ... — so the body of a CREATE FUNCTION / PROCEDURE /
// TRIGGER never fires a rule: it is not the start of the statement, whatever words it holds.
#include "lint/checks.h"

#include <fmt/format.h>

#include <algorithm>

namespace tide::lint {

namespace {

using sql::TokenKind;

// DROP TABLE [IF EXISTS] name [, name ...].
void drop_table(const Statement &s, size_t table_kw, Context &c) {
  size_t i = table_kw + 1;
  if (s.is(i, "IF") && s.is(i + 1, "EXISTS")) i += 2;
  std::string existing;
  while (i < s.size()) {
    const size_t after = s.qualified_name(i, c.name);
    if (after == i) break;
    if (!c.is_new_table(c.name) && existing.empty()) existing = c.name;
    c.created.tables.erase(c.name);
    i = after;
    if (!s.is_punct(i, ',')) break;
    ++i;
  }
  c.ddl(s, 0, !existing.empty());
  if (existing.empty()) return;
  c.hit(RuleId::kDropTable, s, 0, fmt::format("DROP TABLE {} deletes the table and all its rows", existing));
  c.locks(s, 0, "DROP TABLE");
}

// MySQL: RENAME TABLE a TO b [, c TO d ...].
void rename_tables(const Statement &s, Context &c) {
  size_t i = 2;
  bool fired = false;
  std::string from;
  while (i < s.size()) {
    const size_t after = s.qualified_name(i, from);
    if (after == i || !s.is(after, "TO")) break;
    i = s.qualified_name(after + 1, c.name);
    if (c.is_new_table(from)) {
      c.created.tables.insert(c.name);
    } else if (!fired) {
      fired = true;
      c.hit(RuleId::kRenameTable, s, 0,
            fmt::format("RENAME TABLE {} TO {}: code that still uses {} fails", from, c.name, from));
    }
    if (!s.is_punct(i, ',')) break;
    ++i;
  }
  c.ddl(s, 0, fired);
}

// CREATE ...: a table (new from here on), an index, a trigger; other objects are new.
void create(const Statement &s, Context &c) {
  size_t i = 1;
  if (s.is(i, "OR") && s.is(i + 1, "REPLACE")) i += 2;
  while (s.is(i, "GLOBAL") || s.is(i, "LOCAL") || s.is(i, "TEMP") || s.is(i, "TEMPORARY") || s.is(i, "UNLOGGED")) ++i;
  if (s.is(i, "TABLE")) {
    ++i;
    if (s.is(i, "IF") && s.is(i + 1, "NOT") && s.is(i + 2, "EXISTS")) i += 3;
    s.qualified_name(i, c.name);
    c.created.tables.insert(c.name);
    c.ddl(s, 0, false);
    return;
  }
  if (s.is(i, "UNIQUE") || s.is(i, "FULLTEXT") || s.is(i, "SPATIAL")) ++i;
  if (s.is(i, "INDEX")) return check_create_index(s, i, c);
  if (s.is(i, "TRIGGER") || (s.is(i, "CONSTRAINT") && s.is(i + 1, "TRIGGER"))) {
    const size_t on = s.find(i, s.size(), "ON");
    if (on != Statement::npos) s.qualified_name(on + 1, c.name);
    const bool existing = on != Statement::npos && !c.is_new_table(c.name);
    c.ddl(s, 0, existing);
    if (existing) c.locks(s, 0, "CREATE TRIGGER");
    return;
  }
  c.ddl(s, 0, false);
}

// The table an INSERT / UPDATE / DELETE / MERGE / REPLACE / COPY at verb changes.
void table_after(const Statement &s, size_t verb, std::string &out) {
  size_t i = verb + 1;
  if (s.is(i, "OR")) i += 2;  // SQLite: UPDATE OR REPLACE t, INSERT OR IGNORE INTO t
  while (s.is(i, "INTO") || s.is(i, "FROM") || s.is(i, "ONLY") || s.is(i, "LOW_PRIORITY") || s.is(i, "QUICK") ||
         s.is(i, "IGNORE") || s.is(i, "DELAYED") || s.is(i, "HIGH_PRIORITY"))
    ++i;
  s.qualified_name(i, out);
}

// WHERE TRUE, WHERE 1, WHERE 1 = 1: a whole table still. to: the statement's end.
bool trivial_where(const Statement &s, size_t where, size_t to) {
  const int depth = s.depth(where);
  size_t end = where + 1;
  while (end < to && !(s.depth(end) == depth && (s.is(end, "RETURNING") || s.is(end, "ORDER") || s.is(end, "LIMIT"))))
    ++end;
  const size_t n = end - where - 1;
  const auto one = [&](size_t i) { return s.kind(i) == TokenKind::number && s.text(i) == "1"; };
  if (n == 1) return s.is(where + 1, "TRUE") || one(where + 1);
  return n == 3 && one(where + 1) && s.is_punct(where + 2, '=') && one(where + 3);
}

// UPDATE / DELETE at verb, up to end: unbatched-write when nothing at its own level (not
// in a subquery) limits the rows.
void update_or_delete(const Statement &s, size_t verb, size_t end, const std::string &table, Context &c) {
  if (c.is_new_table(table)) return;
  const size_t where = s.find(verb + 1, end, "WHERE", s.depth(verb));
  const bool limited = s.find(verb + 1, end, "LIMIT", s.depth(verb)) != Statement::npos;
  if (limited || (where != Statement::npos && !trivial_where(s, where, end))) return;
  const bool update = s.is(verb, "UPDATE");
  c.hit(RuleId::kUnbatchedWrite, s, verb,
        fmt::format("{} {} {} every row of the table in one statement", update ? "UPDATE" : "DELETE FROM", table,
                    where == Statement::npos
                        ? (update ? "without WHERE changes" : "without WHERE deletes")
                        : (update ? "with an always-true WHERE changes" : "with an always-true WHERE deletes")));
}

// INSERT / UPDATE / DELETE / MERGE / REPLACE / COPY ... FROM at verb, up to end: a
// statement, the statement after WITH, or a data-modifying CTE (WITH d AS (DELETE ...)).
bool row_change(const Statement &s, size_t verb, size_t end, Context &c) {
  const bool copy_in = s.is(verb, "COPY") && s.find(verb + 1, end, "FROM") != Statement::npos;
  if (!(s.is(verb, "INSERT") || s.is(verb, "UPDATE") || s.is(verb, "DELETE") || s.is(verb, "MERGE") ||
        (s.is(verb, "REPLACE") && c.facts.family != Family::kPostgres) || copy_in))
    return false;
  std::string table;
  table_after(s, verb, table);
  c.dml(s, verb, table);
  if (s.is(verb, "UPDATE") || s.is(verb, "DELETE")) update_or_delete(s, verb, end, table, c);
  return true;
}

// WITH [RECURSIVE] name [(columns)] AS [[NOT] MATERIALIZED] (query) [, ...] statement: each
// CTE that changes rows (PostgreSQL), then the statement, whose verb is the first word at
// the top level after the CTEs (they are in parentheses).
void with_query(const Statement &s, Context &c) {
  for (size_t i = 1; i < s.size(); ++i) {
    if (s.depth(i) == 0) {
      if (s.is(i, "SELECT") || s.is(i, "VALUES") || s.is(i, "TABLE") || row_change(s, i, s.size(), c)) return;
      continue;
    }
    if (!s.is_punct(i - 1, '(') || !(s.is(i - 2, "AS") || s.is(i - 2, "MATERIALIZED"))) continue;
    size_t end = i;
    while (end < s.size() && s.depth(end) >= s.depth(i)) ++end;
    row_change(s, i, end, c);
  }
}

// SET [SESSION | LOCAL] lock_timeout { TO | = } value; RESET lock_timeout;
// SELECT set_config('lock_timeout', value, is_local).
void session_setting(const Statement &s, Context &c) {
  size_t i = 1;
  bool local = false;
  if (s.is(0, "SET")) {
    if (s.is(i, "SESSION")) ++i;
    if (s.is(i, "LOCAL")) {
      local = true;
      ++i;
    }
    if (!s.is(i, "LOCK_TIMEOUT")) return;
    ++i;
    if (s.is(i, "TO") || s.is_punct(i, '=')) ++i;
    if (i >= s.size()) return;
    std::string_view value = s.text(i);
    if (s.kind(i) == TokenKind::string && value.size() >= 2) value = value.substr(1, value.size() - 2);
    const int64_t ms = lock_timeout_value_ms(value);
    // SET LOCAL outside a transaction does nothing (PostgreSQL warns and goes on).
    if (local && !c.plan.transactional) return;
    c.lock_timeout_ok = ms < 0 || (ms > 0 && ms <= kMaxLockTimeoutMs);
    return;
  }
  if (s.is(0, "RESET")) {
    if (s.is(1, "LOCK_TIMEOUT") || s.is(1, "ALL"))
      c.lock_timeout_ok = c.facts.lock_timeout_ms > 0 && c.facts.lock_timeout_ms <= kMaxLockTimeoutMs;
    return;
  }
  // SELECT set_config('lock_timeout', '2s', false)
  if (s.size() < 8 || !s.is(1, "SET_CONFIG") || !s.is_punct(2, '(') || s.kind(3) != TokenKind::string ||
      s.kind(5) != TokenKind::string)
    return;
  if (!keyword_equals(s.text(3), "'LOCK_TIMEOUT'")) return;
  std::string_view value = s.text(5);
  value = value.substr(1, value.size() - 2);
  if (s.is(7, "TRUE") && !c.plan.transactional) return;
  const int64_t ms = lock_timeout_value_ms(value);
  c.lock_timeout_ok = ms < 0 || (ms > 0 && ms <= kMaxLockTimeoutMs);
}

}  // namespace

void Context::hit(RuleId rule, Position pos, std::string message, std::string_view fix) {
  hits.push_back({rule, statement, pos, std::move(message), fix});
}

// Reported at the row change, once both are known.
void Context::mixed() {
  std::string message =
      facts.transactional_ddl && plan.transactional
          ? fmt::format(
                "row changes (line {}) in the migration that changes the schema (line {}): the schema "
                "change's locks are held until the row changes are done",
                dml_pos.line, ddl_pos.line)
          : fmt::format(
                "row changes (line {}) in the migration that changes the schema (line {}): {} commits "
                "the schema change at once, so a failing row change leaves the migration half-applied "
                "(recorded dirty)",
                dml_pos.line, ddl_pos.line, facts.transactional_ddl ? "running without a transaction" : "the database");
  hits.push_back({RuleId::kMixedDdlDml, dml_statement, dml_pos, std::move(message), {}});
}

void Context::ddl(const Statement &s, size_t token, bool touches_existing) {
  if (has_ddl || !(touches_existing || !atomic())) return;
  has_ddl = true;
  ddl_pos = s.position(token);
  if (has_dml) mixed();
}

void Context::dml(const Statement &s, size_t token, const std::string &table) {
  if (has_dml || (atomic() && !table.empty() && is_new_table(table))) return;
  has_dml = true;
  dml_statement = statement;
  dml_pos = s.size() ? s.position(token) : Position{s.planned().line, s.planned().column};
  if (has_ddl) mixed();
}

void Context::concurrently(const Statement &s, size_t token, std::string_view what) {
  if (token == Statement::npos || !facts.concurrent_index || !plan.transactional) return;
  hit(RuleId::kConcurrentInTransaction, s, token,
      fmt::format("{} ... CONCURRENTLY cannot run inside a transaction block, and this migration runs in one", what));
}

void Context::locks(const Statement &s, size_t token, std::string_view what) {
  if (lock_timeout_ok || lock_timeout_reported) return;
  lock_timeout_reported = true;
  const std::string timeout = facts.lock_timeout_ms > 0 ? fmt::format("lock_timeout {} ms", facts.lock_timeout_ms)
                                                        : std::string("no lock_timeout");
  hit(RuleId::kMissingLockTimeout, s, token,
      fmt::format("{} waits for its lock with {}, and every query on the table queues behind it meanwhile", what,
                  timeout));
}

void check_statement(const Statement &s, Context &c) {
  const PlannedStatement &p = s.planned();
  if (p.kind == PlannedStatement::Kind::kRead) return;
  if (p.kind == PlannedStatement::Kind::kRows) return c.dml(s, 0, {});
  if (s.size() == 0) return;
  if (s.is(0, "CREATE")) return create(s, c);
  if (s.is(0, "ALTER")) {
    size_t i = 1;
    while (s.is(i, "ONLINE") || s.is(i, "IGNORE")) ++i;  // MySQL / MariaDB
    if (s.is(i, "TABLE")) return check_alter_table(s, i, c);
    return c.ddl(s, 0, true);  // ALTER INDEX / TYPE / VIEW / SEQUENCE ...
  }
  if (s.is(0, "DROP")) {
    if (s.is(1, "TABLE")) return drop_table(s, 1, c);
    if (s.is(1, "INDEX")) return check_drop_index(s, 1, c);
    return c.ddl(s, 0, true);
  }
  if (s.is(0, "RENAME") && s.is(1, "TABLE")) return rename_tables(s, c);
  if (s.is(0, "TRUNCATE")) {
    size_t i = s.is(1, "TABLE") ? 2 : 1;
    if (s.is(i, "ONLY")) ++i;
    s.qualified_name(i, c.name);
    c.dml(s, 0, c.name);
    if (!c.is_new_table(c.name)) c.locks(s, 0, "TRUNCATE");
    return;
  }
  if (s.is(0, "REINDEX")) return check_reindex(s, c);
  if (s.is(0, "SET") || s.is(0, "RESET") || s.is(0, "SELECT")) return session_setting(s, c);
  if (s.is(0, "WITH")) return with_query(s, c);
  row_change(s, 0, s.size(), c);
}

int64_t lock_timeout_value_ms(std::string_view value) {
  if (keyword_equals(value, "DEFAULT")) return 0;
  size_t i = 0;
  int64_t n = 0;
  while (i < value.size() && value[i] == ' ') ++i;
  const size_t digits = i;
  while (i < value.size() && value[i] >= '0' && value[i] <= '9' && n < (int64_t{1} << 40))
    n = n * 10 + (value[i++] - '0');
  if (i == digits) return -1;
  while (i < value.size() && value[i] == ' ') ++i;
  const std::string_view unit = value.substr(i);
  if (unit.empty() || keyword_equals(unit, "MS")) return n;
  if (keyword_equals(unit, "US")) return n == 0 ? 0 : std::max<int64_t>(1, n / 1000);
  if (keyword_equals(unit, "S")) return n * 1000;
  if (keyword_equals(unit, "MIN")) return n * 60 * 1000;
  if (keyword_equals(unit, "H")) return n * 3600 * 1000;
  if (keyword_equals(unit, "D")) return n * 24 * 3600 * 1000;
  return -1;
}

}  // namespace tide::lint
