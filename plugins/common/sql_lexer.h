// tide::sql::Lexer — one SQL tokenizer for the dialects tide knows, shared by the drivers'
// statement splitters (plugins/postgres, plugins/mysql) and the host's lint (SPEC §7), so
// that what a splitter sees as a string, a comment or a dollar-quoted body is exactly
// what lint skips.
//
// It is a tokenizer, not a parser: it knows the lexical rules of each dialect (quotes and
// their escapes, comment forms, dollar quoting, placeholders) and nothing about
// statements. Splitting (BEGIN ATOMIC bodies, DELIMITER, COPY data blocks) is the
// splitters' work, on top of the tokens.
//
// Internal to the tide source tree (a static library linked into the plugins and the
// host), not part of the plugin ABI: an out-of-tree driver brings its own splitter.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tide::sql {

enum class Dialect { postgres, mysql, sqlite };

enum class TokenKind {
  word,          // keyword or unquoted identifier: SELECT, users, _x1 (also E, U& prefixes
                 // when not followed by a quote)
  quoted_ident,  // "users" (all), `users` (mysql, sqlite), [users] (sqlite)
  string,        // '...', E'...', U&'...', B'...', X'...', N'...'; "..." in mysql
  dollar_string, // $$...$$ or $tag$...$tag$ (postgres)
  number,        // 42, 3.14, 1e10, 0x1F
  param,         // $1 (postgres), ? ?1 :name @name $name (sqlite), ? (mysql)
  line_comment,  // -- ... (to end of line, newline excluded); # ... (mysql)
  block_comment, // /* ... */ (nested in postgres; /*! ... */ in mysql is one token too)
  semicolon,     // ;  (only while the delimiter is ";")
  delimiter,     // the custom delimiter set with set_delimiter() (mysql DELIMITER)
  punct,         // any other character or operator: ( ) , . :: = < > + - * / ...
  unterminated,  // a string, quoted identifier or comment that runs to the end of input
};

struct Token {
  TokenKind kind;
  size_t start;  // byte offset into the lexed text
  size_t len;    // bytes, including quotes and comment markers

  std::string_view text(std::string_view sql) const { return sql.substr(start, len); }
  bool is_comment() const { return kind == TokenKind::line_comment || kind == TokenKind::block_comment; }
};

class Lexer {
 public:
  Lexer(std::string_view sql, Dialect dialect) : sql_(sql), dialect_(dialect) {}

  // The next token after pos(), skipping whitespace. Returns false at the end of input.
  bool next(Token &out);

  // Where the next token will be looked for; seek() moves it (a splitter skips a COPY
  // data block or a DELIMITER line with it).
  size_t pos() const { return pos_; }
  void seek(size_t pos) { pos_ = pos < sql_.size() ? pos : sql_.size(); }

  // MySQL DELIMITER: while the delimiter is not ";", a ";" is a punct token and the
  // delimiter text (matched at a token boundary) is a TokenKind::delimiter token.
  void set_delimiter(std::string_view delimiter);
  const std::string &delimiter() const { return delimiter_; }

  // PostgreSQL standard_conforming_strings = off (backslash escapes in '...'), MySQL
  // NO_BACKSLASH_ESCAPES (off: no backslash escapes). Defaults: the databases' defaults.
  void set_backslash_escapes(bool on) { backslash_escapes_ = on ? 1 : 0; }

  std::string_view sql() const { return sql_; }

 private:
  bool backslash_default() const { return dialect_ == Dialect::mysql; }
  size_t scan_quoted(size_t at, char quote, bool backslashes) const;  // end, or npos
  size_t scan_block_comment(size_t at) const;                        // end, or npos
  size_t scan_dollar(size_t at, bool &is_string) const;               // end, or npos
  size_t scan_word(size_t at) const;
  size_t scan_number(size_t at) const;

  std::string_view sql_;
  Dialect dialect_;
  size_t pos_ = 0;
  std::string delimiter_ = ";";
  int backslash_escapes_ = -1;  // -1: the dialect's default
};

}  // namespace tide::sql
