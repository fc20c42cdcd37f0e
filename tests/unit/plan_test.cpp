// plan_migration (migrate/plan.h): SQL sections cut by the SQLite driver's own splitter,
// Lua migrations run against the recording session, and what lint reads from the plans:
// positions, leading comments, file-wide lint-ignore, reads that stop the plan.
#include "migrate/plan.h"

#include <catch2/catch.hpp>
#include <filesystem>

#include "fake_session.h"
#include "plugin/plugin_session.h"
#include "temp_dir.h"

using namespace tide;
using namespace tide::test;
using Kind = PlannedStatement::Kind;

namespace {

struct Fixture {
  TempDir dir;
  LuaState lua;
  std::shared_ptr<Plugin> plugin;
  std::unique_ptr<PluginDialect> dialect;
  Catalog catalog;
  std::unique_ptr<Migration> loaded;

  Fixture() {
    REQUIRE(lua.install_globals("test", nullptr).ok());
    auto p = Plugin::load(TIDE_TEST_SQLITE_PLUGIN);
    REQUIRE(p.ok());
    plugin = *p;
    dialect = std::make_unique<PluginDialect>(plugin);
  }

  // Writes migrations/<file>, loads it and plans dir with d (the SQLite dialect by default).
  MigrationPlan plan(const std::string &file, const std::string &text, Direction dir = Direction::kUp,
                     const Dialect *d = nullptr) {
    const Dialect &use = d ? *d : *dialect;
    dir_write(file, text);
    auto cat = scan_migrations(this->dir.path() / "migrations", "migrations");
    REQUIRE(cat.ok());
    catalog = std::move(*cat);
    const MigrationFile *f = nullptr;
    for (const auto &m : catalog.migrations)
      if (m.display == "migrations/" + file) f = &m;
    REQUIRE(f != nullptr);
    auto m = load_migration(*f, lua, use);
    REQUIRE(m.ok());
    loaded = std::move(*m);
    auto p = plan_migration(*loaded, dir, lua, use, "3.45.0");
    REQUIRE(p.ok());
    return std::move(*p);
  }
  void dir_write(const std::string &file, const std::string &text) {
    std::filesystem::remove_all(dir.path() / "migrations");
    dir.write("migrations/" + file, text);
  }
};

}  // namespace

TEST_CASE("an SQL migration is cut by the driver's splitter with positions in its file") {
  Fixture f;
  auto p = f.plan("001_users.sql",
                  "-- tide:lint-ignore drop-table\n"
                  "-- tide:up\n"
                  "CREATE TABLE users (id integer primary key);\n"
                  "\n"
                  "-- tide:lint-ignore add-column-not-null\n"
                  "  ALTER TABLE users ADD COLUMN role text NOT NULL DEFAULT 'x'; CREATE TABLE t2 (\n"
                  "  a text -- a; comment\n"
                  ");\n"
                  "-- tide:down\n"
                  "DROP TABLE users;\n");
  REQUIRE(p.statements.size() == 3);
  CHECK(p.file == &f.loaded->file());
  CHECK(p.lint_ignore == std::vector<std::string>{"drop-table"});
  CHECK(p.has_down);
  CHECK_FALSE(p.irreversible);
  CHECK(p.transactional);
  CHECK(p.stopped.empty());

  const auto &a = p.statements[0];
  CHECK(a.kind == Kind::kStatement);
  CHECK(a.sql.starts_with("CREATE TABLE users (id integer primary key)"));
  CHECK(a.line == 3);
  CHECK(a.column == 1);
  CHECK(a.exact);
  CHECK(a.leading.empty());

  const auto &b = p.statements[1];
  CHECK(b.sql.starts_with("ALTER TABLE users ADD COLUMN role text NOT NULL DEFAULT 'x'"));
  CHECK(b.line == 6);
  CHECK(b.column == 3);
  // The statement's own directive is in its leading text, verbatim.
  CHECK(b.leading.find("-- tide:lint-ignore add-column-not-null\n") != std::string::npos);

  const auto &c = p.statements[2];
  CHECK(c.line == 6);
  CHECK(c.sql.starts_with("CREATE TABLE t2 ("));
  CHECK(c.sql.find("-- a; comment") != std::string::npos);  // a comment inside stays inside

  auto down = f.plan("001_users.sql", "-- tide:up\nCREATE TABLE a (id int);\n-- tide:down\n\nDROP TABLE a;\n",
                     Direction::kDown);
  REQUIRE(down.statements.size() == 1);
  CHECK(down.statements[0].line == 5);
}

