// lint::check as a whole: ignore comments (statement, trailing, inside, file, `all`), the
// settings (enable, disable, severity), what "new table" means across plans, positions in
// Lua migrations, skipped plans, the order of findings, and docs/lint.md listing every rule.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <sstream>

#include "lint/checks.h"
#include "lint_helper.h"

using tide::MigrationPlan;
using tide::PlannedStatement;
using tide::lint::Finding;
using tide::lint::Settings;
using tide::lint::Severity;
using tide::test::LintRig;
using tide::test::of_rule;
using tide::test::PlanOptions;

TEST_CASE("lint ignore: a comment before the statement silences the rules it names there", "[lint]") {
  LintRig rig("postgres");
  rig.target.lock_timeout_ms = 2000;
  const auto all = rig.check(
      "-- the code stopped reading it in release 41\n"
      "-- tide:lint-ignore drop-column\n"
      "ALTER TABLE users DROP COLUMN legacy;\n"
      "ALTER TABLE users DROP COLUMN other;\n");
  const auto drops = of_rule(all, "drop-column");
  REQUIRE(drops.size() == 1);
  CHECK(drops[0].line == 4);
  CHECK(all.size() == 1);
}

TEST_CASE("lint ignore: several rules, `all`, block comments and comments inside the statement", "[lint]") {
  LintRig rig("mysql");
  CHECK(rig.check("-- tide:lint-ignore drop-column,alter-without-algorithm\nALTER TABLE users DROP COLUMN legacy;")
            .empty());
  CHECK(rig.check("-- tide:lint-ignore drop-column alter-without-algorithm\nALTER TABLE users DROP COLUMN legacy;")
            .empty());
  CHECK(rig.check("/* tide:lint-ignore all */ ALTER TABLE users DROP COLUMN legacy;").empty());
  CHECK(rig.check("# tide:lint-ignore all\nDROP TABLE users;").empty());
  CHECK(rig.check("ALTER TABLE users -- tide:lint-ignore all\n  DROP COLUMN legacy;").empty());
  // Only what it names.
  const auto all = rig.check("-- tide:lint-ignore drop-column\nALTER TABLE users DROP COLUMN legacy;");
  REQUIRE(all.size() == 1);
  CHECK(all[0].rule == "alter-without-algorithm");
}

TEST_CASE("lint ignore: a comment after the statement on its line is that statement's", "[lint]") {
  LintRig rig("sqlite");
  const auto all = rig.check(
      "DROP TABLE a; -- tide:lint-ignore drop-table\n"
      "DROP TABLE b;\n");
  REQUIRE(all.size() == 1);
  CHECK(all[0].line == 2);
  CHECK(all[0].statement == "DROP TABLE b");
}

TEST_CASE("lint ignore: the file-wide list silences a rule in every statement", "[lint]") {
  LintRig rig("sqlite");
  const char *sql = "DROP TABLE a;\nDROP TABLE b;\nDELETE FROM c;";
  CHECK(of_rule(rig.check(sql, tide::test::ignoring({"drop-table"})), "drop-table").empty());
  CHECK(of_rule(rig.check(sql, tide::test::ignoring({"drop-table"})), "unbatched-write").size() == 1);
  CHECK(rig.check(sql, tide::test::ignoring({"all"})).empty());
  CHECK(rig.check("SELECT 1;", tide::test::ignoring({"missing-down"}, false)).empty());
}

TEST_CASE("lint ignore: a typo is a finding of its own, and the rule still fires", "[lint]") {
  LintRig rig("postgres");
  rig.target.lock_timeout_ms = 2000;
  const auto all = rig.check("SELECT 1;\n  -- tide:lint-ignore drop-tabel\nDROP TABLE users;");
  REQUIRE(all.size() == 2);
  CHECK(all[0].rule == "unknown-lint-ignore");
  CHECK(all[0].severity == Severity::kWarning);
  CHECK(all[0].line == 2);
  CHECK(all[0].column == 3);
  CHECK(all[0].message.find("`drop-tabel`") != std::string::npos);
  CHECK(all[1].rule == "drop-table");
  CHECK(all[1].line == 3);

  // After a statement on its line: the typo is reported where it is, for that statement.
  const auto trailing = rig.check("DROP TABLE a; -- tide:lint-ignore drop-tabel\nSELECT 1;");
  const auto typo = of_rule(trailing, "unknown-lint-ignore");
  REQUIRE(typo.size() == 1);
  CHECK((typo[0].line == 1 && typo[0].column == 15));
  CHECK(typo[0].statement == "DROP TABLE a");
}

