// up --dry-run over the fake database (Runner::dry_run, migrate/rehearsal_session): one
// transaction rolled back on every path, statements reported one by one with their
// file:line, transaction control never sent. The real databases: tests/cli/test_plan*.sh.
#include <catch2/catch.hpp>

#include "fake_session.h"
#include "migrate/runner.h"
#include "migrate/statement_kind.h"
#include "temp_dir.h"

using namespace tide;
using namespace tide::test;

namespace {

struct StatementReporter : RecordingReporter {
  void rehearsal_statement(std::string_view where, std::string_view sql, int64_t) override {
    lines.push_back("ran " + std::string(where) + " " + std::string(sql));
  }
  void migration_skipped(const MigrationFile &f, std::string_view why) override {
    lines.push_back("skip " + f.version + " " + std::string(why));
  }
  bool has(const std::string &line) const { return std::find(lines.begin(), lines.end(), line) != lines.end(); }
};

struct Fixture {
  TempDir dir;
  FakeDb db;
  FakeSession session{db};
  FakeHistory history{db};
  LuaState lua;
  StatementReporter reporter;
  Catalog catalog;

  Fixture() { REQUIRE(lua.install_globals("test", nullptr).ok()); }
  void write(const std::string &file, const std::string &text) { dir.write("migrations/" + file, text); }
  Status dry_run(UpOptions options = {}) {
    auto cat = scan_migrations(dir.path() / "migrations", "migrations");
    REQUIRE(cat.ok());
    catalog = *cat;
    Runner runner(session, history, lua, reporter, catalog, RunContext{});
    options.dry_run = true;
    return runner.dry_run(options);
  }
};

}  // namespace

TEST_CASE("a dry run rehearses every pending migration and leaves nothing behind") {
  Fixture f;
  f.write("1_a.sql", "-- tide:up\nCREATE a;\n\n  CREATE b;\n-- tide:down\nDROP a;\n");
  f.write("2_b.lua", "return { up = function(db)\n  db:exec 'CREATE c; CREATE d'\nend }\n");
  f.write("3_c.sql", "-- tide:no-transaction\n-- tide:up\nCREATE INDEX x;\n");
  REQUIRE(f.dry_run().ok());
  CHECK(f.db.state.executed.empty());
  CHECK(f.db.state.history.empty());
  CHECK(f.db.commits == 0);
  CHECK_FALSE(f.session.in_transaction());
  CHECK(f.reporter.has("ran migrations/1_a.sql:2 CREATE a"));
  CHECK(f.reporter.has("ran migrations/1_a.sql:4 CREATE b"));
  CHECK(f.reporter.has("ran migrations/2_b.lua:2 CREATE c"));
  CHECK(f.reporter.has("ran migrations/2_b.lua:2 CREATE d"));
  CHECK(f.reporter.has("skip 3 not rehearsed: it runs outside a transaction"));
  CHECK_FALSE(f.reporter.has("ran migrations/3_c.sql:3 CREATE INDEX x"));
  CHECK(f.reporter.has("dry_run_done"));
}

TEST_CASE("a dry run never sends COMMIT: it stops there, naming the file and line") {
  Fixture f;
  f.write("1_a.sql", "-- tide:up\nCREATE a;\nCOMMIT;\nCREATE b;\n");
  Status s = f.dry_run();
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().where == "migrations/1_a.sql:3");
  CHECK(s.error().message.find("`COMMIT` is not sent in a dry run") != std::string::npos);
  CHECK(s.error().detail.find("nothing was applied or recorded") != std::string::npos);
  CHECK(f.db.state.executed.empty());
  CHECK(f.db.commits == 0);
  CHECK_FALSE(f.reporter.has("ran migrations/1_a.sql:4 CREATE b"));
  CHECK_FALSE(f.reporter.has("dry_run_done"));

  Fixture lua;
  lua.write("1_a.lua", "return { up = function(db)\n  db:exec 'CREATE a'\n  db:exec 'COMMIT'\nend }\n");
  Status c = lua.dry_run();
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().message.find("`COMMIT` is not sent in a dry run") != std::string::npos);
  CHECK(c.error().where == "migrations/1_a.lua:3");
  CHECK(lua.db.state.executed.empty());
}

TEST_CASE("a failing statement in a dry run: its line, and everything rolled back") {
  Fixture f;
  f.write("1_a.sql", "-- tide:up\nCREATE a;\n");
  f.write("2_b.sql", "-- tide:up\nCREATE b;\nCREATE FAIL;\n");
  Status s = f.dry_run();
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().where == "migrations/2_b.sql:3");
  CHECK(s.error().detail.find("statement 2: CREATE FAIL") != std::string::npos);
  CHECK(f.reporter.has("fail 2"));
  CHECK(f.db.state.executed.empty());
  CHECK(f.db.state.history.empty());
}

TEST_CASE("a dry run needs transactional DDL") {
  Fixture f;
  f.db.transactional_ddl = false;
  f.write("1_a.sql", "-- tide:up\nCREATE a;\n");
  Status s = f.dry_run();
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().exit == Exit::kUsage);
  CHECK(s.error().hint.find("tide plan") != std::string::npos);
}

TEST_CASE("statements that end or start a transaction are known by their first words") {
  FakeDb db;
  FakeDialect d(db);
  for (const char *sql : {"COMMIT", "commit work", "END", "ROLLBACK", "rollback transaction", "ABORT", "BEGIN",
                          "BEGIN IMMEDIATE TRANSACTION", "START TRANSACTION", "PREPARE TRANSACTION 'x'", "VACUUM"})
    CHECK_FALSE(transaction_control(sql, d).empty());
  for (const char *sql : {"ROLLBACK TO SAVEPOINT a", "rollback transaction to a", "SAVEPOINT a", "RELEASE a",
                          "CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; END", "-- COMMIT\nSELECT 1",
                          "PREPARE stmt AS SELECT 1", "SELECT 'COMMIT'"})
    CHECK(transaction_control(sql, d).empty());
  CHECK(transaction_control("/* x */ start transaction", d) == "START TRANSACTION");
}
