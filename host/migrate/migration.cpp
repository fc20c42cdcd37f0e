#include "migrate/migration.h"

#include <fmt/format.h>

#include "lua/bind.h"
#include "migrate/checksum.h"
#include "migrate/statement_kind.h"
#include "util/text.h"

namespace tide {

namespace {

// Offset of the first character of script at or after pos that is not blank and not in a
// `--` line comment: where the statement itself starts.
size_t skip_blank(std::string_view script, size_t pos) {
  while (pos < script.size()) {
    char c = script[pos];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++pos;
    } else if (script.substr(pos, 2) == "--") {
      size_t nl = script.find('\n', pos);
      pos = nl == std::string_view::npos ? script.size() : nl + 1;
    } else {
      break;
    }
  }
  return pos;
}

}  // namespace

// Turn a driver error on a script that starts at byte base of the file into an error
// that names the file's line and the failing statement (its number and first line).
Error locate_sql_error(Error e, const MigrationFile &file, std::string_view text, size_t base, std::string_view script,
                       const Dialect &dialect) {
  if (e.statement_offset < 0 || static_cast<size_t>(e.statement_offset) > script.size()) {
    if (e.where.empty()) e.where = file.display;
    return e;
  }
  size_t stmt = static_cast<size_t>(e.statement_offset);
  size_t at = e.error_position >= 0 ? stmt + static_cast<size_t>(e.error_position) : skip_blank(script, stmt);
  at = std::min(at, script.size());
  e.where = fmt::format("{}:{}", file.display, line_of(text, base + at));
  auto spans = dialect.split(script);
  for (size_t i = 0; i < spans.size(); ++i) {
    if (spans[i].start + spans[i].len <= stmt) continue;
    std::string_view body = script.substr(spans[i].start, spans[i].len);
    std::string line = fmt::format("statement {}: {}", i + 1, statement_summary(body.substr(skip_blank(body, 0))));
    e.detail = e.detail.empty() ? line : line + "\n" + e.detail;
    break;
  }
  return e;
}

namespace {

class SqlMigrationFile : public Migration {
 public:
  SqlMigrationFile(const MigrationFile &file, std::string text, SqlMigration parsed, const Dialect &dialect)
      : Migration(file), parsed_(std::move(parsed)), dialect_(dialect) {
    source_ = std::move(text);
    transactional_ = !parsed_.directives.no_transaction;
    irreversible_ = parsed_.directives.irreversible;
    // An empty `-- tide:down` (as `tide new --sql` leaves it) is no down: reverting with
    // it would drop the history row and leave the up's changes in place.
    has_down_ = parsed_.down.present && !dialect_.split(parsed_.down.in(source_)).empty();
    env_ = parsed_.directives.env;
    env_line_ = parsed_.directives.env_line;
    lint_ignore_ = parsed_.directives.lint_ignore;
  }

  std::optional<SqlScript> sql_script(Direction dir) const override {
    const SqlSection &section = dir == Direction::kUp ? parsed_.up : parsed_.down;
    if (!section.present) return std::nullopt;
    return SqlScript{section.in(source_), source_, section.offset};
  }

  bool changes_rows_only(Direction dir, const Dialect &dialect) const override {
    const SqlSection &section = dir == Direction::kUp ? parsed_.up : parsed_.down;
    return tide::changes_rows_only(section.in(source_), dialect);
  }

  Status run(Direction dir, Session &session) override {
    const SqlSection &section = dir == Direction::kUp ? parsed_.up : parsed_.down;
    std::string_view script = section.in(source_);
    Status s = session.exec(script);
    if (s.ok()) return s;
    return locate_sql_error(s.error(), file_, source_, section.offset, script, dialect_);
  }

 private:
  SqlMigration parsed_;
  const Dialect &dialect_;
};

}  // namespace

std::optional<std::string> env_gate_of(lua_State *L, int idx) {
  if (lua_type(L, idx) == LUA_TSTRING) return std::string(lua_tostring(L, idx));
  if (!lua_istable(L, idx)) return std::nullopt;
  std::string expr;
  for (int i = 1;; ++i) {
    lua_rawgeti(L, idx, i);
    bool name = lua_type(L, -1) == LUA_TSTRING;
    if (name) {
      if (!expr.empty()) expr += " or ";
      expr += lua_tostring(L, -1);
    }
    lua_pop(L, 1);
    if (!name) break;
  }
  return expr;
}

