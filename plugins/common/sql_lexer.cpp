#include "sql_lexer.h"

#include <cctype>

namespace tide::sql {

namespace {

constexpr size_t npos = std::string_view::npos;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}
bool is_ident_char(char c) { return is_ident_start(c) || is_digit(c) || c == '$'; }

}  // namespace

// The end (one past the closing quote) of a quoted run starting at `at` (the opening
// quote). A doubled quote stands for itself; with backslashes, \x escapes any character.
size_t Lexer::scan_quoted(size_t at, char quote, bool backslashes) const {
  const char close = quote == '[' ? ']' : quote;
  for (size_t i = at + 1; i < sql_.size(); ++i) {
    const char c = sql_[i];
    if (backslashes && c == '\\') {
      ++i;
    } else if (c == close) {
      if (close != ']' && i + 1 < sql_.size() && sql_[i + 1] == close) {
        ++i;
      } else {
        return i + 1;
      }
    }
  }
  return npos;
}

size_t Lexer::scan_block_comment(size_t at) const {
  const bool nests = dialect_ == Dialect::postgres;
  int depth = 0;
  for (size_t i = at; i + 1 < sql_.size(); ++i) {
    if (sql_[i] == '/' && sql_[i + 1] == '*' && (depth == 0 || nests)) {
      ++depth;
      ++i;
    } else if (sql_[i] == '*' && sql_[i + 1] == '/') {
      if (--depth == 0) return i + 2;
      ++i;
    }
  }
  return npos;
}

// At a '$' in PostgreSQL: a parameter ($1), a dollar-quoted string ($$...$$,
// $tag$...$tag$) or, when neither, a lone '$' (punct; is_string stays false and the
// result is at + 1).
size_t Lexer::scan_dollar(size_t at, bool &is_string) const {
  is_string = false;
  size_t i = at + 1;
  if (i < sql_.size() && is_digit(sql_[i])) {
    while (i < sql_.size() && is_digit(sql_[i])) ++i;
    return i;
  }
  if (i < sql_.size() && is_ident_start(sql_[i])) {
    while (i < sql_.size() && is_ident_char(sql_[i]) && sql_[i] != '$') ++i;
  }
  if (i >= sql_.size() || sql_[i] != '$') return at + 1;
  is_string = true;
  const std::string_view tag = sql_.substr(at, i + 1 - at);
  const size_t close = sql_.find(tag, i + 1);
  return close == npos ? npos : close + tag.size();
}

// A custom delimiter that does not start like an identifier ends a word too: the mysql
// client splits "END$$" into END and the delimiter "$$" ('$' is an identifier character).
size_t Lexer::scan_word(size_t at) const {
  const bool cut = delimiter_ != ";" && !delimiter_.empty() && !is_ident_start(delimiter_[0]);
  size_t i = at + 1;
  while (i < sql_.size() && is_ident_char(sql_[i]) && !(cut && sql_.compare(i, delimiter_.size(), delimiter_) == 0))
    ++i;
  return i;
}

size_t Lexer::scan_number(size_t at) const {
  size_t i = at;
  if (sql_[i] == '0' && i + 1 < sql_.size() && (sql_[i + 1] == 'x' || sql_[i + 1] == 'X')) {
    i += 2;
    while (i < sql_.size() && (std::isxdigit(static_cast<unsigned char>(sql_[i])) || sql_[i] == '_')) ++i;
    return i;
  }
  while (i < sql_.size() && (is_digit(sql_[i]) || sql_[i] == '_')) ++i;
  if (i < sql_.size() && sql_[i] == '.') {
    ++i;
    while (i < sql_.size() && is_digit(sql_[i])) ++i;
  }
  if (i < sql_.size() && (sql_[i] == 'e' || sql_[i] == 'E')) {
    size_t j = i + 1;
    if (j < sql_.size() && (sql_[j] == '+' || sql_[j] == '-')) ++j;
    if (j < sql_.size() && is_digit(sql_[j])) {
      i = j;
      while (i < sql_.size() && is_digit(sql_[i])) ++i;
    }
  }
  return i;
}

void Lexer::set_delimiter(std::string_view delimiter) { delimiter_.assign(delimiter.data(), delimiter.size()); }