TEST_CASE("a non-transactional SQL migration and a file without markers") {
  Fixture f;
  auto p = f.plan("002_idx.sql", "-- tide:lint-ignore drop-table\nDROP TABLE a;\n");
  CHECK(p.lint_ignore.empty());  // no `-- tide:up`: no file-wide area
  REQUIRE(p.statements.size() == 1);
  CHECK(p.statements[0].line == 2);
  CHECK(p.statements[0].leading == "-- tide:lint-ignore drop-table\n");

  auto nt = f.plan("003_nt.sql", "-- tide:no-transaction tide:irreversible\n-- tide:up\nCREATE INDEX i ON a (b);\n");
  CHECK_FALSE(nt.transactional);
  CHECK_FALSE(nt.wants_transaction);
  CHECK(nt.irreversible);
  CHECK_FALSE(nt.has_down);
}

TEST_CASE("a Lua migration's statements are found in its SQL literals, or at the line of the call") {
  Fixture f;
  auto p = f.plan("001_lua.lua",
                  "-- tide:lint-ignore rename-table\n"
                  "return {\n"
                  "  up = function(db)\n"
                  "    db:exec [[CREATE TABLE a (id int);\n"
                  "      -- tide:lint-ignore drop-table\n"
                  "      DROP TABLE old;]]\n"
                  "    db:exec(\"INSERT INTO a (id) VALUES (?)\", 42)\n"
                  "    local t = 'b'\n"
                  "    db:exec(\n      'CREATE TABLE ' .. t .. ' (id int);\\n CREATE TABLE c (id int)')\n"
                  "  end,\n"
                  "}\n");
  CHECK(p.lint_ignore == std::vector<std::string>{"rename-table"});
  CHECK_FALSE(p.has_down);
  CHECK(p.stopped.empty());
  REQUIRE(p.statements.size() == 5);
  // A literal of the file: exact positions (Lua reports the call on the line where the
  // long string ends, line 6; the literal found spanning it says where each one is).
  CHECK(p.statements[0].sql.starts_with("CREATE TABLE a (id int)"));
  CHECK(p.statements[0].line == 4);
  CHECK(p.statements[0].column == 15);
  CHECK(p.statements[0].exact);
  CHECK(p.statements[1].sql.starts_with("DROP TABLE old"));
  CHECK(p.statements[1].line == 6);
  CHECK(p.statements[1].column == 7);
  CHECK(p.statements[1].leading.find("-- tide:lint-ignore drop-table") != std::string::npos);
  CHECK(p.statements[2].kind == Kind::kStatement);  // a parameterised exec is no read
  CHECK(p.statements[2].line == 7);
  CHECK(p.statements[2].column == 14);
  CHECK(p.statements[2].note == "1 bound parameter(s)");
  // SQL built at run time: the line of the call, lines inside counted from it.
  CHECK(p.statements[3].sql.starts_with("CREATE TABLE b (id int)"));
  CHECK(p.statements[3].line == 9);
  CHECK_FALSE(p.statements[3].exact);
  CHECK(p.statements[4].sql.starts_with("CREATE TABLE c (id int)"));
  CHECK(p.statements[4].line == 10);
  CHECK_FALSE(p.statements[4].exact);
}

TEST_CASE("a read ends the plan of a Lua migration: nothing after it is recorded") {
  Fixture f;
  auto p = f.plan("001_read.lua",
                  "return {\n"
                  "  up = function(db)\n"
                  "    db:exec [[ALTER TABLE a ADD COLUMN b int]]\n"
                  "    local n = db:scalar(\"SELECT count(*) FROM a\")\n"
                  "    if n > 100 then db:exec [[CREATE INDEX big ON a (b)]] end\n"
                  "    db:exec [[CREATE TABLE never (id int)]]\n"
                  "  end,\n"
                  "}\n");
  REQUIRE(p.statements.size() == 2);
  CHECK(p.statements[0].kind == Kind::kStatement);
  CHECK(p.statements[1].kind == Kind::kRead);
  CHECK(p.statements[1].sql == "SELECT count(*) FROM a");
  CHECK(p.statements[1].line == 4);
  CHECK_FALSE(p.failed);
  CHECK(p.stopped.find("stops at a read at migrations/001_read.lua:4") != std::string::npos);
  CHECK(p.stopped.find("tide up --dry-run") != std::string::npos);

  // Caught with pcall, the read still ends the plan: later calls fail the same way.
  auto caught = f.plan("002_pcall.lua",
                       "return { up = function(db)\n"
                       "  local ok = pcall(function() for r in db:rows('SELECT * FROM a') do end end)\n"
                       "  pcall(db.exec, db, 'DROP TABLE a')\n"
                       "end }\n");
  REQUIRE(caught.statements.size() == 1);
  CHECK(caught.statements[0].kind == Kind::kRead);
  CHECK(caught.statements[0].line == 2);
  CHECK_FALSE(caught.stopped.empty());
}

