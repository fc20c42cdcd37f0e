// The rule table of SPEC §7. docs/lint.md shows the same rows; a unit test checks that
// every rule here has its row there and at least one firing test.
#include <iterator>

#include "lint/checks.h"
#include "lint/lint.h"

namespace tide::lint {

namespace {

constexpr const char *kAll = "postgres,mysql,sqlite";

constexpr RuleInfo kRules[] = {
    {"not-null-without-default", kAll, Severity::kError,
     "ADD COLUMN ... NOT NULL without a DEFAULT (and, on PostgreSQL, ALTER COLUMN ... SET NOT NULL): fails on a "
     "table with rows, or scans it under an exclusive lock",
     "add the column nullable (or with a DEFAULT), backfill it in batches, then add NOT NULL; on PostgreSQL 12+ "
     "add CHECK (col IS NOT NULL) NOT VALID and VALIDATE it first, so SET NOT NULL needs no scan"},
    {"add-column-default-rewrite", "postgres", Severity::kError,
     "ADD COLUMN that rewrites the whole table: a volatile default (random(), gen_random_uuid(), "
     "clock_timestamp(), nextval(), ...; not now(), which is stable) or a function not known to be stable, a "
     "serial, identity or stored generated column on any version, any non-NULL default before PostgreSQL 11",
     "add the column without a default, then ALTER COLUMN ... SET DEFAULT for new rows and backfill existing "
     "rows in batches"},
    {"index-not-concurrent", "postgres", Severity::kError,
     "CREATE INDEX, DROP INDEX or REINDEX without CONCURRENTLY on a table that exists before this run (blocks "
     "writes while the index is built), and a UNIQUE / PRIMARY KEY column or constraint added without USING "
     "INDEX (builds one while reads wait)",
     "use CREATE INDEX CONCURRENTLY (DROP INDEX CONCURRENTLY) in a migration marked -- tide:no-transaction "
     "(transaction = false in Lua)"},
    {"concurrent-in-transaction", "postgres", Severity::kError,
     "CONCURRENTLY in a migration that runs in a transaction: PostgreSQL refuses it",
     "mark the migration -- tide:no-transaction (transaction = false in Lua) and keep that statement alone in it"},
    {"constraint-without-not-valid", "postgres", Severity::kError,
     "ADD FOREIGN KEY or CHECK constraint without NOT VALID on a table that exists before this run: validating "
     "it scans the table while writes are blocked",
     "ADD CONSTRAINT ... NOT VALID, then ALTER TABLE ... VALIDATE CONSTRAINT in a later migration"},
    {"missing-lock-timeout", "postgres", Severity::kWarning,
     "DDL that locks a table from before this run (ALTER TABLE, DROP TABLE, TRUNCATE, CREATE or DROP INDEX "
     "without CONCURRENTLY, CREATE TRIGGER, REINDEX) with no lock_timeout of at most 5 s set before it in the "
     "migration or by tide: waiting for the lock queues every other query on the table behind it",
     "SET lock_timeout = '2s' (SET LOCAL in a transaction) before the statement, or lower lock_timeout in "
     "tide.lua, and retry when it times out"},
    {"change-column-type", "postgres,mysql", Severity::kError,
     "changing a column's type (ALTER COLUMN ... TYPE, MODIFY / CHANGE COLUMN): rewrites the table under an "
     "exclusive lock and breaks code that reads the old type",
     "add a new column, backfill it in batches, move the code over, then drop the old column"},
    {"rename-column", kAll, Severity::kError,
     "RENAME COLUMN: code still running with the old name fails as soon as the migration commits",
     "add the new column, write both, backfill, move reads over, then drop the old one"},
    {"rename-table", kAll, Severity::kError,
     "renaming a table (ALTER TABLE ... RENAME TO, RENAME TABLE): code still running with the old name fails",
     "create the new table (or a view under the old name), move the code over, then drop the old name"},
    {"drop-column", kAll, Severity::kError,
     "DROP COLUMN on a table that exists before this run: the data is gone and code still reading the column "
     "fails",
     "stop reading the column in the code and deploy that first, then drop it with -- tide:lint-ignore "
     "drop-column"},
    {"drop-table", kAll, Severity::kError, "DROP TABLE of a table that exists before this run: the data is gone",
     "make sure nothing uses it (and that a backup or snapshot exists), then drop it with -- tide:lint-ignore "
     "drop-table"},
    {"mixed-ddl-dml", kAll, Severity::kWarning,
     "schema changes and row changes (INSERT / UPDATE / DELETE) in one migration: the backfill holds the "
     "schema change's locks for its whole run, and on MySQL a failure leaves half of it committed",
     "put the row changes in their own migration after the schema change (or in a seed)"},
    {"unbatched-write", kAll, Severity::kWarning,
     "UPDATE or DELETE without WHERE: the whole table in one statement, with long locks and replication lag",
     "write in batches by key range (WHERE id >= ... AND id < ...) in a migration marked -- tide:no-transaction, "
     "or loop over batches in a Lua migration"},
    {"missing-down", kAll, Severity::kWarning, "a migration without a down that is not marked irreversible",
     "write the down (-- tide:down section, or down = function(db) ... end), or mark the migration "
     "-- tide:irreversible (irreversible = true in Lua)"},
    {"alter-without-algorithm", "mysql", Severity::kWarning,
     "ALTER TABLE, CREATE INDEX or DROP INDEX without ALGORITHM=INSTANT, INPLACE (or MariaDB's NOCOPY): MySQL "
     "and MariaDB may copy the whole table while writes wait",
     "add ALGORITHM=INSTANT (or INPLACE), LOCK=NONE so the server refuses instead of copying; use an online "
     "schema change tool (gh-ost, pt-online-schema-change) for what must copy"},
    {"unknown-lint-ignore", kAll, Severity::kWarning,
     "a tide:lint-ignore comment (on a statement or the file) that names no rule: a typo silences nothing",
     "spell the rule id as docs/lint.md lists it (or write `all`), or remove the comment"},
    {"incomplete-plan", kAll, Severity::kWarning,
     "a Lua migration whose plan stops early, so what follows was not checked: at a read whose result the rest "
     "may depend on (db:query, db:scalar, db:rows), at tide.exec, or at an error of its own (then it is an "
     "error, as up would fail there too)",
     "rehearse it with `tide up --dry-run` and read what it runs; keep reads that decide a schema change out of "
     "the migration; then accept it with -- tide:lint-ignore incomplete-plan on the read"},
};

// checks.h's RuleId indexes this table.
static_assert(std::size(kRules) == kRuleCount);
static_assert(kRules[static_cast<size_t>(RuleId::kNotNullWithoutDefault)].id == "not-null-without-default");
static_assert(kRules[static_cast<size_t>(RuleId::kAddColumnDefaultRewrite)].id == "add-column-default-rewrite");
static_assert(kRules[static_cast<size_t>(RuleId::kIndexNotConcurrent)].id == "index-not-concurrent");
static_assert(kRules[static_cast<size_t>(RuleId::kConcurrentInTransaction)].id == "concurrent-in-transaction");
static_assert(kRules[static_cast<size_t>(RuleId::kConstraintWithoutNotValid)].id == "constraint-without-not-valid");
static_assert(kRules[static_cast<size_t>(RuleId::kMissingLockTimeout)].id == "missing-lock-timeout");
static_assert(kRules[static_cast<size_t>(RuleId::kChangeColumnType)].id == "change-column-type");
static_assert(kRules[static_cast<size_t>(RuleId::kRenameColumn)].id == "rename-column");
static_assert(kRules[static_cast<size_t>(RuleId::kRenameTable)].id == "rename-table");
static_assert(kRules[static_cast<size_t>(RuleId::kDropColumn)].id == "drop-column");
static_assert(kRules[static_cast<size_t>(RuleId::kDropTable)].id == "drop-table");
static_assert(kRules[static_cast<size_t>(RuleId::kMixedDdlDml)].id == "mixed-ddl-dml");
static_assert(kRules[static_cast<size_t>(RuleId::kUnbatchedWrite)].id == "unbatched-write");
static_assert(kRules[static_cast<size_t>(RuleId::kMissingDown)].id == "missing-down");
static_assert(kRules[static_cast<size_t>(RuleId::kAlterWithoutAlgorithm)].id == "alter-without-algorithm");
static_assert(kRules[static_cast<size_t>(RuleId::kUnknownLintIgnore)].id == "unknown-lint-ignore");
static_assert(kRules[static_cast<size_t>(RuleId::kIncompletePlan)].id == "incomplete-plan");

}  // namespace

const char *severity_name(Severity s) {
  switch (s) {
    case Severity::kOff:
      return "off";
    case Severity::kWarning:
      return "warning";
    case Severity::kError:
      return "error";
  }
  return "error";
}

bool parse_severity(std::string_view name, Severity &out) {
  for (Severity s : {Severity::kOff, Severity::kWarning, Severity::kError})
    if (name == severity_name(s)) {
      out = s;
      return true;
    }
  return false;
}

std::span<const RuleInfo> rules() { return kRules; }

const RuleInfo *find_rule(std::string_view id) {
  for (const RuleInfo &r : kRules)
    if (r.id == id) return &r;
  return nullptr;
}

}  // namespace tide::lint
