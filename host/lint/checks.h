// Internal to host/lint: what the rules share while check() reads the plans — the rule
// ids as an enum (in rules()' order), the facts about the target worked out once, the
// tables created so far, and the state of the migration being read. The rules report
// Hits; check.cpp applies ignores and settings and turns them into Findings.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "lint/lint.h"
#include "lint/statement.h"

namespace tide::lint {

// One per row of rules(), in the same order (rules.cpp checks it at compile time).
enum class RuleId : uint8_t {
  kNotNullWithoutDefault,
  kAddColumnDefaultRewrite,
  kIndexNotConcurrent,
  kConcurrentInTransaction,
  kConstraintWithoutNotValid,
  kMissingLockTimeout,
  kChangeColumnType,
  kRenameColumn,
  kRenameTable,
  kDropColumn,
  kDropTable,
  kMixedDdlDml,
  kUnbatchedWrite,
  kMissingDown,
  kAlterWithoutAlgorithm,
  kUnknownLintIgnore,
  kIncompletePlan,
  kCount,
};
constexpr size_t kRuleCount = static_cast<size_t>(RuleId::kCount);

enum class Family { kPostgres, kMysql, kSqlite };

// A lock_timeout at most this long makes locking DDL safe enough (missing-lock-timeout).
constexpr int64_t kMaxLockTimeoutMs = 5000;

// What the rules know of the target, from lint::Target.
struct Facts {
  Family family = Family::kSqlite;
  bool concurrent_index = false;   // TIDE_CAP_CONCURRENT_INDEX
  bool transactional_ddl = false;  // TIDE_CAP_TRANSACTIONAL_DDL
  int pg_major = 0;                // 0: unknown (offline): a supported version, 11+, is assumed
  int64_t lock_timeout_ms = 0;     // the session's, set by tide; 0: none
};

// A rule that fired, before ignores and settings. statement: the index in the plan's
// statements, or kFile for rules about the whole migration.
struct Hit {
  static constexpr size_t kFile = static_cast<size_t>(-1);
  RuleId rule;
  size_t statement;
  Position pos;
  std::string message;
  std::string_view fix;  // empty: the rule's
};

// Tables and indexes created by the statements read so far in one check() call: "new",
// so rules about tables that exist before the run (and have rows, and users) skip them.
struct Created {
  std::unordered_set<std::string> tables;
  std::unordered_set<std::string> indexes;
};

// The state of one migration while its statements are read in order.
struct Context {
  Context(const Facts &f, const MigrationPlan &p, Created &c, std::vector<Hit> &h)
      : facts(f), plan(p), created(c), hits(h) {}

  const Facts &facts;
  const MigrationPlan &plan;
  Created &created;
  std::vector<Hit> &hits;
  size_t statement = 0;  // the index of the statement being read
  std::string name;      // scratch for Statement::name

  // missing-lock-timeout: a lock_timeout of at most kMaxLockTimeoutMs is in force; the
  // rule fires once per migration.
  bool lock_timeout_ok = false;
  bool lock_timeout_reported = false;
  // mixed-ddl-dml: the first schema change and the first row change that count.
  bool has_ddl = false;
  Position ddl_pos;
  bool has_dml = false;
  size_t dml_statement = 0;
  Position dml_pos;

  void hit(RuleId rule, Position pos, std::string message, std::string_view fix = {});
  void hit(RuleId rule, const Statement &s, size_t token, std::string message, std::string_view fix = {}) {
    hit(rule, s.position(token), std::move(message), fix);
  }
  bool is_new_table(const std::string &normalized) const { return created.tables.count(normalized) != 0; }
  // A transaction makes creating a table and filling it one step (mixed-ddl-dml).
  bool atomic() const { return facts.transactional_ddl && plan.transactional; }

  // The statement changes the schema (DDL); touches_existing: of a table from before the run.
  void ddl(const Statement &s, size_t token, bool touches_existing);
  // The statement changes rows of table (normalized; empty: unknown).
  void dml(const Statement &s, size_t token, const std::string &table);
  // The statement says CONCURRENTLY at token (npos: it does not), which PostgreSQL refuses
  // in a transaction (concurrent-in-transaction); what: "CREATE INDEX", ...
  void concurrently(const Statement &s, size_t token, std::string_view what);
  // The statement takes a lock on a table from before the run (missing-lock-timeout).
  void locks(const Statement &s, size_t token, std::string_view what);

 private:
  void mixed();
};

// The statement rules: checks.cpp reads a statement and dispatches on its first words;
// checks_alter.cpp reads ALTER TABLE (from the index of its TABLE keyword).
void check_statement(const Statement &s, Context &c);
void check_alter_table(const Statement &s, size_t table_kw, Context &c);

// CREATE INDEX (from the index of INDEX), DROP INDEX (likewise), REINDEX (checks_index.cpp).
void check_create_index(const Statement &s, size_t index_kw, Context &c);
void check_drop_index(const Statement &s, size_t index_kw, Context &c);
void check_reindex(const Statement &s, Context &c);

// ADD COLUMN: from the column's name to the end of the column's definition; table: the
// table's key, is_new: whether it is new (checks_column.cpp).
void check_add_column(const Statement &s, size_t name, size_t end, const std::string &table, bool is_new, Context &c);

// Helpers of the rules (checks_alter.cpp).
// MySQL: ALGORITHM [=] INSTANT / INPLACE / NOCOPY (MariaDB) at algorithm_kw, which never copy.
bool online_algorithm(const Statement &s, size_t algorithm_kw);
// The schema of a table's key ("archive" of "archive.users"; empty when unqualified), and
// a key from a schema and a name.
std::string_view schema_of(std::string_view key);
std::string qualified(std::string_view schema, std::string_view name);
// The name PostgreSQL gives the index of a constraint added without a name: table_pkey,
// table_a_b_key (columns "a_b", label "key"), cut to 63 bytes as it does.
std::string implicit_index_name(std::string_view table, std::string_view columns, std::string_view label);
// index-not-concurrent's fix for a UNIQUE / PRIMARY KEY constraint that builds its index.
constexpr std::string_view kUniqueIndexFix =
    "CREATE UNIQUE INDEX CONCURRENTLY in a migration marked -- tide:no-transaction, then ALTER TABLE ... ADD "
    "CONSTRAINT ... UNIQUE USING INDEX (or PRIMARY KEY USING INDEX)";

// A function's volatility, for a DEFAULT (checks_column.cpp): PostgreSQL rewrites the
// table when ADD COLUMN's default is volatile.
enum class Volatility { kVolatile, kStable, kUnknown };
Volatility function_volatility(std::string_view name);

// How long a lock_timeout value is ('2s', 500, '1min', DEFAULT): milliseconds, 0 for
// none, -1 when it cannot be read.
int64_t lock_timeout_value_ms(std::string_view value);

}  // namespace tide::lint
