// ALTER TABLE: the table (new in this run, or existing), then each of its actions (split at
// the top-level commas): ADD COLUMN / CONSTRAINT, ALTER COLUMN, DROP, RENAME, MySQL's
// MODIFY / CHANGE / ALGORITHM, PostgreSQL's DETACH PARTITION.
#include <fmt/format.h>

#include "lint/checks.h"

namespace tide::lint {

namespace {

constexpr size_t npos = Statement::npos;

struct Table {
  std::string name;
  bool is_new = false;
};

// What the statement's actions add up to (for the rules about the whole statement).
struct Summary {
  bool algorithm = false;    // ALGORITHM=INSTANT / INPLACE (MySQL)
  bool only_renames = true;  // every action is a RENAME (metadata only on MySQL)
};

// The name of the index that `UNIQUE (a, b)` at kw builds (table_a_b_key), or of a PRIMARY
// KEY's (table_pkey); named: the constraint's name.
std::string constraint_index(const Statement &s, size_t kw, size_t end, const std::string &constraint, const Table &t) {
  if (!constraint.empty()) return constraint;
  if (s.is(kw, "PRIMARY")) return implicit_index_name(t.name, {}, "pkey");
  std::string columns, column;
  size_t open = kw + 1;
  while (open < end && !s.is_punct(open, '(')) ++open;
  for (size_t i = open + 1; i < end && s.depth(i) > s.depth(open); ++i) {
    if (s.depth(i) != s.depth(open) + 1 || s.name(i, column) == i) continue;
    if (!columns.empty()) columns += '_';
    columns += column;
    while (i + 1 < end && !(s.depth(i + 1) == s.depth(open) + 1 && s.is_punct(i + 1, ','))) ++i;
  }
  return implicit_index_name(t.name, columns, "key");
}

// ADD [CONSTRAINT name] FOREIGN KEY / CHECK / UNIQUE / PRIMARY KEY at kw; end: the action's end.
void add_constraint(const Statement &s, size_t kw, size_t end, const std::string &constraint, const Table &t,
                    Context &c) {
  if (t.is_new || c.facts.family != Family::kPostgres) return;
  const bool not_valid = [&] {
    for (size_t i = kw; i + 1 < end; ++i)
      if (s.depth(i) == 0 && s.is(i, "NOT") && s.is(i + 1, "VALID")) return true;
    return false;
  }();
  if (s.is(kw, "FOREIGN") || s.is(kw, "CHECK")) {
    if (!not_valid)
      c.hit(RuleId::kConstraintWithoutNotValid, s, kw,
            fmt::format("ADD {} on {} without NOT VALID checks every row while writes wait",
                        s.is(kw, "CHECK") ? "CHECK" : "FOREIGN KEY", t.name));
    return;
  }
  if (!(s.is(kw, "UNIQUE") || s.is(kw, "PRIMARY")) || !c.facts.concurrent_index) return;
  // UNIQUE USING INDEX name takes an index built before; UNIQUE (a) USING INDEX
  // TABLESPACE ts still builds one.
  const size_t using_kw = s.is(kw, "UNIQUE") ? kw + 1 : kw + 2;
  if (s.is(using_kw, "USING") && s.is(using_kw + 1, "INDEX") && !s.is(using_kw + 2, "TABLESPACE")) return;
  c.hit(RuleId::kIndexNotConcurrent, s, kw,
        fmt::format("ADD {} on {} builds its index {} while reads and writes wait",
                    s.is(kw, "UNIQUE") ? "UNIQUE" : "PRIMARY KEY", t.name, constraint_index(s, kw, end, constraint, t)),
        kUniqueIndexFix);
}

// MySQL: ADD [COLUMN] (name def, name def, ...) from its "(" to the action's end.
void add_columns(const Statement &s, size_t open, size_t end, const Table &t, Context &c) {
  const int depth = s.depth(open) + 1;
  size_t from = open + 1;
  for (size_t j = from; j <= end; ++j) {
    const bool closes = j == end || s.depth(j) < depth;
    if (!closes && !(s.depth(j) == depth && s.is_punct(j, ','))) continue;
    if (j > from) check_add_column(s, from, j, t.name, t.is_new, c);
    if (closes) return;
    from = j + 1;
  }
}

// ADD [COLUMN] [IF NOT EXISTS] name def | ADD [CONSTRAINT name] constraint | ADD INDEX ...
void add(const Statement &s, size_t a, size_t end, const Table &t, Context &c) {
  size_t i = a + 1;
  const bool column_kw = s.is(i, "COLUMN");
  if (column_kw) ++i;
  if (s.is(i, "IF") && s.is(i + 1, "NOT") && s.is(i + 2, "EXISTS")) i += 3;
  if (s.is_punct(i, '(')) return add_columns(s, i, end, t, c);
  if (!column_kw) {
    std::string constraint;
    if (s.is(i, "CONSTRAINT")) i = s.name(i + 1, constraint);
    for (std::string_view kw : {"FOREIGN", "CHECK", "UNIQUE", "PRIMARY"})
      if (s.is(i, kw)) return add_constraint(s, i, end, constraint, t, c);
    for (std::string_view kw :
         {"CONSTRAINT", "EXCLUDE", "INDEX", "KEY", "FULLTEXT", "SPATIAL", "PARTITION", "PERIOD", "SYSTEM", "VALUE"})
      if (s.is(i, kw)) return;
  }
  check_add_column(s, i, end, t.name, t.is_new, c);
}

// ALTER [COLUMN] name { [SET DATA] TYPE | SET NOT NULL | ... }.
void alter_column(const Statement &s, size_t a, size_t end, const Table &t, Context &c) {
  size_t i = a + 1;
  if (s.is(i, "COLUMN")) ++i;
  std::string column;
  i = s.name(i, column);
  if (t.is_new || i >= end) return;
  const size_t type =
      s.is(i, "TYPE") ? i : (s.is(i, "SET") && s.is(i + 1, "DATA") && s.is(i + 2, "TYPE") ? i + 2 : npos);
  if (type != npos && c.facts.family == Family::kPostgres)
    c.hit(RuleId::kChangeColumnType, s, type,
          fmt::format("ALTER COLUMN {} TYPE rewrites {} (and its indexes) while reads and writes wait, unless the "
                      "old type converts without a rewrite (varchar to text, a longer varchar)",
                      column, t.name));
  if (s.is(i, "SET") && s.is(i + 1, "NOT") && s.is(i + 2, "NULL") && c.facts.family == Family::kPostgres)
    c.hit(RuleId::kNotNullWithoutDefault, s, i + 1,
          fmt::format("SET NOT NULL on {}.{} scans the whole table while reads and writes wait", t.name, column));
}

// DROP [COLUMN] [IF EXISTS] name, or DROP CONSTRAINT / INDEX / KEY / ... (not a column).
void drop(const Statement &s, size_t a, const Table &t, Context &c) {
  size_t i = a + 1;
  if (!s.is(i, "COLUMN")) {
    for (std::string_view kw : {"CONSTRAINT", "INDEX", "KEY", "PRIMARY", "FOREIGN", "CHECK", "PARTITION", "DEFAULT",
                                "PERIOD", "SYSTEM", "EXPRESSION", "IDENTITY"})
      if (s.is(i, kw)) return;
  } else {
    ++i;
  }
  if (s.is(i, "IF") && s.is(i + 1, "EXISTS")) i += 2;
  std::string column;
  if (s.name(i, column) == i || t.is_new) return;
  c.hit(RuleId::kDropColumn, s, a,
        fmt::format("DROP COLUMN {}.{} deletes its data, and code that still reads it fails", t.name, column));
}

// RENAME: the table (RENAME TO / AS / name on MySQL), a column, or a constraint / index.
void rename(const Statement &s, size_t a, Table &t, Context &c) {
  size_t i = a + 1;
  const bool mysql = c.facts.family == Family::kMysql;
  if (s.is(i, "CONSTRAINT") || s.is(i, "INDEX") || s.is(i, "KEY")) return;
  bool table = s.is(i, "TO") || s.is(i, "AS");
  if (!table && !s.is(i, "COLUMN") && mysql) table = true;  // MySQL: ALTER TABLE t RENAME new_name
  if (table) {
    if (s.is(i, "TO") || s.is(i, "AS")) ++i;
    // PostgreSQL and SQLite keep the table in its schema; MySQL moves it to the database
    // the new name says (the current one when unqualified).
    std::string to;
    s.qualified_name(i, to);
    if (!mysql && to.find('.') == std::string::npos) to = qualified(schema_of(t.name), to);
    if (t.is_new) {
      c.created.tables.insert(to);
      return;
    }
    c.hit(RuleId::kRenameTable, s, a,
          fmt::format("RENAME TO {}: code that still uses {} fails as soon as this commits", to, t.name));
    return;
  }
  if (s.is(i, "COLUMN")) ++i;
  std::string from;
  i = s.name(i, from);
  if (t.is_new || !s.is(i, "TO")) return;
  std::string to;
  s.name(i + 1, to);
  c.hit(RuleId::kRenameColumn, s, a,
        fmt::format("RENAME COLUMN {}.{} TO {}: code that still uses {} fails as soon as this commits", t.name, from,
                    to, from));
}

// MySQL: MODIFY [COLUMN] name def; CHANGE [COLUMN] old new def.
void modify_or_change(const Statement &s, size_t a, const Table &t, Context &c) {
  if (t.is_new || c.facts.family != Family::kMysql) return;
  size_t i = a + 1;
  if (s.is(i, "COLUMN")) ++i;
  std::string old_name, new_name;
  i = s.name(i, old_name);
  if (s.is(a, "CHANGE")) s.name(i, new_name);
  if (s.is(a, "CHANGE") && new_name != old_name) {
    c.hit(RuleId::kRenameColumn, s, a,
          fmt::format("CHANGE COLUMN {} {} renames {}.{}: code that still uses {} fails (and a changed type also "
                      "copies the table)",
                      old_name, new_name, t.name, old_name, old_name));
    return;
  }
  c.hit(RuleId::kChangeColumnType, s, a,
        fmt::format("{} COLUMN {} redefines {}.{}: a new type (or nullability) copies the table, and code that "
                    "reads the old type breaks",
                    s.is(a, "CHANGE") ? "CHANGE" : "MODIFY", old_name, t.name, old_name));
}

// One action [a, end).
void action(const Statement &s, size_t a, size_t end, Table &t, Summary &sum, Context &c) {
  if (!s.is(a, "RENAME")) sum.only_renames = false;
  if (s.is(a, "ADD")) return add(s, a, end, t, c);
  if (s.is(a, "ALTER")) return alter_column(s, a, end, t, c);
  if (s.is(a, "DROP")) return drop(s, a, t, c);
  if (s.is(a, "RENAME")) return rename(s, a, t, c);
  if (s.is(a, "MODIFY") || s.is(a, "CHANGE")) return modify_or_change(s, a, t, c);
  if (s.is(a, "ALGORITHM")) {
    size_t i = a + 1;
    if (s.is_punct(i, '=')) ++i;
    sum.algorithm = online_algorithm(s, a) || sum.algorithm;
    return;
  }
  if (s.is(a, "DETACH")) c.concurrently(s, s.find(a, end, "CONCURRENTLY"), "DETACH PARTITION");
}

}  // namespace

bool online_algorithm(const Statement &s, size_t algorithm_kw) {
  size_t i = algorithm_kw + 1;
  if (s.is_punct(i, '=')) ++i;
  return s.is(i, "INSTANT") || s.is(i, "INPLACE") || s.is(i, "NOCOPY");
}

std::string_view schema_of(std::string_view key) {
  const size_t dot = key.rfind('.');
  return dot == std::string_view::npos ? std::string_view() : key.substr(0, dot);
}

std::string qualified(std::string_view schema, std::string_view name) {
  std::string out;
  if (!schema.empty()) {
    out.append(schema);
    out.push_back('.');
  }
  out.append(name);
  return out;
}

// PostgreSQL's makeObjectName: table_columns_label, each part cut (the longer first) so
// the whole fits in NAMEDATALEN - 1 = 63 bytes.
std::string implicit_index_name(std::string_view table, std::string_view columns, std::string_view label) {
  constexpr size_t kMaxName = 63;
  const size_t dot = table.rfind('.');
  if (dot != std::string_view::npos) table.remove_prefix(dot + 1);
  const size_t overhead = label.size() + 1 + (columns.empty() ? 0 : 1);
  size_t n1 = table.size();
  size_t n2 = columns.size();
  while (n1 + n2 + overhead > kMaxName && n1 + n2 > 0) (n1 > n2 ? n1 : n2)--;
  std::string out(table.substr(0, n1));
  if (!columns.empty()) {
    out.push_back('_');
    out.append(columns.substr(0, n2));
  }
  out.push_back('_');
  out.append(label);
  return out;
}

void check_alter_table(const Statement &s, size_t table_kw, Context &c) {
  size_t i = table_kw + 1;
  if (s.is(i, "IF") && s.is(i + 1, "EXISTS")) i += 2;
  if (s.is(i, "ONLY")) ++i;
  Table t;
  i = s.qualified_name(i, t.name);
  if (s.is_punct(i, '*')) ++i;
  t.is_new = c.is_new_table(t.name);

  Summary sum;
  size_t a = i;
  for (size_t j = i; j <= s.size(); ++j) {
    if (j < s.size() && !(s.depth(j) == 0 && s.is_punct(j, ','))) continue;
    if (j > a) action(s, a, j, t, sum, c);
    a = j + 1;
  }
  c.ddl(s, 0, !t.is_new);
  if (t.is_new) return;
  c.locks(s, 0, "ALTER TABLE");
  if (c.facts.family == Family::kMysql && !sum.algorithm && !sum.only_renames)
    c.hit(RuleId::kAlterWithoutAlgorithm, s, 0,
          fmt::format("ALTER TABLE {} without ALGORITHM=INSTANT or INPLACE: the server copies the table when it "
                      "cannot do better, and writes wait meanwhile",
                      t.name));
}

}  // namespace tide::lint
