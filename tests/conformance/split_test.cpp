// split() for the SQLite dialect: the script shapes SQLite's own parser accepts. Runs
// only when the plugin under test is the SQLite driver.
#include <string_view>

#include "harness.h"

using namespace conformance;

namespace {

// Another driver under test skips these cases; no driver at all fails them.
const tide_driver *sqlite_driver_or_skip() {
  const Plugin &p = configured_plugin();
  return std::string_view(p.driver->name) == "sqlite" ? p.driver : nullptr;
}

std::vector<std::string> stripped(const Split &s) {
  std::vector<std::string> out;
  for (const auto &statement : s.statements) out.push_back(strip_blank(statement));
  return out;
}

using Texts = std::vector<std::string>;

}  // namespace

TEST_CASE("split/sqlite: trigger bodies stay whole", "[split][sqlite]") {
  const tide_driver *d = sqlite_driver_or_skip();
  if (!d) return;
  std::string trigger =
      "CREATE TRIGGER audit AFTER INSERT ON t\nBEGIN\n"
      "  INSERT INTO log VALUES (new.id);\n  UPDATE c SET n = n + 1;\nEND";
  Split s = split(d, "CREATE TABLE t (id);\n" + trigger + ";\nINSERT INTO t VALUES (1);");
  CHECK(s.rc == TIDE_OK);
  CHECK(stripped(s) == Texts{"CREATE TABLE t (id)", trigger, "INSERT INTO t VALUES (1)"});
  // Also as the last statement, without its final ';'.
  s = split(d, "SELECT 1;\n" + trigger);
  CHECK(s.rc == TIDE_OK);
  CHECK(stripped(s) == Texts{"SELECT 1", trigger});
  // A body cut off before END is incomplete.
  s = split(d, "CREATE TRIGGER x AFTER INSERT ON t BEGIN SELECT 1;");
  CHECK(s.rc == TIDE_EMISUSE);
  CHECK(s.statements.size() == 1);
}

TEST_CASE("split/sqlite: ';' inside strings, comments and quoted identifiers", "[split][sqlite]") {
  const tide_driver *d = sqlite_driver_or_skip();
  if (!d) return;
  Split s = split(d,
                  "INSERT INTO t VALUES ('a;b', 'it''s; fine');\n"
                  "SELECT \"odd;col\", [br;acket], `back;tick` FROM t;\n"
                  "-- a comment; with a semicolon\n"
                  "SELECT 1 /* inline; comment */ + 2;\n"
                  "/* leading; block */ SELECT 3;");
  CHECK(s.rc == TIDE_OK);
  CHECK(stripped(s) == Texts{"INSERT INTO t VALUES ('a;b', 'it''s; fine')",
                             "SELECT \"odd;col\", [br;acket], `back;tick` FROM t", "SELECT 1 /* inline; comment */ + 2",
                             "SELECT 3"});
}

TEST_CASE("split/sqlite: quotes inside comments and comment marks inside quotes", "[split][sqlite]") {
  const tide_driver *d = sqlite_driver_or_skip();
  if (!d) return;
  Split s = split(d,
                  "-- it's a comment\nSELECT 1;\n"
                  "SELECT '--', '/*';\n"
                  "/* \"unbalanced */ SELECT \"a\"\"b;\", [x\"y];\n"
                  "CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 'END;'; END;");
  CHECK(s.rc == TIDE_OK);
  CHECK(stripped(s) == Texts{"SELECT 1", "SELECT '--', '/*'", "SELECT \"a\"\"b;\", [x\"y]",
                             "CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 'END;'; END"});
}

TEST_CASE("split/sqlite: statements start at their first token", "[split][sqlite]") {
  const tide_driver *d = sqlite_driver_or_skip();
  if (!d) return;
  std::string script = "-- header\n\n  /* note */ SELECT 1;\n\nSELECT 2 ;";
  Split s = split(d, script);
  REQUIRE(s.statements.size() == 2);
  // So the host can turn a start offset into the statement's own line number.
  CHECK(s.starts[0] == script.find("SELECT 1"));
  CHECK(s.statements[0] == "SELECT 1");
  CHECK(s.starts[1] == script.find("SELECT 2"));
  CHECK(s.statements[1] == "SELECT 2 ");
}

TEST_CASE("split/sqlite: blank scripts and empty statements", "[split][sqlite]") {
  const tide_driver *d = sqlite_driver_or_skip();
  if (!d) return;
  for (std::string_view blank :
       {"", "   \n", "-- only a comment", "-- comment\n/* and a block */\n", ";;", " ; -- x\n;"}) {
    INFO("script: " << blank);
    Split s = split(d, blank);
    CHECK(s.rc == TIDE_OK);
    CHECK(s.statements.empty());
  }
  CHECK(stripped(split(d, "SELECT 1;;\n;SELECT 2;")) == Texts{"SELECT 1", "SELECT 2"});
}

TEST_CASE("split/sqlite: the last statement may lack its ';'", "[split][sqlite]") {
  const tide_driver *d = sqlite_driver_or_skip();
  if (!d) return;
  Split s = split(d, "SELECT 1;\nSELECT 2 -- trailing comment");
  CHECK(s.rc == TIDE_OK);
  CHECK(stripped(s) == Texts{"SELECT 1", "SELECT 2 -- trailing comment"});
}

TEST_CASE("split/sqlite: a script ending inside a string or comment", "[split][sqlite]") {
  const tide_driver *d = sqlite_driver_or_skip();
  if (!d) return;
  for (std::string_view tail :
       {"SELECT 'never closed;", "SELECT \"never closed", "/* never closed", "SELECT 1 /* never; closed"}) {
    INFO("tail: " << tail);
    Split s = split(d, "SELECT 0;\n" + std::string(tail));
    CHECK(s.rc == TIDE_EMISUSE);
    // The unfinished statement is still reported, so the host can point at it.
    CHECK(stripped(s) == Texts{"SELECT 0", std::string(tail)});
  }
}
