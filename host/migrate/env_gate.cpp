#include "migrate/env_gate.h"

#include <fmt/format.h>

#include <cctype>

namespace tide {

namespace {

// Recursive descent over: list := or (',' or)* ; or := and ('or' and)* ;
// and := not ('and' not)* ; not := ('!' | 'not') not | name | '(' or ')'.
class Parser {
 public:
  Parser(std::string_view text, std::string_view env) : s_(text), env_(env) {}

  Result<bool> parse() {
    bool v = list();
    skip();
    if (error_.empty() && pos_ < s_.size()) fail("unexpected text");
    if (!error_.empty())
      return Status::fail(Exit::kUsage, fmt::format("bad env gate \"{}\": {} at column {}", s_, error_, pos_ + 1),
                          "write a name, a list (\"development, test\") or an expression (\"!production and "
                          "!staging\")");
    return v;
  }

 private:
  void skip() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  void fail(const char *what) {
    if (error_.empty()) error_ = what;
  }
  static bool name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  }
  std::string_view peek_word() {
    skip();
    size_t e = pos_;
    while (e < s_.size() && name_char(s_[e])) ++e;
    return s_.substr(pos_, e - pos_);
  }
  bool list() {
    bool v = any();
    while (skip(), pos_ < s_.size() && s_[pos_] == ',') {
      ++pos_;
      v = any() || v;
    }
    return v;
  }
  bool any() {
    bool v = all();
    while (peek_word() == "or") {
      pos_ += 2;
      v = all() || v;
    }
    return v;
  }
  bool all() {
    bool v = negation();
    while (peek_word() == "and") {
      pos_ += 3;
      v = negation() && v;
    }
    return v;
  }
  bool negation() {
    skip();
    if (pos_ < s_.size() && s_[pos_] == '!') {
      ++pos_;
      return !negation();
    }
    if (peek_word() == "not") {
      pos_ += 3;
      return !negation();
    }
    return primary();
  }
  bool primary() {
    skip();
    if (pos_ < s_.size() && s_[pos_] == '(') {
      ++pos_;
      bool v = list();
      skip();
      if (pos_ >= s_.size() || s_[pos_] != ')')
        fail("missing `)`");
      else
        ++pos_;
      return v;
    }
    std::string_view w = peek_word();
    if (w.empty() || w == "and" || w == "or") {
      fail("expected an environment name");
      return false;
    }
    pos_ += w.size();
    return w == env_;
  }

  std::string_view s_;
  std::string_view env_;
  size_t pos_ = 0;
  std::string error_;
};

}  // namespace

Result<bool> env_matches(std::string_view gate, std::string_view environment) {
  return Parser(gate, environment).parse();
}

}  // namespace tide
