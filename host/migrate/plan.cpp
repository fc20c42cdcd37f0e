// plan_migration: a .sql migration's section cut by the dialect's splitter, or a Lua
// migration's up run against a RecordingSession (migrate/recording_session.h).
#include "migrate/plan.h"

#include <fmt/format.h>
#include <sql_lexer.h>

#include "migrate/recording_session.h"
#include "migrate/statement_kind.h"
#include "util/text.h"

namespace tide {

namespace {

// Offset in span of its first token that is not a comment (the span's start when it is
// all comments). Splitters may or may not skip leading comments; this does not rely on it.
size_t first_token(std::string_view span, sql::Dialect dialect) {
  sql::Lexer lexer(span, dialect);
  sql::Token t;
  while (lexer.next(t))
    if (!t.is_comment()) return t.start;
  return 0;
}

std::string_view trim_end(std::string_view s) {
  size_t end = s.find_last_not_of(" \t\r\n");
  return end == std::string_view::npos ? std::string_view() : s.substr(0, end + 1);
}

// 1-based column of offset in text (bytes since the line's start).
int column_of(std::string_view text, size_t offset) {
  size_t nl = text.rfind('\n', offset == 0 ? 0 : offset - 1);
  if (offset == 0 || nl == std::string_view::npos) return static_cast<int>(offset) + 1;
  return static_cast<int>(offset - nl);
}

}  // namespace

std::vector<PlannedStatement> cut_statements(std::string_view script, const Dialect &dialect,
                                             const ScriptOrigin &origin) {
  const sql::Dialect lexed_as = lexer_dialect(dialect);
  const bool exact = !origin.file_text.empty();
  std::vector<PlannedStatement> out;
  size_t previous_end = 0;
  for (const Dialect::Span &span : dialect.split(script)) {
    std::string_view body = script.substr(span.start, span.len);
    size_t first = span.start + first_token(body, lexed_as);
    PlannedStatement st;
    st.sql = std::string(trim_end(script.substr(first, span.start + span.len - first)));
    st.leading = std::string(script.substr(previous_end, first > previous_end ? first - previous_end : 0));
    st.exact = exact;
    if (exact) {
      size_t at = origin.offset + first;
      st.line = line_of(origin.file_text, at);
      st.column = column_of(origin.file_text, at);
    } else {
      st.line = origin.line + line_of(script, first) - 1;
      st.column = column_of(script, first);
    }
    out.push_back(std::move(st));
    previous_end = span.start + span.len;
  }
  return out;
}

ScriptOrigin lua_script_origin(std::string_view source, std::string_view script, int call_line) {
  ScriptOrigin found{{}, 0, call_line};
  if (script.empty() || call_line <= 0) return found;
  for (size_t at = source.find(script); at != std::string_view::npos; at = source.find(script, at + 1)) {
    int first = line_of(source, at);
    if (first > call_line) break;
    int last = first + line_of(script, script.size()) - 1;
    if (last >= call_line) found = ScriptOrigin{source, at, 0};  // the last literal spanning the call
  }
  return found;
}

namespace {

// A Lua migration's direction, run against a recording session.
Status record_lua(Migration &m, Direction dir, LuaState &lua, RecordingSession &session, MigrationPlan &plan) {
  ExecOverride no_commands(lua, &RecordingSession::stop_command, &session, /*quiet=*/true);
  TIDE_TRY(no_commands.status());
  Status ran = m.run(dir, session);
  forget_db(lua, session);
  plan.statements = std::move(session.statements());
  if (!session.stopped().empty()) {
    plan.stopped = session.stopped();
  } else if (!ran.ok()) {
    const Error &e = ran.error();
    plan.stopped = fmt::format("stops at an error of the migration itself: {}", e.headline());
    plan.failed = true;
  }
  return {};
}

}  // namespace

Result<MigrationPlan> plan_migration(Migration &m, Direction dir, LuaState &lua, const Dialect &dialect,
                                     const std::string &server_version) {
  MigrationPlan plan;
  plan.file = &m.file();
  plan.has_down = m.has_down();
  plan.irreversible = m.irreversible();
  plan.lint_ignore = m.lint_ignore();
  plan.wants_transaction = m.transactional();
  // As the runner decides (Runner::apply): without transactional DDL only a migration
  // known to change rows only keeps its transaction.
  plan.transactional =
      m.transactional() && (dialect.has(TIDE_CAP_TRANSACTIONAL_DDL) || m.changes_rows_only(dir, dialect));
  if (auto sql = m.sql_script(dir)) {
    plan.statements = cut_statements(sql->script, dialect, ScriptOrigin{sql->file_text, sql->offset, 0});
    return plan;
  }
  if (m.file().format != MigrationFormat::kLua || (dir == Direction::kDown && !m.has_down())) return plan;
  RecordingSession session(dialect, lua, m.file(), m.source(), server_version, plan.transactional);
  TIDE_TRY(record_lua(m, dir, lua, session, plan));
  return plan;
}

}  // namespace tide
