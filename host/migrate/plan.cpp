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

// 1-based column of offset in text, in characters (UTF-8) since the line's start, as
// editors and SARIF viewers count them.
int column_of(std::string_view text, size_t offset) {
  size_t nl = offset == 0 ? std::string_view::npos : text.rfind('\n', offset - 1);
  size_t start = nl == std::string_view::npos ? 0 : nl + 1;
  int column = 1;
  for (size_t i = start; i < offset; ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++column;
  return column;
}

}  // namespace

std::vector<PlannedStatement> cut_statements(std::string_view script, const Dialect &dialect,
                                             const ScriptOrigin &origin) {
  const sql::Dialect lexed_as = lexer_dialect(dialect);
  const bool exact = !origin.file_text.empty();
  std::vector<PlannedStatement> out;
  size_t previous_end = 0;
  const auto spans = dialect.split(script);
  for (const Dialect::Span &span : spans) {
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
    const size_t sql_end = first + st.sql.size();
    out.push_back(std::move(st));
    previous_end = span.start + span.len;
    if (&span == &spans.back()) {
      size_t nl = script.find('\n', sql_end);
      out.back().trailing = std::string(script.substr(sql_end, nl == std::string_view::npos ? nl : nl - sql_end));
    }
  }
  return out;
}

std::string lua_comments_above(std::string_view source, int line) {
  // The offsets where each line starts, up to `line`.
  std::vector<size_t> starts{0};
  for (size_t at = 0; static_cast<int>(starts.size()) < line;) {
    size_t nl = source.find('\n', at);
    if (nl == std::string_view::npos) return {};
    starts.push_back(at = nl + 1);
  }
  size_t first = starts.size() - 1;  // index of `line`'s start
  while (first > 0) {
    std::string_view l = source.substr(starts[first - 1], starts[first] - starts[first - 1]);
    size_t b = l.find_first_not_of(" \t");
    if (b == std::string_view::npos || !l.substr(b).starts_with("--") || l.substr(b).starts_with("--[")) break;
    --first;
  }
  std::string out;
  for (size_t i = first; i + 1 < starts.size(); ++i) {
    std::string_view l = source.substr(starts[i], starts[i + 1] - starts[i]);
    out += l.substr(l.find_first_not_of(" \t"));
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