namespace {

class LuaMigrationFile : public Migration {
 public:
  LuaMigrationFile(const MigrationFile &file, LuaState &lua, int ref) : Migration(file), lua_(lua), ref_(ref) {}
  ~LuaMigrationFile() override { luaL_unref(lua_.L(), LUA_REGISTRYINDEX, ref_); }
  LuaMigrationFile(const LuaMigrationFile &) = delete;
  LuaMigrationFile &operator=(const LuaMigrationFile &) = delete;

  Status read_fields(const std::string &text);

  Status run(Direction dir, Session &session) override {
    lua_State *L = lua_.L();
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref_);
    lua_getfield(L, -1, dir == Direction::kUp ? "up" : "down");
    lua_remove(L, -2);
    if (Status s = push_db(lua_, session); !s.ok()) {
      lua_pop(L, 1);
      return s;
    }
    Status s = lua_.pcall(1, 0);
    if (!s.ok()) {
      Error &e = s.error();
      if (e.where.empty() && e.message.rfind(file_.display, 0) != 0) e.where = file_.display;
    }
    return s;
  }

  Status on_error(Session &session, const Error &err) override {
    lua_State *L = lua_.L();
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref_);
    lua_getfield(L, -1, "on_error");
    lua_remove(L, -2);
    if (Status s = push_db(lua_, session); !s.ok()) {
      lua_pop(L, 1);
      return s;
    }
    push_error_for_lua(L, err);
    Status s = lua_.pcall(2, 0);
    if (!s.ok()) {
      Error &e = s.error();
      if (e.where.empty() && e.message.rfind(file_.display, 0) != 0) e.where = file_.display;
    }
    return s;
  }

 private:
  LuaState &lua_;
  int ref_;
};

Status LuaMigrationFile::read_fields(const std::string &text) {
  static const char *const kKnown[] = {"up", "down", "on_error", "transaction", "irreversible", "description", "env"};
  lua_State *L = lua_.L();
  lua_rawgeti(L, LUA_REGISTRYINDEX, ref_);
  int t = lua_gettop(L);
  auto fail = [&](std::string msg, std::string hint = {}) {
    lua_settop(L, t - 1);
    return Status::fail(Exit::kInvalid, fmt::format("{}: {}", file_.display, msg), std::move(hint));
  };
  lua_pushnil(L);
  while (lua_next(L, t) != 0) {
    lua_pop(L, 1);
    bool known = false;
    if (lua_type(L, -1) == LUA_TSTRING)
      for (const char *k : kKnown) known = known || std::string_view(lua_tostring(L, -1)) == k;
    if (!known) {
      std::string key = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : luaL_typename(L, -1);
      return fail(fmt::format("unknown field \"{}\" in the migration table", key),
                  "known fields: up, down, on_error, transaction, irreversible, description, env");
    }
  }
  auto type_of = [&](const char *k) {
    lua_getfield(L, t, k);
    int ty = lua_type(L, -1);
    lua_pop(L, 1);
    return ty;
  };
  if (type_of("up") != LUA_TFUNCTION) return fail("the migration table has no `up` function");
  int down = type_of("down");
  if (down != LUA_TNIL && down != LUA_TFUNCTION) return fail("`down` must be a function");
  has_down_ = down == LUA_TFUNCTION;
  int on_error = type_of("on_error");
  if (on_error != LUA_TNIL && on_error != LUA_TFUNCTION) return fail("`on_error` must be a function(db, err)");
  has_on_error_ = on_error == LUA_TFUNCTION;
  int tx = type_of("transaction");
  if (tx != LUA_TNIL && tx != LUA_TBOOLEAN) return fail("`transaction` must be true or false");
  lua_getfield(L, t, "transaction");
  transactional_ = tx == LUA_TNIL || lua_toboolean(L, -1);
  int irr = type_of("irreversible");
  if (irr != LUA_TNIL && irr != LUA_TBOOLEAN) return fail("`irreversible` must be true or false");
  lua_getfield(L, t, "irreversible");
  irreversible_ = lua_toboolean(L, -1);
  lua_getfield(L, t, "description");
  if (lua_type(L, -1) == LUA_TSTRING) description_ = lua_tostring(L, -1);
  lua_getfield(L, t, "env");
  env_ = env_gate_of(L, -1);
  if (!env_ && !lua_isnil(L, -1)) return fail("`env` must be a string or a list of strings");
  lua_settop(L, t - 1);
  source_ = text;
  lint_ignore_ = lua_lint_ignore(text);
  return {};
}

}  // namespace

const std::string &Migration::checksum() const {
  if (checksum_.empty()) checksum_ = tide::checksum(source_);
  return checksum_;
}

Result<std::string> file_checksum(const MigrationFile &file) {
  auto text = read_file(file.path);
  if (!text) return text.status();
  return checksum(*text);
}