TEST_CASE("lint settings: enable, disable and severity", "[lint]") {
  LintRig rig("mysql");
  const char *sql = "ALTER TABLE users DROP COLUMN legacy;\nDELETE FROM sessions;";
  CHECK(rig.check(sql).size() == 4);  // alter-without-algorithm, drop-column, mixed-ddl-dml, unbatched-write

  Settings only;
  only.enable = {"drop-column"};
  const auto enabled = rig.check(sql, {}, only);
  REQUIRE(enabled.size() == 1);
  CHECK(enabled[0].rule == "drop-column");

  Settings off;
  off.disable = {"alter-without-algorithm", "mixed-ddl-dml"};
  off.severity = {{"unbatched-write", Severity::kOff}, {"drop-column", Severity::kWarning}};
  const auto rest = rig.check(sql, {}, off);
  REQUIRE(rest.size() == 1);
  CHECK(rest[0].rule == "drop-column");
  CHECK(rest[0].severity == Severity::kWarning);

  Settings stricter;
  stricter.severity = {{"unbatched-write", Severity::kError}};
  CHECK(of_rule(rig.check(sql, {}, stricter), "unbatched-write")[0].severity == Severity::kError);
  CHECK(of_rule(rig.check(sql), "unbatched-write")[0].severity == Severity::kWarning);
}

TEST_CASE("lint context: a table created by an earlier plan of the run is new", "[lint]") {
  LintRig rig("postgres");
  rig.target.lock_timeout_ms = 2000;
  std::vector<MigrationPlan> plans;
  plans.push_back(rig.plan("CREATE TABLE accounts (id bigint PRIMARY KEY, email text);"));
  plans.push_back(
      rig.plan("CREATE INDEX accounts_email ON accounts (email);\n"
               "ALTER TABLE accounts ADD COLUMN plan text NOT NULL;\n"
               "ALTER TABLE accounts ADD CONSTRAINT accounts_email_check CHECK (email <> '');\n"
               "ALTER TABLE accounts DROP COLUMN plan;\n"));
  plans.push_back(rig.plan("DROP INDEX accounts_email;\nDROP TABLE accounts;"));
  CHECK(rig.check(plans).empty());
  // The same statements on a table from before the run fire.
  std::vector<MigrationPlan> existing(plans.begin() + 1, plans.end());
  const auto all = rig.check(existing);
  CHECK(of_rule(all, "index-not-concurrent").size() == 2);
  CHECK(of_rule(all, "not-null-without-default").size() == 1);
  CHECK(of_rule(all, "constraint-without-not-valid").size() == 1);
  CHECK(of_rule(all, "drop-column").size() == 1);
  CHECK(of_rule(all, "drop-table").size() == 1);
}

TEST_CASE("lint context: quoted and qualified names are the same table when PostgreSQL says so", "[lint]") {
  LintRig rig("postgres");
  CHECK(of_rule(rig.check("CREATE TABLE Accounts (id int);\nDROP TABLE public.\"accounts\";"), "drop-table").empty());
  CHECK(of_rule(rig.check("CREATE TABLE \"Accounts\" (id int);\nDROP TABLE accounts;"), "drop-table").size() == 1);
}

TEST_CASE("lint: missing-lock-timeout fires once per migration, at the first locking statement", "[lint]") {
  LintRig rig("postgres");
  const auto all = rig.check("SELECT 1;\nALTER TABLE a ADD COLUMN x int;\nALTER TABLE b ADD COLUMN y int;");
  const auto hits = of_rule(all, "missing-lock-timeout");
  REQUIRE(hits.size() == 1);
  CHECK(hits[0].line == 2);
  CHECK(hits[0].message.find("lock_timeout 30000 ms") != std::string::npos);
  rig.target.lock_timeout_ms = 5000;
  CHECK(of_rule(rig.check("ALTER TABLE a ADD COLUMN x int;"), "missing-lock-timeout").empty());
  rig.target.lock_timeout_ms = 0;  // none at all
  CHECK(of_rule(rig.check("ALTER TABLE a ADD COLUMN x int;"), "missing-lock-timeout").size() == 1);
  CHECK(of_rule(rig.check("SET lock_timeout = 0;\nALTER TABLE a ADD COLUMN x int;"), "missing-lock-timeout").size() ==
        1);
  CHECK(of_rule(rig.check("SET lock_timeout TO '500ms';\nALTER TABLE a ADD COLUMN x int;"), "missing-lock-timeout")
            .empty());
}

