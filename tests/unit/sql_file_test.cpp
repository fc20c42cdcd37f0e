#include "migrate/sql_file.h"

#include <catch2/catch.hpp>

using namespace tide;

TEST_CASE("sections split at the markers and keep their offsets in the file") {
  std::string text = "-- tide:up\nCREATE TABLE a (id int);\n-- tide:down\nDROP TABLE a;\n";
  auto m = parse_sql_migration(text, "m.sql");
  REQUIRE(m.ok());
  CHECK(m->up.in(text) == "CREATE TABLE a (id int);\n");
  CHECK(m->down.present);
  CHECK(m->down.in(text) == "DROP TABLE a;\n");
  CHECK(text.substr(m->down.offset, 4) == "DROP");
}

TEST_CASE("a file without markers is all up and has no down") {
  auto m = parse_sql_migration("CREATE TABLE a (id int);", "m.sql");
  REQUIRE(m.ok());
  CHECK(m->up.length == 24);
  CHECK_FALSE(m->down.present);
}

TEST_CASE("directives on their own line or on the marker line") {
  std::string text =
      "-- tide:no-transaction\n-- tide:env !production and !staging\n"
      "-- tide:lint-ignore add-column-not-null,rename-column\n-- tide:up tide:irreversible\n"
      "CREATE INDEX CONCURRENTLY i ON a (id);\n";
  auto m = parse_sql_migration(text, "m.sql");
  REQUIRE(m.ok());
  CHECK(m->directives.no_transaction);
  CHECK(m->directives.irreversible);
  REQUIRE(m->directives.env);
  CHECK(*m->directives.env == "!production and !staging");
  CHECK(m->directives.env_line == 2);
  CHECK(m->directives.lint_ignore == std::vector<std::string>{"add-column-not-null", "rename-column"});
}

TEST_CASE("ordinary comments that mention tide: are not directives") {
  auto m = parse_sql_migration("-- see tide:up in the docs\nSELECT 1;", "m.sql");
  REQUIRE(m.ok());
  CHECK(m->up.offset == 0);
}

TEST_CASE("bad directives are errors with the file and line") {
  auto typo = parse_sql_migration("-- tide:up\nSELECT 1;\n-- tide:no-transacton\n", "m.sql");
  REQUIRE_FALSE(typo.ok());
  CHECK(typo.error().where == "m.sql:3");
  CHECK(typo.error().message.find("no-transacton") != std::string::npos);

  auto order = parse_sql_migration("-- tide:down\nDROP TABLE a;\n-- tide:up\n", "m.sql");
  REQUIRE_FALSE(order.ok());
  CHECK(order.error().where == "m.sql:1");

  auto twice = parse_sql_migration("-- tide:up\n-- tide:up\n", "m.sql");
  CHECK_FALSE(twice.ok());
}

TEST_CASE("lint-ignore above the up marker or on a marker line is file-wide; inside a section it is not") {
  std::string text =
      "-- tide:lint-ignore drop-table\n-- tide:up tide:lint-ignore rename-column\n"
      "-- tide:lint-ignore add-column-not-null\nALTER TABLE a ADD COLUMN b int NOT NULL;\n"
      "-- tide:down tide:lint-ignore drop-column\nALTER TABLE a DROP COLUMN b;\n";
  auto m = parse_sql_migration(text, "m.sql");
  REQUIRE(m.ok());
  CHECK(m->directives.lint_ignore == std::vector<std::string>{"drop-table", "rename-column", "drop-column"});
  // The statement's own directive stays in the up section, before its statement.
  CHECK(m->up.in(text).starts_with("-- tide:lint-ignore add-column-not-null\nALTER TABLE"));
}

TEST_CASE("a file without markers has no file-wide lint-ignore") {
  auto m = parse_sql_migration("-- tide:lint-ignore drop-table\nDROP TABLE a;\n", "m.sql");
  REQUIRE(m.ok());
  CHECK(m->directives.lint_ignore.empty());
  CHECK(m->up.offset == 0);
}

TEST_CASE("a Lua migration's lint-ignore comments before its first line of code") {
  CHECK(lua_lint_ignore("-- adds a column\n\n-- tide:lint-ignore drop-table, rename-column\n"
                        "--tide:lint-ignore missing-down\nreturn {\n-- tide:lint-ignore later\n}\n") ==
        std::vector<std::string>{"drop-table", "rename-column", "missing-down"});
  CHECK(lua_lint_ignore("return {} -- tide:lint-ignore drop-table\n").empty());
  CHECK(lua_lint_ignore("-- tide:lint-ignored drop-table\nreturn {}\n").empty());
}
