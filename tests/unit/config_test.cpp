#include "config/config.h"

#include <catch2/catch.hpp>
#include <cstdlib>

#include "temp_dir.h"

using namespace tide;
using tide::test::TempDir;

namespace {

// Runs in a fresh project folder with a clean environment, restored afterwards.
struct InProject {
  TempDir dir;
  std::filesystem::path old = std::filesystem::current_path();
  LuaState lua;
  InProject() {
    std::filesystem::current_path(dir.path());
    for (const char *v : {"DATABASE_URL", "TIDE_ENV", "TIDE_TEST_FROM_DOTENV"}) unsetenv(v);
    REQUIRE(lua.install_globals("", nullptr).ok());
  }
  ~InProject() { std::filesystem::current_path(old); }
  Result<Config> load(ConfigOverrides o = {}) { return load_config(lua, o); }
};

}  // namespace

TEST_CASE("defaults without a config file") {
  InProject p;
  auto c = p.load();
  REQUIRE(c.ok());
  CHECK(c->environment == "development");
  CHECK(c->database == "sqlite:db/development.sqlite3");
  CHECK(c->migrations_dir == "migrations");
  CHECK(c->is_protected() == false);
  CHECK(c->protected_envs == std::vector<std::string>{"production"});
}

TEST_CASE("tide.lua keys, with the database chosen by environment") {
  InProject p;
  p.dir.write("tide.lua", R"(return {
  database = { development = "sqlite:dev.db", production = "sqlite:prod.db" },
  lock_timeout = "5s", statement_timeout = 2, protected = { "production", "staging" },
  migrations = "db/migrate",
})");
  auto c = p.load();
  REQUIRE(c.ok());
  CHECK(c->database == "sqlite:dev.db");
  CHECK(c->lock_timeout_ms == 5000);
  CHECK(c->statement_timeout_ms == 2000);
  CHECK(c->migrations_dir == "db/migrate");
  ConfigOverrides prod;
  prod.environment = "production";
  auto c2 = p.load(prod);
  REQUIRE(c2.ok());
  CHECK(c2->database == "sqlite:prod.db");
  CHECK(c2->is_protected());
}

TEST_CASE("precedence: command line, then tide.lua, then DATABASE_URL") {
  InProject p;
  setenv("DATABASE_URL", "sqlite:from-env.db", 1);
  auto c = p.load();
  REQUIRE(c.ok());
  CHECK(c->database == "sqlite:from-env.db");
  p.dir.write("tide.lua", "return { database = 'sqlite:from-file.db' }");
  CHECK(p.load()->database == "sqlite:from-file.db");
  ConfigOverrides o;
  o.database = "sqlite:from-flag.db";
  CHECK(p.load(o)->database == "sqlite:from-flag.db");
  unsetenv("DATABASE_URL");
}

TEST_CASE("tide.env is visible inside tide.lua") {
  InProject p;
  setenv("TIDE_ENV", "staging", 1);
  p.dir.write("tide.lua", "return { database = 'sqlite:' .. tide.env .. '.db' }");
  auto c = p.load();
  REQUIRE(c.ok());
  CHECK(c->database == "sqlite:staging.db");
  CHECK(c->environment == "staging");
  unsetenv("TIDE_ENV");
}

TEST_CASE(".env sets variables that are not already set") {
  InProject p;
  p.dir.write(".env", "# comment\nexport DATABASE_URL=\"sqlite:dotenv.db\"\nTIDE_TEST_FROM_DOTENV=x # trailing\n");
  p.dir.write("tide.lua", "return {}");
  auto c = p.load();
  REQUIRE(c.ok());
  CHECK(c->database == "sqlite:dotenv.db");
  CHECK(std::string(std::getenv("TIDE_TEST_FROM_DOTENV")) == "x");
  unsetenv("DATABASE_URL");
}

TEST_CASE("config errors name the file and exit 2") {
  InProject p;
  p.dir.write("tide.lua", "return 42");
  auto c = p.load();
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().exit == Exit::kUsage);
  CHECK(c.error().message.find("tide.lua: the config must return a table (it returned number)") != std::string::npos);

  p.dir.write("tide.lua", "return { databse = 'sqlite:x' }");
  c = p.load();
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().message.find("unknown key `databse`") != std::string::npos);

  p.dir.write("tide.lua", "return { lock_timeout = 'soon' }");
  CHECK(p.load().error().message.find("lock_timeout") != std::string::npos);

  p.dir.write("tide.lua", "return {\n  database = nil .. 'x',\n}");
  c = p.load();
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().message.find("tide.lua:2:") != std::string::npos);

  ConfigOverrides bad;
  bad.lock_timeout = "forever";
  p.dir.write("tide.lua", "return {}");
  CHECK(p.load(bad).error().exit == Exit::kUsage);
}

TEST_CASE("TIDE_LUA_PATH loads the Lua library from disk instead of the embedded copy") {
  TempDir lib;
  lib.write("tide/init.lua", "return { version = 'from-disk', log = function() end }");
  setenv("TIDE_LUA_PATH", lib.path().c_str(), 1);
  LuaState lua;
  unsetenv("TIDE_LUA_PATH");
  REQUIRE(lua.install_globals("", nullptr).ok());
  lua_getglobal(lua.L(), "tide");
  lua_getfield(lua.L(), -1, "version");
  CHECK(std::string(lua_tostring(lua.L(), -1)) == "from-disk");

  LuaState embedded;
  REQUIRE(embedded.install_globals("", nullptr).ok());
  lua_getglobal(embedded.L(), "tide");
  lua_getfield(embedded.L(), -1, "version");
  CHECK(std::string(lua_tostring(embedded.L(), -1)) != "from-disk");
}
