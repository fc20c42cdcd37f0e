#include "migrate/rehearsal_session.h"

#include <fmt/format.h>

#include <chrono>

#include "lua/bind.h"
#include "migrate/plan.h"
#include "migrate/recording_session.h"
#include "migrate/statement_kind.h"

namespace tide {

namespace {

int64_t elapsed_us(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

std::string RehearsalSession::where(int line) const {
  const std::string &file = migration_ ? migration_->file().display : std::string("?");
  return line > 0 ? fmt::format("{}:{}", file, line) : file;
}

int RehearsalSession::lua_line() const { return migration_ ? chunk_line(lua_.L(), migration_->file().display) : 0; }

Status RehearsalSession::refuse(const char *what) const {
  return Status::fail(Exit::kFailed, fmt::format("{} is refused in a dry run: a dry run never commits", what),
                      "tide runs each migration in its own transaction; run `tide plan` to see the migration's "
                      "statements without running them");
}

Error RehearsalSession::command_refused(std::string_view argv) const {
  Error e;
  e.where = where(lua_line());
  e.message = fmt::format(
      "tide.exec is refused in a dry run ({}): what a command does is outside the transaction "
      "that the dry run rolls back",
      argv);
  e.hint = "`tide plan` lists the command without running it";
  return e;
}

namespace {

// Pushes the refusal as an error table with its where; no C++ object outlives it.
void push_command_refusal(lua_State *L, const Error &e) {
  push_error(L, e);
  lua_pushlstring(L, e.where.data(), e.where.size());
  lua_setfield(L, -2, "where");
}

}  // namespace

int RehearsalSession::refuse_command(lua_State *L) {
  auto *session = static_cast<RehearsalSession *>(lua_touserdata(L, lua_upvalueindex(1)));
  push_command_refusal(L, session->command_refused(argv_text(L, 1)));
  return lua_error(L);
}

Status RehearsalSession::check_statement(std::string_view sql) const {
  std::string control = transaction_control(sql, inner_.dialect());
  if (control.empty()) return {};
  return Status::fail(Exit::kFailed,
                      fmt::format("`{}` is not sent in a dry run: it would end the transaction that the dry run "
                                  "rolls back, and a dry run must never commit",
                                  control),
                      "tide runs each migration in its own transaction: remove the migration's own transaction "
                      "control (or make it non-transactional, which a dry run lists without running); `tide plan` "
                      "shows its statements without running them");
}

Status RehearsalSession::check_still_open() const {
  if (inner_.in_transaction()) return {};
  return Status::fail(Exit::kFailed,
                      "the dry run's transaction ended during the last statement: what ran before it may have been "
                      "committed",
                      "check the database; statements that end transactions (COMMIT, procedures that commit) "
                      "cannot be rehearsed");
}

Status RehearsalSession::exec(std::string_view script) {
  const Dialect &d = inner_.dialect();
  // A .sql migration's section has exact positions in its file; db:exec in a Lua
  // migration has the line of the call.
  ScriptOrigin origin{{}, 0, 0};
  std::optional<Migration::SqlScript> section;
  if (migration_) section = migration_->sql_script(Direction::kUp);
  if (section && section->script.data() == script.data())
    origin = ScriptOrigin{section->file_text, section->offset, 0};
  else if (migration_)
    origin = lua_script_origin(migration_->source(), script, lua_line());
  auto spans = d.split(script);
  auto statements = cut_statements(script, d, origin);
  for (size_t i = 0; i < spans.size() && i < statements.size(); ++i) {
    const Dialect::Span &span = spans[i];
    // Errors carry the statement's offset in the whole script, as exec of the script
    // would: the migration maps it to its file's line (locate_sql_error).
    auto located = [&](Status s) {
      Error &e = s.error();
      e.statement_offset = static_cast<int64_t>(span.start) + std::max<int64_t>(e.statement_offset, 0);
      return s;
    };
    if (Status s = check_statement(statements[i].sql); !s.ok()) return located(std::move(s));
    auto start = std::chrono::steady_clock::now();
    Status s = inner_.exec(script.substr(span.start, span.len));
    if (!s.ok()) return located(std::move(s));
    ++statements_run_;
    reporter_.rehearsal_statement(where(statements[i].line), statements[i].sql, elapsed_us(start));
    TIDE_TRY(check_still_open());
  }
  return {};
}

Result<std::unique_ptr<Cursor>> RehearsalSession::query(std::string_view sql, std::span<const tide_value> params) {
  TIDE_TRY(check_statement(sql));
  auto start = std::chrono::steady_clock::now();
  auto cursor = inner_.query(sql, params);
  if (!cursor) return cursor;
  ++statements_run_;
  auto cut = cut_statements(sql, inner_.dialect(),
                            migration_ ? lua_script_origin(migration_->source(), sql, lua_line()) : ScriptOrigin{});
  reporter_.rehearsal_statement(where(cut.empty() ? lua_line() : cut.front().line),
                                cut.empty() ? sql : std::string_view(cut.front().sql), elapsed_us(start));
  return cursor;
}

Status RehearsalSession::upsert(const UpsertSpec &spec, std::span<const tide_value> values, size_t nrows,
                                UpsertCounts &counts) {
  auto start = std::chrono::steady_clock::now();
  TIDE_TRY(inner_.upsert(spec, values, nrows, counts));
  ++statements_run_;
  std::string what =
      fmt::format("{} of {} row(s) into {}", spec.mode == TIDE_UPSERT_INSERT ? "insert" : "upsert", nrows, spec.table);
  reporter_.rehearsal_statement(where(lua_line()), what, elapsed_us(start));
  return check_still_open();
}

}  // namespace tide