TEST_CASE("upserts, db:transaction and the server version in a plan") {
  Fixture f;
  auto p = f.plan("001_rows.lua",
                  "return { up = function(db)\n"
                  "  assert(db:server_version() == '3.45.0')\n"
                  "  db:transaction(function()\n"
                  "    db:upsert('roles', {{name = 'admin'}, {name = 'user'}}, {key = {'name'}})\n"
                  "  end)\n"
                  "  db:insert('log', {{msg = 'x'}})\n"
                  "end }\n");
  CHECK(p.stopped.empty());
  REQUIRE(p.statements.size() == 4);
  // Inside the migration's own transaction, db:transaction takes a savepoint.
  CHECK(p.statements[0].sql.starts_with("SAVEPOINT"));
  CHECK(p.statements[0].line == 3);
  CHECK(p.statements[1].kind == Kind::kRows);
  CHECK(p.statements[1].sql == "upsert of 2 row(s) into roles");
  CHECK(p.statements[1].note == "key: name");
  CHECK(p.statements[1].line == 4);
  CHECK(p.statements[2].sql.starts_with("RELEASE"));
  CHECK(p.statements[3].sql == "insert of 1 row(s) into log");
}

TEST_CASE("tide.exec does not run during a plan, and works again after it") {
  Fixture f;
  auto marker = f.dir.path() / "ran";
  auto p = f.plan("001_cmd.lua",
                  "return { up = function(db)\n"
                  "  db:exec 'CREATE TABLE a (id int)'\n"
                  "  tide.exec{'touch', '" +
                      marker.string() +
                      "'}\n"
                      "  db:exec 'CREATE TABLE b (id int)'\n"
                      "end }\n");
  CHECK_FALSE(std::filesystem::exists(marker));
  REQUIRE(p.statements.size() == 2);
  CHECK(p.statements[1].kind == Kind::kRead);
  CHECK(p.statements[1].sql.empty());
  CHECK(p.statements[1].line == 3);
  CHECK(p.statements[1].note == "runs a command: touch " + marker.string());
  CHECK(p.stopped.find("tide.exec") != std::string::npos);

  lua_State *L = f.lua.L();
  std::string code = "local r = tide.exec{'touch', '" + marker.string() + "'}; return r.code";
  REQUIRE(f.lua.load_string(code, "check.lua").ok());
  REQUIRE(f.lua.pcall(0, 1).ok());
  CHECK(lua_tonumber(L, -1) == 0);
  lua_pop(L, 1);
  CHECK(std::filesystem::exists(marker));
}

TEST_CASE("a Lua migration's own error stops its plan and marks it failed") {
  Fixture f;
  auto p = f.plan("001_err.lua",
                  "return { up = function(db)\n  db:exec 'CREATE TABLE a (id int)'\n"
                  "  error('boom')\nend, down = function(db) db:exec 'DROP TABLE a' end }\n");
  CHECK(p.failed);
  CHECK(p.has_down);
  CHECK(p.stopped.find("boom") != std::string::npos);
  CHECK(p.statements.size() == 1);

  auto down = f.plan("001_err.lua",
                     "return { up = function(db) end, down = function(db)\n"
                     "  db:exec 'DROP TABLE a'\nend }\n",
                     Direction::kDown);
  REQUIRE(down.statements.size() == 1);
  CHECK(down.statements[0].line == 2);
}

TEST_CASE("without transactional DDL a plan says what up would do: dirty-first unless rows only") {
  Fixture f;
  FakeDb db;
  db.transactional_ddl = false;
  FakeDialect fake(db);
  auto ddl = f.plan("001_a.sql", "-- tide:up\nCREATE TABLE a (id int);\n", Direction::kUp, &fake);
  CHECK_FALSE(ddl.transactional);
  CHECK(ddl.wants_transaction);
  auto rows =
      f.plan("002_b.sql", "-- tide:up\nINSERT INTO a VALUES (1);\n  UPDATE a SET id = 2;\n", Direction::kUp, &fake);
  CHECK(rows.transactional);
  REQUIRE(rows.statements.size() == 2);
  CHECK(rows.statements[1].sql == "UPDATE a SET id = 2");  // the fake cuts before ';'
  CHECK(rows.statements[1].line == 3);
  CHECK(rows.statements[1].column == 3);
  auto lua =
      f.plan("003_c.lua", "return { up = function(db) local n = db:query('SELECT 1') end }\n", Direction::kUp, &fake);
  CHECK_FALSE(lua.transactional);
  CHECK(lua.stopped.find("no dry run") != std::string::npos);
}