bool Lexer::next(Token &out) {
  const size_t n = sql_.size();
  while (pos_ < n && is_space(sql_[pos_])) ++pos_;
  if (pos_ >= n) return false;

  const size_t at = pos_;
  const char c = sql_[at];
  const char c1 = at + 1 < n ? sql_[at + 1] : '\0';
  TokenKind kind = TokenKind::punct;
  size_t end = at + 1;

  // Ends the token at `stop` (npos: unterminated, to the end of input).
  auto take = [&](TokenKind k, size_t stop) {
    kind = stop == npos ? TokenKind::unterminated : k;
    end = stop == npos ? n : stop;
  };
  const bool backslashes =
      backslash_escapes_ >= 0 ? backslash_escapes_ == 1 : dialect_ == Dialect::mysql;

  if (delimiter_ != ";" && sql_.compare(at, delimiter_.size(), delimiter_) == 0) {
    take(TokenKind::delimiter, at + delimiter_.size());
  } else if (c == '-' && c1 == '-' &&
             (dialect_ != Dialect::mysql || at + 2 >= n || is_space(sql_[at + 2]) ||
              static_cast<unsigned char>(sql_[at + 2]) < 0x20)) {
    // MySQL needs a blank after "--" (so that 1--1 is arithmetic).
    const size_t eol = sql_.find('\n', at);
    take(TokenKind::line_comment, eol == npos ? n : eol);
  } else if (c == '#' && dialect_ == Dialect::mysql) {
    const size_t eol = sql_.find('\n', at);
    take(TokenKind::line_comment, eol == npos ? n : eol);
  } else if (c == '/' && c1 == '*') {
    take(TokenKind::block_comment, scan_block_comment(at));
  } else if (c == '\'') {
    take(TokenKind::string, scan_quoted(at, '\'', backslashes));
  } else if (c == '"') {
    if (dialect_ == Dialect::mysql) {
      take(TokenKind::string, scan_quoted(at, '"', backslashes));
    } else {
      take(TokenKind::quoted_ident, scan_quoted(at, '"', false));
    }
  } else if (c == '`' && dialect_ != Dialect::postgres) {
    take(TokenKind::quoted_ident, scan_quoted(at, '`', false));
  } else if (c == '[' && dialect_ == Dialect::sqlite) {
    take(TokenKind::quoted_ident, scan_quoted(at, '[', false));
  } else if (c == ';' && delimiter_ == ";") {
    take(TokenKind::semicolon, at + 1);
  } else if (is_digit(c) || (c == '.' && is_digit(c1))) {
    take(TokenKind::number, scan_number(at));
  } else if (c == '$' && dialect_ == Dialect::postgres) {
    bool is_string = false;
    const size_t stop = scan_dollar(at, is_string);
    take(is_string ? TokenKind::dollar_string : (stop > at + 1 ? TokenKind::param : TokenKind::punct), stop);
  } else if ((c == '?' && dialect_ != Dialect::postgres)) {
    size_t i = at + 1;
    while (dialect_ == Dialect::sqlite && i < n && is_digit(sql_[i])) ++i;
    take(TokenKind::param, i);
  } else if ((c == ':' || c == '@' || c == '$') && dialect_ == Dialect::sqlite && is_ident_start(c1)) {
    take(TokenKind::param, scan_word(at + 1));
  } else if (c == '@' && dialect_ == Dialect::mysql && (is_ident_start(c1) || c1 == '@')) {
    take(TokenKind::word, scan_word(at + 1));  // @user_var, @@system_var
  } else if (c == ':' && c1 == ':' && dialect_ == Dialect::postgres) {
    take(TokenKind::punct, at + 2);
  } else if (dialect_ == Dialect::postgres && (c == 'U' || c == 'u') && c1 == '&' && at + 2 < n &&
             (sql_[at + 2] == '\'' || sql_[at + 2] == '"')) {
    // U&'...' and U&"..." (Unicode escapes; no backslash escaping of the quote).
    const bool ident = sql_[at + 2] == '"';
    take(ident ? TokenKind::quoted_ident : TokenKind::string, scan_quoted(at + 2, sql_[at + 2], false));
  } else if (is_ident_start(c)) {
    const size_t word_end = scan_word(at);
    const bool one_letter = word_end == at + 1;
    const bool quote_follows = word_end < n && sql_[word_end] == '\'';
    if (one_letter && quote_follows && dialect_ == Dialect::postgres && (c == 'E' || c == 'e')) {
      take(TokenKind::string, scan_quoted(word_end, '\'', true));  // E'...\'...'
    } else if (one_letter && quote_follows && (c == 'B' || c == 'b' || c == 'X' || c == 'x' || c == 'N' || c == 'n')) {
      take(TokenKind::string, scan_quoted(word_end, '\'', backslashes && (c == 'N' || c == 'n')));
    } else {
      take(TokenKind::word, word_end);
    }
  }

  out = Token{kind, at, end - at};
  pos_ = end;
  return true;
}

}  // namespace tide::sql
