#include "lint/ignores.h"

#include <algorithm>

namespace tide::lint {

namespace {

constexpr std::string_view kDirective = "tide:lint-ignore";

bool blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

int characters(std::string_view text) {
  return static_cast<int>(std::count_if(text.begin(), text.end(), [](char c) { return !continuation(c); }));
}

// Where the comment at offset off of plan.statements[index].leading is. The leading text
// ends where the statement starts, so lines are counted back from the statement's line.
Position leading_position(const MigrationPlan &plan, size_t index, size_t off) {
  const PlannedStatement &s = plan.statements[index];
  const std::string_view leading = s.leading;
  const std::string_view after = leading.substr(off);
  Position p{s.line - static_cast<int>(std::count(after.begin(), after.end(), '\n')), s.column};
  if (!s.exact) return p;
  const size_t nl = leading.rfind('\n', off == 0 ? 0 : off - 1);
  if (nl != std::string_view::npos && nl < off) {
    p.column = characters(leading.substr(nl + 1, off - nl - 1)) + 1;
  } else if (after.find('\n') == std::string_view::npos) {
    p.column = s.column - characters(after);  // on the statement's first line
  } else if (index > 0 && plan.statements[index - 1].exact) {
    const PlannedStatement &prev = plan.statements[index - 1];
    const Position end = position_in(prev.sql, prev.sql.size(), {prev.line, prev.column}, true);
    p.column = end.column + characters(leading.substr(0, off));
  } else {
    p.column = 1;
  }
  return p;
}

// The last line of a statement's SQL.
int end_line(const PlannedStatement &s) {
  return s.line + static_cast<int>(std::count(s.sql.begin(), s.sql.end(), '\n'));
}

}  // namespace

bool ignore_directive(std::string_view comment, std::vector<std::string_view> &names) {
  if (comment.starts_with("/*")) {
    comment.remove_prefix(2);
    if (comment.ends_with("*/")) comment.remove_suffix(2);
  } else if (comment.starts_with("--")) {
    comment.remove_prefix(2);
  } else if (comment.starts_with("#")) {
    comment.remove_prefix(1);
  }
  size_t at = comment.find(kDirective);
  // The directive is a word of its own: "xtide:lint-ignore" or "tide:lint-ignored" is not it.
  while (at != std::string_view::npos &&
         ((at > 0 && !blank(comment[at - 1])) ||
          (at + kDirective.size() < comment.size() && !blank(comment[at + kDirective.size()]))))
    at = comment.find(kDirective, at + 1);
  if (at == std::string_view::npos) return false;
  std::string_view rest = comment.substr(at + kDirective.size());
  const size_t before = names.size();
  size_t i = 0;
  while (i < rest.size()) {
    while (i < rest.size() && (blank(rest[i]) || rest[i] == ',')) ++i;
    const size_t start = i;
    while (i < rest.size() && !blank(rest[i]) && rest[i] != ',') ++i;
    if (i > start) names.push_back(rest.substr(start, i - start));
  }
  if (names.size() == before) names.emplace_back();
  return true;
}

void collect_ignores(const MigrationPlan &plan, size_t index, const Statement &s, sql::Dialect dialect,
                     std::vector<IgnoreName> &out) {
  const PlannedStatement &ps = plan.statements[index];
  std::vector<std::string_view> names;
  if (!ps.leading.empty()) {
    sql::Lexer lexer(ps.leading, dialect);
    sql::Token t;
    while (lexer.next(t)) {
      if (!t.is_comment()) continue;
      names.clear();
      if (!ignore_directive(t.text(ps.leading), names)) continue;
      const Position pos = leading_position(plan, index, t.start);
      size_t target = index;
      if (index > 0 && ps.exact && plan.statements[index - 1].exact && pos.line == end_line(plan.statements[index - 1]))
        target = index - 1;
      for (std::string_view n : names) out.push_back({n, target, pos});
    }
  }
  for (const sql::Token &t : s.comments()) {
    names.clear();
    if (!ignore_directive(t.text(s.sql()), names)) continue;
    const Position pos = s.position_of(t.start);
    for (std::string_view n : names) out.push_back({n, index, pos});
  }
  // After the script's last statement, on the line it ends on.
  if (!ps.trailing.empty()) {
    sql::Lexer lexer(ps.trailing, dialect);
    sql::Token t;
    const Position end = position_in(ps.sql, ps.sql.size(), {ps.line, ps.column}, ps.exact);
    while (lexer.next(t)) {
      if (!t.is_comment()) continue;
      names.clear();
      if (!ignore_directive(t.text(ps.trailing), names)) continue;
      const Position pos{end.line, end.column + characters(ps.trailing.substr(0, t.start))};
      for (std::string_view n : names) out.push_back({n, index, pos});
    }
  }
}

}  // namespace tide::lint
