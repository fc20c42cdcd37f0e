#include "lint/statement.h"

namespace tide::lint {

namespace {

char upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }
char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
bool continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

bool keyword_equals(std::string_view word, std::string_view kw) {
  if (word.size() != kw.size()) return false;
  for (size_t i = 0; i < word.size(); ++i)
    if (upper(word[i]) != kw[i]) return false;
  return true;
}

Position position_in(std::string_view text, size_t offset, Position start, bool exact) {
  Position p = start;
  size_t line_start = 0;
  bool first_line = true;
  for (size_t i = 0; i < offset && i < text.size(); ++i)
    if (text[i] == '\n') {
      ++p.line;
      line_start = i + 1;
      first_line = false;
    }
  if (!exact) return p;
  int column = 0;
  for (size_t i = line_start; i < offset && i < text.size(); ++i)
    if (!continuation(text[i])) ++column;
  p.column = first_line ? start.column + column : column + 1;
  return p;
}

void Statement::read(const PlannedStatement &s, sql::Dialect dialect) {
  s_ = &s;
  dialect_ = dialect;
  words_.clear();
  comments_.clear();
  sql::Lexer lexer(s.sql, dialect);
  sql::Token t;
  int depth = 0;
  while (lexer.next(t)) {
    if (t.is_comment()) {
      comments_.push_back(t);
      continue;
    }
    const bool punct = t.kind == sql::TokenKind::punct && t.len == 1;
    const char c = punct ? s.sql[t.start] : '\0';
    if (c == ')' && depth > 0) --depth;
    words_.push_back({t.kind, static_cast<uint32_t>(t.start), static_cast<uint32_t>(t.len), depth});
    if (c == '(') ++depth;
  }
}

std::string_view Statement::text(size_t i) const {
  return std::string_view(s_->sql).substr(words_[i].start, words_[i].len);
}

bool Statement::is(size_t i, std::string_view kw) const {
  return i < words_.size() && words_[i].kind == sql::TokenKind::word && keyword_equals(text(i), kw);
}

bool Statement::is_punct(size_t i, char c) const {
  return i < words_.size() && words_[i].kind == sql::TokenKind::punct && words_[i].len == 1 &&
         s_->sql[words_[i].start] == c;
}

size_t Statement::find(size_t from, size_t to, std::string_view kw, int at_depth) const {
  for (size_t i = from; i < to && i < words_.size(); ++i)
    if (words_[i].depth == at_depth && is(i, kw)) return i;
  return npos;
}

void Statement::append_part(size_t i, std::string &out) const {
  const std::string_view t = text(i);
  if (words_[i].kind == sql::TokenKind::word) {
    for (char c : t) out.push_back(lower(c));
    return;
  }
  // "a""b", `a``b`, [a]: drop the quotes and undouble the closing quote.
  const char close = t.front() == '[' ? ']' : t.front();
  const std::string_view inner = t.size() >= 2 ? t.substr(1, t.size() - 2) : std::string_view();
  const bool keep_case = dialect_ == sql::Dialect::postgres;
  for (size_t j = 0; j < inner.size(); ++j) {
    out.push_back(keep_case ? inner[j] : lower(inner[j]));
    if (inner[j] == close && j + 1 < inner.size() && inner[j + 1] == close) ++j;
  }
}

size_t Statement::name(size_t i, std::string &out) const {
  out.clear();
  size_t at = i;
  while (at < words_.size()) {
    const sql::TokenKind k = words_[at].kind;
    if (k != sql::TokenKind::word && k != sql::TokenKind::quoted_ident) break;
    out.clear();
    append_part(at, out);
    ++at;
    if (!is_punct(at, '.')) break;
    ++at;
  }
  return at;
}

size_t Statement::qualified_name(size_t i, std::string &out) const {
  out.clear();
  size_t at = i;
  size_t parts = 0;
  size_t first_end = 0;  // out's length after the first part
  while (at < words_.size()) {
    const sql::TokenKind k = words_[at].kind;
    if (k != sql::TokenKind::word && k != sql::TokenKind::quoted_ident) break;
    if (parts++ > 0) out.push_back('.');
    append_part(at, out);
    if (parts == 1) first_end = out.size();
    ++at;
    if (!is_punct(at, '.')) break;
    ++at;
  }
  if (parts == 2) {
    const std::string_view schema = std::string_view(out).substr(0, first_end);
    const bool default_schema = (dialect_ == sql::Dialect::postgres && schema == "public") ||
                                (dialect_ == sql::Dialect::sqlite && schema == "main");
    if (default_schema) out.erase(0, first_end + 1);
  }
  return at;
}

Position Statement::position(size_t i) const { return position_of(i < words_.size() ? words_[i].start : 0); }

Position Statement::position_of(size_t offset) const {
  return position_in(s_->sql, offset, {s_->line, s_->column}, s_->exact);
}

}  // namespace tide::lint
