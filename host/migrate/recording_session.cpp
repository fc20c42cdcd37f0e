#include "migrate/recording_session.h"

#include <fmt/format.h>

#include "lua/bind.h"
#include "util/text.h"

namespace tide {

int chunk_line(lua_State *L, const std::string &display) {
  const std::string chunk = "@" + display;
  lua_Debug ar;
  for (int level = 0; lua_getstack(L, level, &ar); ++level) {
    if (lua_getinfo(L, "Sl", &ar) && ar.currentline > 0 && ar.source && chunk == ar.source) return ar.currentline;
  }
  return 0;
}

// What db:query / db:scalar / db:rows and a parameterised db:exec get: no rows. Asking
// for the columns is what only a read does; that marks its statement a read, and
// stepping then fails with the plan's stop.
class RecordingCursor : public Cursor {
 public:
  RecordingCursor(RecordingSession &session, size_t index) : session_(session), index_(index) {}
  Result<bool> step() override {
    if (!session_.stopped().empty()) return session_.stop_error();
    return false;
  }
  int column_count() override {
    session_.mark_read(index_);
    return 0;
  }
  std::string column_name(int) override { return {}; }
  tide_value column(int) override { return null_value(); }
  int64_t changes() override { return 0; }  // unknown in a plan

 private:
  RecordingSession &session_;
  size_t index_;
};

RecordingSession::RecordingSession(const Dialect &dialect, LuaState &lua, const MigrationFile &file,
                                   std::string_view source, std::string server_version, bool in_transaction)
    : dialect_(dialect),
      lua_(lua),
      file_(file),
      source_(source),
      server_version_(std::move(server_version)),
      in_transaction_(in_transaction) {}

Error RecordingSession::stop_error() const {
  Error e;
  e.message = "tide plan: the migration " + stopped_;
  return e;
}

ScriptOrigin RecordingSession::origin(std::string_view script) const {
  return lua_script_origin(source_, script, chunk_line(lua_.L(), file_.display));
}

Status RecordingSession::exec(std::string_view script) {
  if (!stopped_.empty()) return stop_error();
  const ScriptOrigin where = origin(script);
  auto cut = cut_statements(script, dialect_, where);
  // `-- tide:lint-ignore RULE` on the Lua lines right above the call belongs to the first
  // statement it runs, as a comment before a statement does in a .sql file.
  const int call_line = where.file_text.empty() ? where.line : line_of(where.file_text, where.offset);
  if (!cut.empty()) cut.front().leading = lua_comments_above(source_, call_line) + cut.front().leading;
  for (auto &st : cut) statements_.push_back(std::move(st));
  last_rows_key_.clear();
  return {};
}

Result<std::unique_ptr<Cursor>> RecordingSession::query(std::string_view sql, std::span<const tide_value> params) {
  if (!stopped_.empty()) return stop_error();
  auto cut = cut_statements(sql, dialect_, origin(sql));
  PlannedStatement st;
  if (!cut.empty()) {
    st = std::move(cut.front());
  } else {
    st.sql = std::string(sql);
    st.line = chunk_line(lua_.L(), file_.display);
    st.exact = false;
  }
  if (!params.empty()) st.note = fmt::format("{} bound parameter(s)", params.size());
  statements_.push_back(std::move(st));
  last_rows_key_.clear();
  return std::unique_ptr<Cursor>(new RecordingCursor(*this, statements_.size() - 1));
}

void RecordingSession::mark_read(size_t index) {
  if (!stopped_.empty() || index >= statements_.size()) return;
  PlannedStatement &st = statements_[index];
  st.kind = PlannedStatement::Kind::kRead;
  st.note = st.note.empty() ? "needs a real result" : "needs a real result; " + st.note;
  std::string real = dialect_.has(TIDE_CAP_TRANSACTIONAL_DDL)
                         ? "`tide up --dry-run` runs it for real"
                         : fmt::format("only `tide up` runs it ({} has no dry run)", dialect_.name());
  stopped_ =
      fmt::format("stops at a read at {}:{}: what follows depends on its result; {}", file_.display, st.line, real);
}

Error RecordingSession::command(std::string_view argv) {
  if (stopped_.empty()) {
    PlannedStatement st;
    st.kind = PlannedStatement::Kind::kRead;
    st.line = chunk_line(lua_.L(), file_.display);
    st.exact = false;
    st.note = fmt::format("runs a command: {}", argv);
    stopped_ = fmt::format(
        "stops at a command at {}:{} (tide.exec: {}): a plan never runs commands, and what follows "
        "may depend on it",
        file_.display, st.line, argv);
    statements_.push_back(std::move(st));
  }
  return stop_error();
}

Status RecordingSession::upsert(const UpsertSpec &spec, std::span<const tide_value>, size_t nrows,
                                UpsertCounts &counts) {
  if (!stopped_.empty()) return stop_error();
  counts = {};
  const char *verb = spec.mode == TIDE_UPSERT_INSERT ? "insert" : "upsert";
  int line = chunk_line(lua_.L(), file_.display);
  // db:load_csv and large db:upsert calls write in batches: one entry per call.
  std::string key = fmt::format("{}:{}:{}", verb, spec.table, line);
  if (key == last_rows_key_ && !statements_.empty()) {
    last_rows_ += nrows;
  } else {
    PlannedStatement st;
    st.kind = PlannedStatement::Kind::kRows;
    st.line = line;
    st.exact = false;
    statements_.push_back(std::move(st));
    last_rows_key_ = key;
    last_rows_ = nrows;
  }
  PlannedStatement &st = statements_.back();
  st.sql = fmt::format("{} of {} row(s) into {}", verb, last_rows_, spec.table);
  if (!spec.key.empty()) {
    std::string keys;
    for (const auto &k : spec.key) keys += (keys.empty() ? "" : ", ") + k;
    st.note = "key: " + keys;
  }
  return {};
}

Status RecordingSession::transaction_control(const char *sql, bool in_transaction_after) {
  if (!stopped_.empty()) return stop_error();
  PlannedStatement st;
  st.sql = sql;
  st.line = chunk_line(lua_.L(), file_.display);
  st.exact = false;
  st.note = "transaction control (db:transaction)";
  statements_.push_back(std::move(st));
  last_rows_key_.clear();
  in_transaction_ = in_transaction_after;
  return {};
}

Status RecordingSession::begin() { return transaction_control("BEGIN", true); }
Status RecordingSession::commit() { return transaction_control("COMMIT", false); }
Status RecordingSession::rollback() { return transaction_control("ROLLBACK", false); }

Status RecordingSession::not_in_a_migration(const char *what) const {
  return Status::fail(Exit::kFailed,
                      fmt::format("{}: {} is not available while a migration is planned", file_.display, what));
}

Status RecordingSession::lock(std::string_view, int64_t) { return not_in_a_migration("taking a lock"); }
Status RecordingSession::unlock(std::string_view) { return not_in_a_migration("releasing a lock"); }
Status RecordingSession::disconnect() { return not_in_a_migration("disconnecting"); }
Status RecordingSession::reconnect() { return not_in_a_migration("reconnecting"); }
Status RecordingSession::dump(const DumpWriter &) { return not_in_a_migration("a schema dump"); }

// ---- tide.exec during a plan ----------------------------------------------------------

std::string argv_text(lua_State *L, int idx) {
  std::string out;
  if (!lua_istable(L, idx)) return out;
  int n = static_cast<int>(lua_objlen(L, idx));
  for (int i = 1; i <= n; ++i) {
    lua_rawgeti(L, idx, i);
    size_t len = 0;
    const char *s = lua_tolstring(L, -1, &len);
    if (s) out += (out.empty() ? "" : " ") + std::string(s, len);
    lua_pop(L, 1);
  }
  return out;
}

namespace {

// Records the command and pushes the stop as an error table; no C++ object outlives it.
void push_command_stop(lua_State *L, RecordingSession &session) { push_error(L, session.command(argv_text(L, 1))); }

}  // namespace

int RecordingSession::stop_command(lua_State *L) {
  auto *session = static_cast<RecordingSession *>(lua_touserdata(L, lua_upvalueindex(1)));
  push_command_stop(L, *session);
  return lua_error(L);
}

namespace {

int do_nothing(lua_State *) { return 0; }

// Replace core[name] (the table on top of L's stack) with fn; the reference to the real one.
int swap_field(lua_State *L, const char *name, lua_CFunction fn, void *upvalue) {
  lua_getfield(L, -1, name);
  int ref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_pushlightuserdata(L, upvalue);
  lua_pushcclosure(L, fn, 1);
  lua_setfield(L, -2, name);
  return ref;
}

void restore_field(lua_State *L, const char *name, int ref) {
  if (ref == LUA_NOREF) return;
  lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
  lua_setfield(L, -2, name);
  luaL_unref(L, LUA_REGISTRYINDEX, ref);
}

}  // namespace

ExecOverride::ExecOverride(LuaState &lua, lua_CFunction fn, void *upvalue, bool quiet) : lua_(lua) {
  lua_State *L = lua.L();
  lua_getglobal(L, "require");
  lua_pushstring(L, "tide.core");
  status_ = lua.pcall(1, 1);
  if (!status_.ok()) return;
  exec_ref_ = swap_field(L, "exec", fn, upvalue);
  if (quiet) {
    sleep_ref_ = swap_field(L, "sleep", do_nothing, nullptr);
    log_ref_ = swap_field(L, "log", do_nothing, nullptr);
  }
  core_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
}

ExecOverride::~ExecOverride() {
  if (core_ref_ == LUA_NOREF) return;
  lua_State *L = lua_.L();
  lua_rawgeti(L, LUA_REGISTRYINDEX, core_ref_);
  restore_field(L, "exec", exec_ref_);
  restore_field(L, "sleep", sleep_ref_);
  restore_field(L, "log", log_ref_);
  lua_pop(L, 1);
  luaL_unref(L, LUA_REGISTRYINDEX, core_ref_);
}

}  // namespace tide