Status push_db(LuaState &lua, Session &session) {
  lua_State *L = lua.L();
  // Cache: registry["tide.db.<address>"] = db object for this session.
  std::string key = fmt::format("tide.db.{}", static_cast<const void *>(&session));
  lua_getfield(L, LUA_REGISTRYINDEX, key.c_str());
  if (!lua_isnil(L, -1)) return {};
  lua_pop(L, 1);
  lua_getglobal(L, "require");
  lua_pushstring(L, "tide.db");
  TIDE_TRY(lua.pcall(1, 1));
  lua_getfield(L, -1, "new");
  lua_remove(L, -2);
  push_conn(L, &session);
  TIDE_TRY(lua.pcall(1, 1));
  lua_pushvalue(L, -1);
  lua_setfield(L, LUA_REGISTRYINDEX, key.c_str());
  return {};
}

void forget_db(LuaState &lua, Session &session) {
  std::string key = fmt::format("tide.db.{}", static_cast<const void *>(&session));
  lua_pushnil(lua.L());
  lua_setfield(lua.L(), LUA_REGISTRYINDEX, key.c_str());
}

Result<int> load_lua_table(LuaState &lua, std::string_view text, const std::string &display, const char *what,
                           const char *hint) {
  lua_State *L = lua.L();
  TIDE_TRY(lua.load_string(text, display));
  Status s = lua.pcall(0, 1);
  if (!s.ok()) {
    s.error().exit = Exit::kInvalid;
    return s;
  }
  if (!lua_istable(L, -1)) {
    std::string got = luaL_typename(L, -1);
    lua_pop(L, 1);
    return Status::fail(Exit::kInvalid, fmt::format("{}: {} must return a table (got {})", display, what, got), hint);
  }
  return luaL_ref(L, LUA_REGISTRYINDEX);
}

void push_error_for_lua(lua_State *L, const Error &e) {
  push_error(L, e);
  auto set = [&](const char *k, const std::string &v) {
    if (v.empty()) return;
    lua_pushlstring(L, v.data(), v.size());
    lua_setfield(L, -2, k);
  };
  set("where", e.where);
  set("traceback", e.traceback);
  // where is "file:line" (or just the file); locate() puts "statement N: SQL" in detail.
  size_t colon = e.where.rfind(':');
  if (colon != std::string::npos && colon + 1 < e.where.size() &&
      e.where.find_first_not_of("0123456789", colon + 1) == std::string::npos) {
    set("file", e.where.substr(0, colon));
    lua_pushnumber(L, std::stod(e.where.substr(colon + 1)));
    lua_setfield(L, -2, "line");
  } else {
    set("file", e.where);
  }
  if (size_t at = e.detail.rfind("statement ", 0); at == 0) {
    size_t colon2 = e.detail.find(": ");
    size_t nl = e.detail.find('\n');
    if (colon2 != std::string::npos && colon2 < nl) set("statement", e.detail.substr(colon2 + 2, nl - colon2 - 2));
  }
  set("headline", e.headline());
}

Result<std::unique_ptr<Migration>> load_migration(const MigrationFile &file, LuaState &lua, const Dialect &dialect) {
  auto text = read_file(file.path);
  if (!text) return text.status();
  auto empty = [&]() {
    return Status::fail(Exit::kInvalid, fmt::format("{}: the migration is empty", file.display),
                        file.format == MigrationFormat::kLua
                            ? "return a table with an `up` function (see `tide new NAME`)"
                            : "write its SQL under `-- tide:up` (see `tide new NAME --sql`)");
  };
  if (text->find_first_not_of(" \t\r\n") == std::string::npos) return empty();

  if (file.format == MigrationFormat::kSql) {
    auto parsed = parse_sql_migration(*text, file.display);
    if (!parsed) return parsed.status();
    if (dialect.split(parsed->up.in(*text)).empty()) {
      return Status::fail(Exit::kInvalid, fmt::format("{}: the up section has no SQL statements", file.display),
                          "write the migration's SQL under `-- tide:up`");
    }
    return std::unique_ptr<Migration>(new SqlMigrationFile(file, std::move(*text), std::move(*parsed), dialect));
  }

  auto ref = load_lua_table(lua, *text, file.display, "a migration",
                            "end the file with `return { up = function(db) ... end, down = function(db) ... end }`");
  if (!ref) return ref.status();
  auto m = std::make_unique<LuaMigrationFile>(file, lua, *ref);
  TIDE_TRY(m->read_fields(*text));
  return std::unique_ptr<Migration>(std::move(m));
}

}  // namespace tide
