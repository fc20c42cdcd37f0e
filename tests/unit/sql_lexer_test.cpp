// The shared SQL tokenizer (plugins/common/sql_lexer): every quoting and comment form of
// each dialect is one token, so nothing inside it is read as a ";" or a keyword.
#include <catch2/catch.hpp>
#include <sql_lexer.h>

#include <string>
#include <vector>

using tide::sql::Dialect;
using tide::sql::Lexer;
using tide::sql::Token;
using tide::sql::TokenKind;

namespace {

struct Lexed {
  TokenKind kind;
  std::string text;
  bool operator==(const Lexed &o) const { return kind == o.kind && text == o.text; }
};

std::ostream &operator<<(std::ostream &os, const Lexed &t) {
  return os << static_cast<int>(t.kind) << ":" << t.text;
}

std::vector<Lexed> lex(std::string_view sql, Dialect d) {
  Lexer lexer(sql, d);
  std::vector<Lexed> out;
  Token t;
  while (lexer.next(t)) out.push_back({t.kind, std::string(t.text(sql))});
  return out;
}

// The kinds only, for shape checks.
std::vector<TokenKind> kinds(std::string_view sql, Dialect d) {
  std::vector<TokenKind> out;
  for (const Lexed &t : lex(sql, d)) out.push_back(t.kind);
  return out;
}

using K = TokenKind;

}  // namespace

TEST_CASE("postgres: dollar quotes, E strings, doubled quotes and nested comments are single tokens") {
  const auto d = Dialect::postgres;
  CHECK(lex("$$ a; b $$", d) == std::vector<Lexed>{{K::dollar_string, "$$ a; b $$"}});
  CHECK(lex("$fn$ x $$ y; $fn$;", d) ==
        std::vector<Lexed>{{K::dollar_string, "$fn$ x $$ y; $fn$"}, {K::semicolon, ";"}});
  CHECK(lex(R"(E'it\'s; ok')", d) == std::vector<Lexed>{{K::string, R"(E'it\'s; ok')"}});
  CHECK(lex("'it''s; ok'", d) == std::vector<Lexed>{{K::string, "'it''s; ok'"}});
  // Without E, a backslash is an ordinary character in a standard string.
  CHECK(kinds(R"('a\' ;)", d) == std::vector<K>{K::string, K::semicolon});
  CHECK(lex("\"we;ird\"\"name\"", d) == std::vector<Lexed>{{K::quoted_ident, "\"we;ird\"\"name\""}});
  CHECK(lex("/* a /* b; */ c; */ x", d) ==
        std::vector<Lexed>{{K::block_comment, "/* a /* b; */ c; */"}, {K::word, "x"}});
  CHECK(lex("-- a; b\nselect", d) == std::vector<Lexed>{{K::line_comment, "-- a; b"}, {K::word, "select"}});
  CHECK(lex("$1::int", d) == std::vector<Lexed>{{K::param, "$1"}, {K::punct, "::"}, {K::word, "int"}});
  CHECK(lex("U&'d\\0061t'", d) == std::vector<Lexed>{{K::string, "U&'d\\0061t'"}});
  CHECK(lex("a$b", d) == std::vector<Lexed>{{K::word, "a$b"}});
}

TEST_CASE("mysql: backticks, # and -- comments, backslash escapes, double-quoted strings") {
  const auto d = Dialect::mysql;
  CHECK(lex("`we;ird`", d) == std::vector<Lexed>{{K::quoted_ident, "`we;ird`"}});
  CHECK(lex("# a; b\nx", d) == std::vector<Lexed>{{K::line_comment, "# a; b"}, {K::word, "x"}});
  CHECK(lex("-- a;\nx", d) == std::vector<Lexed>{{K::line_comment, "-- a;"}, {K::word, "x"}});
  // "--" without a blank after it is two minus signs.
  CHECK(kinds("1--1", d) == std::vector<K>{K::number, K::punct, K::punct, K::number});
  CHECK(lex(R"('it\'s; ok')", d) == std::vector<Lexed>{{K::string, R"('it\'s; ok')"}});
  CHECK(lex(R"("a;\"b")", d) == std::vector<Lexed>{{K::string, R"("a;\"b")"}});
  CHECK(lex("@s := @@sql_mode", d) ==
        std::vector<Lexed>{{K::word, "@s"}, {K::punct, ":"}, {K::punct, "="}, {K::word, "@@sql_mode"}});
  // A "/* ... */" comment does not nest in MySQL.
  CHECK(kinds("/* /* */ x", d) == std::vector<K>{K::block_comment, K::word});
}

TEST_CASE("mysql: a custom delimiter turns ; into punctuation") {
  Lexer lexer("BEGIN SELECT 1; END//\nx;", Dialect::mysql);
  lexer.set_delimiter("//");
  std::vector<K> got;
  Token t;
  while (lexer.next(t)) got.push_back(t.kind);
  CHECK(got == std::vector<K>{K::word, K::word, K::number, K::punct, K::word, K::delimiter, K::word, K::punct});
}

TEST_CASE("mysql: a custom delimiter ends a word it is glued to") {
  Lexer lexer("END$$\nSELECT a$b$$", Dialect::mysql);
  lexer.set_delimiter("$$");
  std::vector<Lexed> got;
  Token t;
  while (lexer.next(t)) got.push_back({t.kind, std::string(t.text(lexer.sql()))});
  CHECK(got ==
        std::vector<Lexed>{
            {K::word, "END"}, {K::delimiter, "$$"}, {K::word, "SELECT"}, {K::word, "a$b"}, {K::delimiter, "$$"}});
}

TEST_CASE("sqlite: bracket and backtick identifiers, parameters") {
  const auto d = Dialect::sqlite;
  CHECK(lex("[a;b]", d) == std::vector<Lexed>{{K::quoted_ident, "[a;b]"}});
  CHECK(lex("`a;b`", d) == std::vector<Lexed>{{K::quoted_ident, "`a;b`"}});
  CHECK(kinds("? ?12 :name @x $y", d) == std::vector<K>{K::param, K::param, K::param, K::param, K::param});
  // SQLite has no backslash escapes.
  CHECK(kinds(R"('a\' ;)", d) == std::vector<K>{K::string, K::semicolon});
}

TEST_CASE("unterminated strings and comments run to the end of input") {
  CHECK(kinds("select 'abc", Dialect::postgres) == std::vector<K>{K::word, K::unterminated});
  CHECK(kinds("/* never closed", Dialect::mysql) == std::vector<K>{K::unterminated});
  CHECK(kinds("$x$ body", Dialect::postgres) == std::vector<K>{K::unterminated});
}

TEST_CASE("numbers and offsets") {
  const std::string sql = "  x = 1.5e3 + 0x1F";
  Lexer lexer(sql, Dialect::postgres);
  Token t;
  REQUIRE(lexer.next(t));
  CHECK(t.start == 2);
  CHECK(t.len == 1);
  CHECK(lex(sql, Dialect::postgres) == std::vector<Lexed>{{K::word, "x"},
                                                          {K::punct, "="},
                                                          {K::number, "1.5e3"},
                                                          {K::punct, "+"},
                                                          {K::number, "0x1F"}});
}
