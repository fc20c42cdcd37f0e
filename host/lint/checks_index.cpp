// The index statements: CREATE INDEX, DROP INDEX, REINDEX (index-not-concurrent,
// concurrent-in-transaction, missing-lock-timeout; on MySQL, alter-without-algorithm).
#include <fmt/format.h>

#include "lint/checks.h"

namespace tide::lint {

namespace {

// MySQL: CREATE / DROP INDEX is an ALTER TABLE underneath, and takes its ALGORITHM= and
// LOCK= options after the index (alter-without-algorithm). from: where they may start.
void index_algorithm(const Statement &s, size_t from, std::string_view what, const std::string &table, Context &c) {
  if (c.facts.family != Family::kMysql) return;
  for (size_t i = from; i < s.size(); ++i)
    if (s.depth(i) == 0 && s.is(i, "ALGORITHM") && online_algorithm(s, i)) return;
  c.hit(RuleId::kAlterWithoutAlgorithm, s, 0,
        fmt::format("{} on {} without ALGORITHM=INPLACE is an ALTER TABLE: the server copies the table when it "
                    "cannot build in place, and writes wait meanwhile",
                    what, table),
        "add ALGORITHM=INPLACE LOCK=NONE after the index's columns, so the server refuses instead of copying; use "
        "an online schema change tool (gh-ost, pt-online-schema-change) for what must copy");
}

}  // namespace

// CREATE [UNIQUE] INDEX [CONCURRENTLY] [IF NOT EXISTS] [name] ON [ONLY] table (PostgreSQL,
// SQLite; MySQL's FULLTEXT / SPATIAL too). A PostgreSQL index is in its table's schema;
// SQLite writes the schema on the index (CREATE INDEX aux.i ON t).
void check_create_index(const Statement &s, size_t index_kw, Context &c) {
  size_t i = index_kw + 1;
  const size_t concurrently = s.is(i, "CONCURRENTLY") ? i++ : Statement::npos;
  if (s.is(i, "IF") && s.is(i + 1, "NOT") && s.is(i + 2, "EXISTS")) i += 3;
  std::string index_name;
  if (!s.is(i, "ON")) i = s.qualified_name(i, index_name);
  const size_t on = s.find(i, s.size(), "ON");
  if (on == Statement::npos) return;
  size_t t = on + 1;
  if (s.is(t, "ONLY")) ++t;
  s.qualified_name(t, c.name);
  if (c.facts.family == Family::kSqlite && c.name.find('.') == std::string::npos)
    c.name = qualified(schema_of(index_name), c.name);
  if (c.facts.family == Family::kPostgres && !index_name.empty()) index_name = qualified(schema_of(c.name), index_name);
  const bool is_new = c.is_new_table(c.name);
  if (is_new && !index_name.empty()) c.created.indexes.insert(index_name);

  c.concurrently(s, concurrently, "CREATE INDEX");
  c.ddl(s, 0, !is_new);
  if (is_new || concurrently != Statement::npos) return;
  if (c.facts.concurrent_index)
    c.hit(RuleId::kIndexNotConcurrent, s, index_kw,
          fmt::format("CREATE INDEX on {} without CONCURRENTLY blocks writes to the table until the index is built",
                      c.name));
  index_algorithm(s, t, "CREATE INDEX", c.name, c);
  c.locks(s, 0, "CREATE INDEX");
}

// DROP INDEX [CONCURRENTLY] [IF EXISTS] name [, name ...]; MySQL: DROP INDEX name ON table.
void check_drop_index(const Statement &s, size_t index_kw, Context &c) {
  size_t i = index_kw + 1;
  const size_t concurrently = s.is(i, "CONCURRENTLY") ? i++ : Statement::npos;
  if (s.is(i, "IF") && s.is(i + 1, "EXISTS")) i += 2;
  bool all_new = true;
  std::string first, table;
  while (i < s.size()) {
    const size_t after = s.qualified_name(i, c.name);
    if (after == i) break;
    if (first.empty()) first = c.name;
    i = after;
    if (s.is(i, "ON")) {  // MySQL: the index is its table's, new when the table is
      i = s.qualified_name(i + 1, table);
      all_new = c.is_new_table(table);
      break;
    }
    if (c.created.indexes.count(c.name) == 0) all_new = false;
    if (!s.is_punct(i, ',')) break;
    ++i;
  }
  c.concurrently(s, concurrently, "DROP INDEX");
  c.ddl(s, 0, !all_new);
  if (all_new || concurrently != Statement::npos) return;
  if (c.facts.concurrent_index)
    c.hit(RuleId::kIndexNotConcurrent, s, index_kw,
          fmt::format("DROP INDEX {} without CONCURRENTLY locks its table against reads and writes", first));
  if (!table.empty()) index_algorithm(s, i, "DROP INDEX", table, c);
  c.locks(s, 0, "DROP INDEX");
}

// REINDEX [(option [value], ...)] {INDEX | TABLE | SCHEMA | DATABASE | SYSTEM} [CONCURRENTLY]
// name (PostgreSQL; SQLite's REINDEX has no kind and locks nothing that matters here).
// Without CONCURRENTLY it blocks writes to the table (and reads that use the index) while
// it rebuilds, as CREATE INDEX does: index-not-concurrent, where REINDEX CONCURRENTLY
// exists (PostgreSQL 12+).
void check_reindex(const Statement &s, Context &c) {
  size_t i = 1;
  size_t concurrently = Statement::npos;
  if (s.is_punct(i, '(')) {
    for (++i; i < s.size() && s.depth(i) > 0; ++i) {
      if (!s.is(i, "CONCURRENTLY")) continue;
      const bool off = s.is(i + 1, "FALSE") || s.is(i + 1, "OFF") ||
                       (i + 1 < s.size() && (s.text(i + 1) == "0" || keyword_equals(s.text(i + 1), "'FALSE'") ||
                                             keyword_equals(s.text(i + 1), "'OFF'")));
      concurrently = off ? Statement::npos : i;
    }
    ++i;
  }
  const size_t kind = i++;
  if (s.is(i, "CONCURRENTLY")) concurrently = i++;
  c.concurrently(s, concurrently, "REINDEX");
  if (concurrently != Statement::npos || c.facts.family != Family::kPostgres || kind >= s.size()) return;
  s.qualified_name(i, c.name);
  const bool table = s.is(kind, "TABLE");
  if ((table && c.is_new_table(c.name)) || (s.is(kind, "INDEX") && c.created.indexes.count(c.name) != 0)) return;
  c.locks(s, 0, "REINDEX");
  if (!c.facts.concurrent_index || s.is(kind, "SYSTEM") || (c.facts.pg_major > 0 && c.facts.pg_major < 12)) return;
  std::string message;
  if (s.is(kind, "INDEX"))
    message = fmt::format(
        "REINDEX INDEX {} without CONCURRENTLY blocks writes to its table, and reads that use "
        "the index, until it is rebuilt",
        c.name);
  else if (table)
    message = fmt::format(
        "REINDEX TABLE {} without CONCURRENTLY blocks writes to the table, and reads that use "
        "its indexes, until they are rebuilt",
        c.name);
  else
    message = fmt::format(
        "REINDEX {} {} without CONCURRENTLY blocks writes to each of its tables in turn while "
        "their indexes are rebuilt",
        s.text(kind), c.name);
  c.hit(RuleId::kIndexNotConcurrent, s, 0, message,
        "REINDEX ... CONCURRENTLY (PostgreSQL 12+) in a migration marked -- tide:no-transaction");
}

}  // namespace tide::lint
