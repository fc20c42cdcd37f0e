// ADD COLUMN: not-null-without-default and add-column-default-rewrite. A column definition
// is read at the action's top level: its type, then NOT NULL, DEFAULT expr, GENERATED ...,
// PRIMARY KEY, AUTO_INCREMENT; a NOT NULL inside CHECK (...) is in parentheses, not here.
#include <fmt/format.h>

#include <array>

#include "lint/checks.h"

namespace tide::lint {

namespace {

constexpr size_t npos = Statement::npos;

// PostgreSQL functions whose result differs per row (pg_proc.provolatile = 'v'), as used
// in defaults: each makes ADD COLUMN write every row.
constexpr std::array kVolatile = {
    "RANDOM",           "RANDOM_NORMAL", "SETSEED", "CLOCK_TIMESTAMP",  "TIMEOFDAY",          "GEN_RANDOM_UUID",
    "GEN_RANDOM_BYTES", "UUIDV4",        "UUIDV7",  "UUID_GENERATE_V1", "UUID_GENERATE_V1MC", "UUID_GENERATE_V4",
    "NEXTVAL",          "CURRVAL",       "LASTVAL", "TXID_CURRENT",     "PG_CURRENT_XACT_ID",
};

// Stable or immutable functions common in defaults: evaluated once, stored in the catalog
// (PostgreSQL 11+), no rewrite. now() and current_timestamp are STABLE: the transaction's
// start time.
constexpr std::array kStable = {
    "NOW",
    "TRANSACTION_TIMESTAMP",
    "STATEMENT_TIMESTAMP",
    "CURRENT_TIMESTAMP",
    "CURRENT_DATE",
    "CURRENT_TIME",
    "LOCALTIME",
    "LOCALTIMESTAMP",
    "CURRENT_SETTING",
    "CURRENT_USER",
    "SESSION_USER",
    "CURRENT_SCHEMA",
    "TO_TIMESTAMP",
    "TO_DATE",
    "TO_CHAR",
    "TO_NUMBER",
    "DATE_TRUNC",
    "MAKE_DATE",
    "MAKE_TIME",
    "MAKE_TIMESTAMP",
    "MAKE_TIMESTAMPTZ",
    "MAKE_INTERVAL",
    "TIMEZONE",
    "LOWER",
    "UPPER",
    "TRIM",
    "BTRIM",
    "CONCAT",
    "CONCAT_WS",
    "COALESCE",
    "NULLIF",
    "GREATEST",
    "LEAST",
    "LENGTH",
    "ABS",
    "ROUND",
    "FLOOR",
    "CEIL",
    "MD5",
    "REPLACE",
    "SUBSTRING",
    "SUBSTR",
    "JSONB_BUILD_OBJECT",
    "JSON_BUILD_OBJECT",
    "JSONB_BUILD_ARRAY",
    "JSON_BUILD_ARRAY",
    "TO_JSON",
    "TO_JSONB",
    "ARRAY_FILL",
    "CAST",
    "ROW",
    "ARRAY",
};

// Words that end a DEFAULT expression: the next column constraint or option (not the NULL
// or NOT of an IS [NOT] NULL inside it).
constexpr std::array kAfterDefault = {
    "NOT", "NULL",    "CONSTRAINT",     "CHECK", "REFERENCES", "UNIQUE", "PRIMARY", "GENERATED", "COLLATE",
    "ON",  "COMMENT", "AUTO_INCREMENT", "FIRST", "AFTER",      "KEY",    "VISIBLE", "INVISIBLE",
};

bool is_any(const Statement &s, size_t i, const auto &keywords) {
  for (std::string_view kw : keywords)
    if (s.is(i, kw)) return true;
  return false;
}

// The column's definition, read at the top level from after its name to the action's end.
struct ColumnDef {
  size_t type = npos;      // the first word of the type
  size_t not_null = npos;  // NOT of NOT NULL
  size_t primary = npos;   // PRIMARY of PRIMARY KEY (implies NOT NULL)
  size_t unique = npos;    // UNIQUE
  size_t key_name = npos;  // the name after CONSTRAINT, before UNIQUE / PRIMARY KEY
  size_t default_at = npos;
  size_t default_end = npos;
  size_t generated = npos;  // GENERATED ... AS IDENTITY / AS (expr) STORED
  bool identity = false;
  bool stored = false;
  bool auto_increment = false;
};

// depth: the definition's own (0, or 1 inside MySQL's ADD (a int, b int)).
ColumnDef read_def(const Statement &s, size_t from, size_t end, int depth) {
  ColumnDef d;
  if (from < end && s.kind(from) == sql::TokenKind::word) d.type = from;
  size_t constraint_name = npos;
  for (size_t i = from; i < end; ++i) {
    if (s.depth(i) != depth) continue;
    if (s.is(i, "CONSTRAINT")) {
      constraint_name = i + 1;
    } else if (s.is(i, "NOT") && s.is(i + 1, "NULL")) {
      d.not_null = i++;
    } else if (s.is(i, "PRIMARY") && s.is(i + 1, "KEY")) {
      if (constraint_name == i - 1) d.key_name = constraint_name;
      d.primary = i++;
    } else if (s.is(i, "UNIQUE")) {
      if (constraint_name == i - 1) d.key_name = constraint_name;
      d.unique = i;
    } else if (s.is(i, "AUTO_INCREMENT")) {
      d.auto_increment = true;
    } else if (s.is(i, "DEFAULT") && d.default_at == npos) {
      d.default_at = i;
      size_t j = i + 2;  // the expression is at least one token: DEFAULT NULL
      while (j < end && !(s.depth(j) == depth && is_any(s, j, kAfterDefault) && !s.is(j - 1, "IS") &&
                          !(s.is(j - 1, "NOT") && s.is(j - 2, "IS"))))
        ++j;
      d.default_end = j;
      i = j - 1;
    } else if (s.is(i, "GENERATED")) {
      d.generated = i;
      for (size_t j = i + 1; j < end; ++j) {
        if (s.depth(j) != depth) continue;
        if (s.is(j, "IDENTITY")) d.identity = true;
        if (s.is(j, "STORED")) d.stored = true;
      }
    }
  }
  return d;
}

bool serial_type(const Statement &s, size_t type) {
  for (std::string_view t : {"SERIAL", "BIGSERIAL", "SMALLSERIAL", "SERIAL2", "SERIAL4", "SERIAL8"})
    if (s.is(type, t)) return true;
  return false;
}

// Built-in type names that take modifiers (varchar(10), numeric(10, 2), timestamp(3)) or
// end a multi-word one (character varying(10), bit varying(3), double precision). Followed
// by "(" they are a type, or a cast function of the same name, which is not volatile.
constexpr std::array kTypeWords = {
    "VARYING", "CHARACTER", "CHAR",  "VARCHAR", "NCHAR",  "NATIONAL",  "BIT",         "VARBIT",   "NUMERIC",
    "DECIMAL", "DEC",       "FLOAT", "TIME",    "TIMETZ", "TIMESTAMP", "TIMESTAMPTZ", "INTERVAL", "PRECISION",
};

// Whether the word at i, before "(", names a type: one of kTypeWords, the last word of a
// type after a cast's :: or AS ('x'::character varying(10), CAST(x AS my_type(3))), or a
// typed literal (varchar(10) 'x', whose ")" is followed by a string).
bool names_type(const Statement &s, size_t from, size_t i) {
  if (is_any(s, i, kTypeWords)) return true;
  // At most two words before it (national character varying): not across a whole
  // expression ('a'::text IS NULL THEN f()).
  for (size_t j = i; j > from && j + 3 > i; --j) {
    if (s.text(j - 1) == "::" || s.is(j - 1, "AS")) return true;
    if (s.kind(j - 1) != sql::TokenKind::word) break;
  }
  size_t close = i + 2;
  while (close < s.size() && s.depth(close) > s.depth(i)) ++close;
  return close + 1 < s.size() && s.kind(close + 1) == sql::TokenKind::string;
}

// The first function call in [from, to) that may be volatile, and whether it surely is.
// A word before "(" is a call unless it names a type.
size_t volatile_call(const Statement &s, size_t from, size_t to, bool &surely) {
  for (size_t i = from; i + 1 < to; ++i) {
    if (s.kind(i) != sql::TokenKind::word || !s.is_punct(i + 1, '(')) continue;
    if (names_type(s, from, i)) continue;
    const Volatility v = function_volatility(s.text(i));
    if (v == Volatility::kStable) continue;
    surely = v == Volatility::kVolatile;
    return i;
  }
  return npos;
}

void default_rewrite(const Statement &s, const ColumnDef &d, const std::string &column, Context &c) {
  if (c.facts.family != Family::kPostgres) return;
  const std::string where = fmt::format("ADD COLUMN {}", column);
  if (d.type != npos && serial_type(s, d.type))
    return c.hit(RuleId::kAddColumnDefaultRewrite, s, d.type,
                 fmt::format("{} {}: a serial column takes nextval() for every row, which rewrites the table while "
                             "reads and writes wait",
                             where, s.text(d.type)));
  if (d.generated != npos && (d.identity || d.stored))
    return c.hit(RuleId::kAddColumnDefaultRewrite, s, d.generated,
                 fmt::format("{}: a {} column is computed for every row, which rewrites the table while reads and "
                             "writes wait",
                             where, d.identity ? "GENERATED ... AS IDENTITY" : "GENERATED ... STORED"));
  if (d.default_at == npos) return;
  const bool null_default = d.default_end == d.default_at + 2 && s.is(d.default_at + 1, "NULL");
  if (c.facts.pg_major > 0 && c.facts.pg_major < 11 && !null_default)
    return c.hit(RuleId::kAddColumnDefaultRewrite, s, d.default_at,
                 fmt::format("{} with a DEFAULT rewrites the whole table on PostgreSQL {} (before 11) while reads "
                             "and writes wait",
                             where, c.facts.pg_major));
  bool surely = false;
  const size_t call = volatile_call(s, d.default_at + 1, d.default_end, surely);
  if (call == npos) return;
  c.hit(RuleId::kAddColumnDefaultRewrite, s, d.default_at,
        surely ? fmt::format("{} with the volatile default {}(): every row gets its own value, so the whole table "
                             "is rewritten while reads and writes wait",
                             where, s.text(call))
               : fmt::format("{} with the default {}(): if that function is VOLATILE, the whole table is rewritten "
                             "while reads and writes wait (STABLE and IMMUTABLE ones are safe: ignore this then)",
                             where, s.text(call)));
}

// UNIQUE or PRIMARY KEY on the new column: PostgreSQL builds the index while reads and
// writes wait, as ADD UNIQUE / ADD PRIMARY KEY do (checks_alter.cpp).
void column_index(const Statement &s, const ColumnDef &d, const std::string &column, const std::string &table,
                  Context &c) {
  if (c.facts.family != Family::kPostgres || !c.facts.concurrent_index) return;
  const size_t kw = d.unique != npos && (d.primary == npos || d.unique < d.primary) ? d.unique : d.primary;
  if (kw == npos) return;
  const bool unique = kw == d.unique;
  std::string index;
  if (d.key_name != npos && d.key_name + 1 == kw) {
    s.name(d.key_name, index);
  } else {
    index = implicit_index_name(table, unique ? column : std::string(), unique ? "key" : "pkey");
  }
  c.hit(RuleId::kIndexNotConcurrent, s, kw,
        fmt::format("ADD COLUMN {} ... {} on {} builds its index {} while reads and writes wait", column,
                    unique ? "UNIQUE" : "PRIMARY KEY", table, index),
        "add the column without UNIQUE / PRIMARY KEY; then, in a migration marked -- tide:no-transaction, CREATE "
        "UNIQUE INDEX CONCURRENTLY on it, and ALTER TABLE ... ADD CONSTRAINT ... UNIQUE USING INDEX (or PRIMARY "
        "KEY USING INDEX)");
}

}  // namespace

Volatility function_volatility(std::string_view name) {
  for (std::string_view f : kVolatile)
    if (keyword_equals(name, f)) return Volatility::kVolatile;
  for (std::string_view f : kStable)
    if (keyword_equals(name, f)) return Volatility::kStable;
  return Volatility::kUnknown;
}

void check_add_column(const Statement &s, size_t name, size_t end, const std::string &table, bool is_new, Context &c) {
  std::string column;
  const size_t after = s.name(name, column);
  if (after == name) return;
  const ColumnDef d = read_def(s, after, end, s.depth(name));
  const bool postgres = c.facts.family == Family::kPostgres;
  const bool has_value = d.default_at != npos || d.generated != npos || d.auto_increment ||
                         (postgres && d.type != npos && serial_type(s, d.type));
  const size_t not_null = d.not_null != npos ? d.not_null : d.primary;
  // SQLite, like PostgreSQL, accepts it on an empty table and refuses it once a row exists.
  if (not_null != npos && !has_value && !is_new) {
    std::string why =
        c.facts.family == Family::kMysql
            ? std::string("MySQL fills the existing rows with the type's implicit default (0, '') and copies the table")
            : fmt::format("fails as soon as the table has a row ({} cannot fill it)",
                          c.facts.family == Family::kSqlite ? "SQLite" : "PostgreSQL");
    c.hit(RuleId::kNotNullWithoutDefault, s, not_null,
          fmt::format("ADD COLUMN {} {} without a DEFAULT: {}", column, d.not_null != npos ? "NOT NULL" : "PRIMARY KEY",
                      why));
  }
  if (is_new) return;
  default_rewrite(s, d, column, c);
  column_index(s, d, column, table, c);
}

}  // namespace tide::lint
