// A token view of one planned statement, for the lint rules: its significant tokens (no
// comments), each with its parenthesis depth, keyword matching that allocates nothing, and
// the file position (line:column) of any token. The text is read once with the shared
// tokenizer (plugins/common/sql_lexer), so a word inside a string, a comment, a quoted
// identifier or a dollar-quoted body is never a keyword here: it is part of one token.
#pragma once

#include <sql_lexer.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "migrate/plan.h"

namespace tide::lint {

struct Position {
  int line = 0;
  int column = 0;
};

// Where offset (a byte of text, which starts at start) is in the file: lines are counted
// from start.line; on the first line columns are counted from start.column, then from the
// line's beginning, in characters (UTF-8 continuation bytes do not count). When exact is
// false (SQL inside a Lua string) the column is start.column.
Position position_in(std::string_view text, size_t offset, Position start, bool exact);

class Statement {
 public:
  static constexpr size_t npos = static_cast<size_t>(-1);

  // Tokenizes s.sql; the vectors are reused from one statement to the next.
  void read(const PlannedStatement &s, sql::Dialect dialect);

  const PlannedStatement &planned() const { return *s_; }
  std::string_view sql() const { return s_->sql; }
  sql::Dialect dialect() const { return dialect_; }

  size_t size() const { return words_.size(); }
  std::string_view text(size_t i) const;
  sql::TokenKind kind(size_t i) const { return words_[i].kind; }
  int depth(size_t i) const { return words_[i].depth; }
  size_t offset(size_t i) const { return words_[i].start; }

  // Whether token i is the word kw (an upper-case keyword), ignoring case. False past the
  // end, so callers may look ahead freely.
  bool is(size_t i, std::string_view kw) const;
  bool is_punct(size_t i, char c) const;
  // The first token in [from, to) at depth `at_depth` that is the word kw, or npos.
  size_t find(size_t from, size_t to, std::string_view kw, int at_depth = 0) const;

  // A name at i: a word or a quoted identifier, possibly qualified (a.b."c"). Returns the
  // index after it (i when there is no name there) and sets out to its last part,
  // normalized (unquoted: lower case; quoted: without quotes, and lower case except on
  // PostgreSQL, where a quoted name keeps its case).
  size_t name(size_t i, std::string &out) const;
  // The same name with all its parts (schema.table), each normalized as above and joined
  // by '.', for telling tables apart: a name in the dialect's default schema is the
  // unqualified one (public.x is x on PostgreSQL, main.x is x on SQLite); MySQL keeps a
  // db.x prefix (another database). x and archive.x are different tables.
  size_t qualified_name(size_t i, std::string &out) const;

  Position position(size_t i) const;
  Position position_of(size_t offset) const;

  // The comments inside sql (tokens of the lexer), in order.
  const std::vector<sql::Token> &comments() const { return comments_; }

 private:
  struct Word {
    sql::TokenKind kind;
    uint32_t start;
    uint32_t len;
    int depth;
  };
  // Appends the normalized text of name part i (a word or quoted identifier) to out.
  void append_part(size_t i, std::string &out) const;

  const PlannedStatement *s_ = nullptr;
  sql::Dialect dialect_ = sql::Dialect::sqlite;
  std::vector<Word> words_;
  std::vector<sql::Token> comments_;
};

// Case-insensitive comparison of a word with an upper-case keyword.
bool keyword_equals(std::string_view word, std::string_view kw);

}  // namespace tide::lint
