// The LuaLS stubs (stdlib-lua/types/) cannot go stale: every function the embedded Lua
// library gives users — the global `tide` table, the `db` object's methods, and every
// other tide.* module — must have a stub. A stub of a tide.* or db: function that does
// not exist is reported as a warning only, so stubs may be written ahead of a branch
// that brings the function.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "lua/embedded.h"
#include "lua/state.h"

using namespace tide;

namespace {

// Walks what users can reach and returns its function names: "tide.getenv",
// "tide.log" (a callable table), "tide.log.warn", "db:exec", "tide.schema.x", ...
// tide.core and tide.db's module table are the host's glue, not user API.
constexpr const char *kListExports = R"lua(
local names, seen = {}, {}
local function walk(prefix, t)
  if seen[t] then return end
  seen[t] = true
  for k, v in pairs(t) do
    if type(k) == "string" and not k:match("^_") then
      local name = prefix .. "." .. k
      if type(v) == "function" then
        names[name] = true
      elseif type(v) == "table" then
        local mt = getmetatable(v)
        if mt and mt.__call then names[name] = true end
        walk(name, v)
      end
    end
  end
end
walk("tide", tide)
local db = require("tide.db").new({
  dialect = function() return "stub" end,
  capabilities = function() return {} end,
})
for k, v in pairs(getmetatable(db).__index) do
  if type(v) == "function" and not k:match("^_") then names["db:" .. k] = true end
end
for _, module in ipairs(...) do
  walk(module, require(module))
end
local out = {}
for name in pairs(names) do out[#out + 1] = name end
table.sort(out)
return table.concat(out, "\n")
)lua";

// Modules that are glue, not user API: the host's primitives, tide.db's module table
// (its `db` class is walked above), and the helpers providers share (the providers
// themselves, tide.snapshot.<name>, are walked).
const std::set<std::string> kNotUserApi = {"tide.core", "tide.db", "tide.snapshot", "tide.snapshot.pg_common"};

std::set<std::string> exported_functions() {
  LuaState lua;
  REQUIRE(lua.install_globals("", nullptr).ok());
  lua_State *L = lua.L();
  REQUIRE(lua.load_string(kListExports, "=list_exports").ok());
  lua_newtable(L);
  int n = 0;
  for (const EmbeddedModule *m = kEmbeddedModules; m->name; ++m) {
    std::string name = m->name;
    if (kNotUserApi.count(name) || name == "tide") continue;
    lua_pushstring(L, m->name);
    lua_rawseti(L, -2, ++n);
  }
  Status s = lua.pcall(1, 1);
  INFO((s.ok() ? "" : s.error().message));
  REQUIRE(s.ok());
  std::set<std::string> out;
  std::istringstream lines(lua_tostring(L, -1));
  for (std::string line; std::getline(lines, line);) out.insert(line);
  lua_pop(L, 1);
  return out;
}

struct Stubs {
  std::set<std::string> functions;  // `function tide.getenv(` → "tide.getenv"
  std::set<std::string> tables;     // `tide.log = {}` → "tide.log"
};

void read_stubs(const std::filesystem::path &path, Stubs &stubs) {
  std::ifstream in(path);
  INFO(path);
  REQUIRE(in.good());
  static const std::regex function_re(R"(^\s*function\s+([A-Za-z_][\w.:]*)\s*\()");
  static const std::regex table_re(R"(^([A-Za-z_][\w.]*)\s*=\s*\{)");
  std::smatch m;
  for (std::string line; std::getline(in, line);) {
    if (std::regex_search(line, m, function_re)) stubs.functions.insert(m[1]);
    if (std::regex_search(line, m, table_re)) stubs.tables.insert(m[1]);
  }
}

Stubs read_all_stubs(const std::filesystem::path &dir) {
  Stubs stubs;
  for (const auto &entry : std::filesystem::directory_iterator(dir))
    if (entry.path().extension() == ".lua") read_stubs(entry.path(), stubs);
  return stubs;
}

}  // namespace

TEST_CASE("LuaLS stubs: every exported function has one, and every stub exists", "[lua][stubs]") {
  std::set<std::string> exported = exported_functions();
  REQUIRE(exported.count("tide.getenv") == 1);  // the walk itself works
  REQUIRE(exported.count("db:exec") == 1);
  Stubs stubs = read_all_stubs(TIDE_SOURCE_DIR "/stdlib-lua/types");
  for (const std::string &name : exported) {
    INFO("add a stub for " << name << " to stdlib-lua/types/");
    CHECK((stubs.functions.count(name) + stubs.tables.count(name)) > 0);
  }
  for (const std::string &name : stubs.functions) {
    // Methods of other classes (a snapshot handle's restore) are not walked.
    bool walked = name.starts_with("tide.") || name.starts_with("db:");
    if (walked && !exported.count(name)) WARN("stdlib-lua/types/ has a stub for " << name << ", not exported (yet)");
  }
}