TEST_CASE("lint: rows written by db:upsert / db:insert count as row changes", "[lint]") {
  LintRig rig("postgres");
  MigrationPlan p = rig.plan("ALTER TABLE users ADD COLUMN role text;");
  PlannedStatement rows;
  rows.kind = PlannedStatement::Kind::kRows;
  rows.sql = "3 rows into roles";
  rows.line = 7;
  rows.column = 3;
  rows.exact = false;
  p.statements.push_back(rows);
  PlannedStatement read;
  read.kind = PlannedStatement::Kind::kRead;
  read.sql = "DELETE FROM users";  // a read is never linted as SQL to run
  read.line = 9;
  p.statements.push_back(read);
  const auto all = rig.check(std::vector<MigrationPlan>{p});
  const auto mixed = of_rule(all, "mixed-ddl-dml");
  REQUIRE(mixed.size() == 1);
  CHECK(mixed[0].line == 7);
  CHECK(mixed[0].column == 3);
  CHECK(of_rule(all, "unbatched-write").empty());
}

TEST_CASE("lint positions: SQL inside a Lua string counts lines from the call, at the call's column", "[lint]") {
  LintRig rig("postgres");
  MigrationPlan p = rig.plan("SELECT 1;");
  p.statements.clear();
  PlannedStatement s;
  s.sql = "\n      ALTER TABLE users\n        DROP COLUMN legacy\n    ";
  s.line = 12;
  s.column = 5;
  s.exact = false;
  p.statements.push_back(s);
  const auto drops = of_rule(rig.check(std::vector<MigrationPlan>{p}), "drop-column");
  REQUIRE(drops.size() == 1);
  CHECK(drops[0].line == 14);
  CHECK(drops[0].column == 5);
}

TEST_CASE("lint positions: columns count characters, not bytes", "[lint]") {
  LintRig rig("sqlite");
  const auto all = rig.check("SELECT 'é'; ALTER TABLE \"é\" DROP COLUMN x;");
  REQUIRE(all.size() == 1);
  CHECK(all[0].column == 29);
}

TEST_CASE("lint: skipped plans are not linted; findings come in plan order, then position", "[lint]") {
  LintRig rig("sqlite");
  std::vector<MigrationPlan> plans;
  plans.push_back(rig.plan("DROP TABLE skipped;"));
  plans.back().skipped = "env production does not match";
  plans.push_back(rig.plan("DELETE FROM b;\nDROP TABLE a;", tide::test::without_down()));
  plans.push_back(rig.plan("DROP TABLE c;"));
  const auto all = rig.check(plans);
  REQUIRE(all.size() == 5);
  // At one position, the finding about the file comes first.
  CHECK(all[0].rule == "missing-down");
  CHECK(all[0].file == "migrations/2_x.sql");
  CHECK((all[0].line == 1 && all[0].column == 1));
  CHECK(all[0].statement.empty());
  CHECK(all[1].rule == "unbatched-write");
  CHECK(all[1].statement == "DELETE FROM b");
  CHECK(all[2].rule == "mixed-ddl-dml");
  CHECK((all[2].line == 1 && all[2].column == 1));
  CHECK(all[3].rule == "drop-table");
  CHECK(all[3].line == 2);
  CHECK(all[4].file == "migrations/3_x.sql");
}

TEST_CASE("lint: a long statement is shown shortened on its first line", "[lint]") {
  LintRig rig("sqlite");
  const std::string sql = "DELETE FROM " + std::string(100, 'x') + "\n WHERE 1 = 1;";
  const auto all = rig.check(sql);
  REQUIRE(all.size() == 1);
  CHECK(all[0].statement.size() == 80);
  CHECK(all[0].statement.ends_with("..."));
}

TEST_CASE("lint: lock_timeout values and function volatility", "[lint]") {
  using tide::lint::function_volatility;
  using tide::lint::lock_timeout_value_ms;
  using tide::lint::Volatility;
  CHECK(lock_timeout_value_ms("2s") == 2000);
  CHECK(lock_timeout_value_ms("500ms") == 500);
  CHECK(lock_timeout_value_ms("2000") == 2000);
  CHECK(lock_timeout_value_ms("1 min") == 60000);
  CHECK(lock_timeout_value_ms("1h") == 3600000);
  CHECK(lock_timeout_value_ms("DEFAULT") == 0);
  CHECK(lock_timeout_value_ms("0") == 0);
  CHECK(lock_timeout_value_ms("soon") == -1);
  CHECK(lock_timeout_value_ms("5 fortnights") == -1);
  CHECK(function_volatility("Gen_Random_UUID") == Volatility::kVolatile);
  CHECK(function_volatility("nextval") == Volatility::kVolatile);
  CHECK(function_volatility("now") == Volatility::kStable);
  CHECK(function_volatility("my_function") == Volatility::kUnknown);
}

