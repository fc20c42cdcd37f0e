// The MySQL statement splitter and identifier quoting (sql_text.h).
#include "sql_text.h"

#include <sql_lexer.h>

#include <cctype>
#include <string>
#include <string_view>
#include <vector>

namespace tide_mysql {
namespace {

using tide::sql::Lexer;
using tide::sql::Token;
using tide::sql::TokenKind;

std::string upper(std::string_view word) {
  std::string out(word);
  for (char &c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool one_of(const std::string &word, std::initializer_list<std::string_view> words) {
  for (std::string_view w : words)
    if (word == w) return true;
  return false;
}

// Whether word is keyword (upper case), ignoring case, without building a string.
bool is_keyword(std::string_view word, std::string_view keyword) {
  if (word.size() != keyword.size()) return false;
  for (size_t i = 0; i < word.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(word[i])) != keyword[i]) return false;
  return true;
}

bool is_executable_comment(std::string_view text) { return text.starts_with("/*!") || text.starts_with("/*M!"); }

// Tracks BEGIN ... END nesting inside one compound statement, so that a ";" in a stored
// program body does not end the CREATE statement. The constructs that end with END are
// kept on a stack: BEGIN, CASE (statement or expression), and IF / LOOP / WHILE /
// REPEAT / FOR where a statement can start (IF( in an expression has no END).
class Compound {
 public:
  bool inside() const { return !stack_.empty(); }

  // Called with each significant token of the statement, the first one included.
  void feed(const Token &t, std::string_view sql, bool first) {
    // Past the first words of a statement that is no compound one, no word matters.
    if (!first && !looking_for_kind_ && !maybe_anonymous_ && !active_) return;
    std::string word = t.kind == TokenKind::word ? upper(t.text(sql)) : std::string();
    if (first) {
      looking_for_kind_ = word == "CREATE" || word == "ALTER";
      maybe_anonymous_ = word == "BEGIN";
      active_ = one_of(word, {"IF", "WHILE", "LOOP", "REPEAT", "CASE", "FOR"});
    } else if (looking_for_kind_ && !word.empty()) {
      if (one_of(word, {"PROCEDURE", "FUNCTION", "TRIGGER", "EVENT", "PACKAGE"})) {
        active_ = true;
        looking_for_kind_ = false;
      } else if (one_of(word, {"TABLE", "VIEW", "INDEX", "DATABASE", "SCHEMA", "USER", "ROLE", "SERVER", "SEQUENCE",
                               "TABLESPACE", "UNIQUE", "FULLTEXT", "SPATIAL", "TEMPORARY", "LOGFILE"})) {
        looking_for_kind_ = false;
      }
    } else if (maybe_anonymous_) {
      maybe_anonymous_ = false;
      if (word == "NOT") {  // BEGIN NOT ATOMIC ... END (MariaDB)
        active_ = true;
        stack_.push_back('B');
      }
    }
    if (active_) track(t, t.text(sql), word);
  }

 private:
  void track(const Token &t, std::string_view text, const std::string &word) {
    const bool at_start = at_statement_start_;
    const bool in_case_expr = !stack_.empty() && stack_.back() == 'e';
    at_statement_start_ = false;
    if (word.empty()) {
      after_end_ = false;
      // After a ";" in a body, or a label's ":", a statement starts.
      at_statement_start_ = t.kind == TokenKind::semicolon || text == ":";
      return;
    }
    if (after_end_ && one_of(word, {"IF", "LOOP", "WHILE", "REPEAT", "CASE", "FOR"})) {
      after_end_ = false;  // END IF, END LOOP, ...: closed by the END already
      return;
    }
    after_end_ = false;
    if (word == "END") {
      if (!stack_.empty()) stack_.pop_back();
      after_end_ = true;
    } else if (word == "BEGIN") {
      stack_.push_back('B');
    } else if (word == "CASE") {
      stack_.push_back(at_start && !in_case_expr ? 'c' : 'e');
    } else if (at_start && !in_case_expr && one_of(word, {"IF", "LOOP", "WHILE", "REPEAT", "FOR"})) {
      stack_.push_back('s');
    }
    at_statement_start_ = one_of(word, {"BEGIN", "THEN", "ELSE", "DO", "LOOP", "REPEAT", "ROW"});
  }

  bool active_ = false;
  bool looking_for_kind_ = false;
  bool maybe_anonymous_ = false;
  bool at_statement_start_ = true;
  bool after_end_ = false;
  std::vector<char> stack_;  // B: BEGIN, c: CASE statement, e: CASE expression, s: IF/loops
};

class Splitter {
 public:
  Splitter(std::string_view sql, tide_split_fn fn, void *user)
      : sql_(sql), lexer_(sql, tide::sql::Dialect::mysql), fn_(fn), user_(user) {}

  int run() {
    Token t;
    while (lexer_.next(t)) {
      if (t.kind == TokenKind::unterminated) unterminated_ = true;
      if (t.is_comment() && !is_executable_comment(t.text(sql_))) continue;
      if (!in_statement()) {
        if (t.kind == TokenKind::semicolon || t.kind == TokenKind::delimiter) continue;  // empty statement
        if (t.kind == TokenKind::word && is_keyword(t.text(sql_), "DELIMITER")) {
          delimiter_directive(t);
          continue;
        }
        start_ = t.start;
        compound_ = Compound();
        compound_.feed(t, sql_, true);
        end_ = t.start + t.len;
        continue;
      }
      bool ends = t.kind == TokenKind::delimiter || (t.kind == TokenKind::semicolon && !compound_.inside());
      if (ends) {
        if (!report()) return TIDE_OK;
        continue;
      }
      compound_.feed(t, sql_, false);
      end_ = t.start + t.len;
    }
    if (in_statement() && !report()) return TIDE_OK;
    return unterminated_ || compound_.inside() ? TIDE_EMISUSE : TIDE_OK;
  }

 private:
  static constexpr size_t kNone = static_cast<size_t>(-1);

  bool in_statement() const { return start_ != kNone; }

  // Reports the statement; false when the callback asks to stop.
  bool report() {
    size_t start = start_;
    start_ = kNone;
    return fn_(user_, start, end_ - start) == 0;
  }

  // DELIMITER xyz: the rest of the line up to a blank is the new delimiter.
  void delimiter_directive(const Token &t) {
    size_t p = t.start + t.len;
    while (p < sql_.size() && (sql_[p] == ' ' || sql_[p] == '\t')) ++p;
    size_t q = p;
    while (q < sql_.size() && !std::isspace(static_cast<unsigned char>(sql_[q]))) ++q;
    if (q > p) lexer_.set_delimiter(sql_.substr(p, q - p));
    size_t eol = sql_.find('\n', q);
    lexer_.seek(eol == std::string_view::npos ? sql_.size() : eol + 1);
  }

  std::string_view sql_;
  Lexer lexer_;
  tide_split_fn fn_;
  void *user_;
  size_t start_ = kNone;
  size_t end_ = 0;
  bool unterminated_ = false;
  Compound compound_;
};

}  // namespace

int split_script(const char *sql, size_t len, tide_split_fn fn, void *user) {
  if ((!sql && len > 0) || !fn) return TIDE_EMISUSE;
  return Splitter(std::string_view(sql ? sql : "", len), fn, user).run();
}

}  // namespace tide_mysql
