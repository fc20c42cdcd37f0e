// The PostgreSQL driver's statement splitter (plugins/postgres/sql_text): the shapes of
// real migration files. No server needed; exec's use of the pieces against a real server
// is in tests/conformance/postgres_test.cpp.
#include <catch2/catch.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "../../plugins/postgres/sql_text.h"

using tide_pg::Piece;
using tide_pg::split_pieces;

namespace {

std::vector<std::string> texts(std::string_view sql) {
  std::vector<std::string> out;
  for (const Piece &p : split_pieces(sql).statements) out.emplace_back(sql.substr(p.start, p.len));
  return out;
}

using Texts = std::vector<std::string>;

}  // namespace

TEST_CASE("pg split: dollar-quoted bodies keep their semicolons", "[pg_split]") {
  std::string fn =
      "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$\nBEGIN\n  PERFORM 1;\n  RETURN 2;\nEND;\n$$";
  std::string tagged = "DO $body$ BEGIN RAISE NOTICE '$$;'; END $body$";
  CHECK(texts(fn + ";\n" + tagged + ";\nSELECT f();") == Texts{fn, tagged, "SELECT f()"});
  // $1 is a parameter, not a quote; a$$b is one identifier.
  CHECK(texts("SELECT $1; SELECT a$$b FROM t;") == Texts{"SELECT $1", "SELECT a$$b FROM t"});
}

TEST_CASE("pg split: strings, escapes and quoted identifiers", "[pg_split]") {
  CHECK(texts("SELECT E'it\\'s; here'; SELECT 'it''s; here'; SELECT \"odd;col\" FROM \"t\"\"x\";") ==
        Texts{"SELECT E'it\\'s; here'", "SELECT 'it''s; here'", "SELECT \"odd;col\" FROM \"t\"\"x\""});
  // A standard string does not treat a backslash as an escape.
  CHECK(texts("SELECT 'a\\'; SELECT 2;") == Texts{"SELECT 'a\\'", "SELECT 2"});
  CHECK(texts("SELECT U&'d\\0061t;a'; SELECT 1") == Texts{"SELECT U&'d\\0061t;a'", "SELECT 1"});
}

TEST_CASE("pg split: comments, nested ones too", "[pg_split]") {
  CHECK(texts("-- one; two\nSELECT 1; /* a /* nested; */ still; comment */ SELECT 2 /* ; */;") ==
        Texts{"SELECT 1", "SELECT 2 /* ; */"});
  // Statements start at their first token (the host turns that into a line number).
  std::string script = "-- header\n\n  /* note */ SELECT 1;";
  auto pieces = split_pieces(script).statements;
  REQUIRE(pieces.size() == 1);
  CHECK(pieces[0].start == script.find("SELECT 1"));
}

TEST_CASE("pg split: BEGIN ATOMIC bodies, with CASE ... END inside", "[pg_split]") {
  std::string fn =
      "CREATE FUNCTION sign_of(x int) RETURNS text LANGUAGE sql\nBEGIN ATOMIC\n"
      "  SELECT CASE WHEN x > 0 THEN 'pos' WHEN x < 0 THEN 'neg' ELSE 'zero' END;\n"
      "  SELECT 'again; still inside';\nEND";
  CHECK(texts(fn + ";\nSELECT sign_of(1);") == Texts{fn, "SELECT sign_of(1)"});
  // A plain BEGIN (a transaction) is no body.
  CHECK(texts("BEGIN; SELECT 1; COMMIT;") == Texts{"BEGIN", "SELECT 1", "COMMIT"});
  // Cut off before END: incomplete.
  CHECK_FALSE(split_pieces("CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1;").complete);
}

TEST_CASE("pg split: CREATE PROCEDURE ... AS $$ ... $$; CALL", "[pg_split]") {
  std::string proc =
      "CREATE PROCEDURE add_one(INOUT n int) LANGUAGE plpgsql AS $$\nBEGIN\n  n := n + 1;\nEND;\n$$";
  CHECK(texts(proc + ";\nCALL add_one(1);") == Texts{proc, "CALL add_one(1)"});
}

TEST_CASE("pg split: COPY FROM STDIN carries its data block", "[pg_split]") {
  std::string script =
      "CREATE TABLE t (a int, b text);\n"
      "COPY t (a, b) FROM stdin;\n"
      "1\tone; not a statement\n"
      "2\t'quote\n"
      "\\.\n"
      "SELECT count(*) FROM t;\n";
  auto pieces = split_pieces(script).statements;
  REQUIRE(pieces.size() == 3);
  CHECK(script.substr(pieces[1].start, pieces[1].len) == "COPY t (a, b) FROM stdin");
  CHECK(pieces[1].copy_in);
  CHECK(script.substr(pieces[1].data_start, pieces[1].data_len) == "1\tone; not a statement\n2\t'quote\n");
  CHECK(script.substr(pieces[2].start, pieces[2].len) == "SELECT count(*) FROM t");
  CHECK(split_pieces(script).complete);
  // COPY to a file, or from a query, has no data block.
  auto other = split_pieces("COPY t TO STDOUT; COPY t FROM '/tmp/x';").statements;
  REQUIRE(other.size() == 2);
  CHECK_FALSE(other[0].copy_in);
  CHECK_FALSE(other[1].copy_in);
  // Data without "\." runs to the end of the script.
  std::string open = "COPY t FROM STDIN;\n1\tx\n";
  auto last = split_pieces(open).statements;
  REQUIRE(last.size() == 1);
  CHECK(open.substr(last[0].data_start, last[0].data_len) == "1\tx\n");
}

TEST_CASE("pg split: empty scripts, comment-only scripts, a last statement without ';'", "[pg_split]") {
  for (std::string_view blank : {"", "  \n", "-- only a comment", "/* just this */\n-- and this\n", ";;", " ; -- x\n;"}) {
    INFO(blank);
    CHECK(split_pieces(blank).statements.empty());
    CHECK(split_pieces(blank).complete);
  }
  CHECK(texts("SELECT 1;\nSELECT 2 -- trailing\n") == Texts{"SELECT 1", "SELECT 2 -- trailing"});
  CHECK(texts("SELECT 1;;\n;SELECT 2") == Texts{"SELECT 1", "SELECT 2"});
}

TEST_CASE("pg split: a script ending inside a string, comment or dollar quote", "[pg_split]") {
  for (std::string_view tail : {"SELECT 'never closed;", "SELECT E'\\'", "/* never /* closed */", "DO $$ BEGIN"}) {
    INFO(tail);
    auto split = split_pieces("SELECT 0;\n" + std::string(tail));
    CHECK_FALSE(split.complete);
    CHECK(split.statements.size() == 2);  // the unfinished one is still reported
  }
}

TEST_CASE("pg split: character positions to byte offsets", "[pg_split]") {
  std::string text = "SELECT 'é', 日本 FROM x";
  CHECK(tide_pg::byte_offset_of_char(text, 1) == 0);
  CHECK(tide_pg::byte_offset_of_char(text, 13) == static_cast<int64_t>(text.find("日本")));
  CHECK(tide_pg::byte_offset_of_char(text, 16) == static_cast<int64_t>(text.find("FROM")));
  CHECK(tide_pg::byte_offset_of_char(text, 22) == static_cast<int64_t>(text.size()));  // just past the end
  CHECK(tide_pg::byte_offset_of_char(text, 0) == -1);
  CHECK(tide_pg::byte_offset_of_char(text, 99) == -1);
}