TEST_CASE("docs/lint.md has a row for every rule", "[lint]") {
  std::ifstream in(TIDE_SOURCE_DIR "/docs/lint.md");
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  for (const auto &r : tide::lint::rules()) {
    INFO(r.id);
    CHECK(text.str().find("| `" + std::string(r.id) + "` |") != std::string::npos);
  }
}

// Not run by ctest (hidden tag): `build/tests/unit/tide_unit "[.lint-speed]"` lints 10,000
// generated migrations and prints files per second; it checks what was found, never the time.
TEST_CASE("lint speed: 10,000 generated migrations", "[.lint-speed]") {
  LintRig rig("postgres");
  rig.target.lock_timeout_ms = 2000;
  std::vector<MigrationPlan> plans;
  plans.reserve(10000);
  for (int i = 0; i < 10000; ++i) {
    const std::string t = "t" + std::to_string(i);
    plans.push_back(rig.plan("-- migration " + std::to_string(i) +
                             ": a table, its index, a column, a backfill\n"
                             "CREATE TABLE " +
                             t +
                             " (id bigint PRIMARY KEY, email text NOT NULL, created timestamptz DEFAULT now());\n"
                             "CREATE INDEX " +
                             t + "_email ON " + t +
                             " (email);\n"
                             "ALTER TABLE " +
                             t + " ADD COLUMN note text, ADD CONSTRAINT " + t +
                             "_email_check CHECK (email <> '');\n"
                             "CREATE FUNCTION " +
                             t +
                             "_f() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                             "BEGIN\n  UPDATE users SET seen = now();\n  RETURN NEW;\nEND;\n$$;\n"
                             "/* the old table goes */\n"
                             "ALTER TABLE users_" +
                             std::to_string(i) +
                             " ADD COLUMN flag boolean NOT NULL DEFAULT false;\n"
                             "CREATE INDEX users_" +
                             std::to_string(i) + "_flag ON users_" + std::to_string(i) + " (flag);\n"));
  }
  const auto start = std::chrono::steady_clock::now();
  const auto findings = rig.check(plans);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  WARN(fmt::format("lint: {} migrations in {:.3f} s: {:.0f} files/s, {} findings", plans.size(), seconds,
                   plans.size() / seconds, findings.size()));
  // Each migration: CREATE INDEX on an existing table (index-not-concurrent).
  CHECK(findings.size() == plans.size());
  CHECK(of_rule(findings, "index-not-concurrent").size() == plans.size());
}

TEST_CASE("lint: a plan that stopped early is incomplete-plan; an error when the migration failed", "[lint]") {
  LintRig rig("postgres");
  const std::string sql = "CREATE TABLE a (id int);\nSELECT count(*) FROM a;";
  auto read = of_rule(rig.check(sql, tide::test::stopped_at_read()), "incomplete-plan");
  REQUIRE(read.size() == 1);
  CHECK(read[0].severity == tide::lint::Severity::kWarning);
  CHECK(read[0].line == 2);
  CHECK(read[0].message.find("stops at a read") != std::string::npos);
  auto failed = of_rule(rig.check(sql, tide::test::stopped_at_read(true)), "incomplete-plan");
  REQUIRE(failed.size() == 1);
  CHECK(failed[0].severity == tide::lint::Severity::kError);
  // Accepted on the statement it stopped at.
  const std::string accepted = "CREATE TABLE a (id int);\n-- tide:lint-ignore incomplete-plan\nSELECT count(*) FROM a;";
  CHECK(of_rule(rig.check(accepted, tide::test::stopped_at_read()), "incomplete-plan").empty());
}

// The ignore after the last statement, on its line: cut_statements keeps it as `trailing`.
TEST_CASE("lint: an ignore after the last statement of a file, on its line", "[lint]") {
  for (const char *dialect : {"postgres", "mysql", "sqlite"}) {
    LintRig rig(dialect);
    const auto all = rig.check("DROP TABLE a;\nDROP TABLE b; -- tide:lint-ignore drop-table\n");
    const auto drops = of_rule(all, "drop-table");
    REQUIRE(drops.size() == 1);
    CHECK(drops[0].line == 1);
    CHECK(of_rule(all, "unknown-lint-ignore").empty());
    // A typo there is reported where it is.
    const auto typo = of_rule(rig.check("DROP TABLE b; -- tide:lint-ignore drop-tabel"), "unknown-lint-ignore");
    REQUIRE(typo.size() == 1);
    CHECK(typo[0].line == 1);
    CHECK(typo[0].column == 15);
  }
}
