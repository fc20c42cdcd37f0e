#include "migrate/statement_kind.h"

#include <sql_lexer.h>

#include <cctype>
#include <string>

namespace tide {

namespace {

using sql::Lexer;
using sql::Token;
using sql::TokenKind;

// The next token that is not a comment, or false at the end.
bool next_significant(Lexer &lexer, Token &t) {
  while (lexer.next(t))
    if (!t.is_comment()) return true;
  return false;
}

std::string upper(std::string_view word) {
  std::string out(word);
  for (char &c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool row_statement(std::string_view statement, sql::Dialect dialect) {
  Lexer lexer(statement, dialect);
  Token t;
  if (!next_significant(lexer, t) || t.kind != TokenKind::word) return false;
  std::string first = upper(t.text(statement));
  for (const char *kw : {"INSERT", "UPDATE", "DELETE", "REPLACE", "SELECT", "WITH", "VALUES"})
    if (first == kw) return true;
  if (first != "SET") return false;
  // SET @user_var = ... changes nothing but the variable; SET autocommit = 1 commits.
  if (!next_significant(lexer, t)) return false;
  std::string_view target = t.text(statement);
  return target.starts_with("@") && !target.starts_with("@@");
}

}  // namespace

sql::Dialect lexer_dialect(const Dialect &dialect) {
  std::string name = dialect.name();
  if (name == "mysql") return sql::Dialect::mysql;
  if (name == "postgres") return sql::Dialect::postgres;
  return sql::Dialect::sqlite;
}

std::string transaction_control(std::string_view statement, const Dialect &dialect) {
  const sql::Dialect lexed_as = lexer_dialect(dialect);
  Lexer lexer(statement, lexed_as);
  Token t;
  if (!next_significant(lexer, t) || t.kind != TokenKind::word) return {};
  std::string first = upper(t.text(statement));
  auto next_word = [&]() -> std::string {
    Token n;
    if (!next_significant(lexer, n) || n.kind != TokenKind::word) return {};
    return upper(n.text(statement));
  };
  if (first == "COMMIT" || first == "END" || first == "ABORT" || first == "BEGIN") return first;
  if (first == "ROLLBACK") {
    // ROLLBACK [WORK | TRANSACTION] TO [SAVEPOINT] x undoes part of the transaction only.
    std::string w = next_word();
    if (w == "WORK" || w == "TRANSACTION") w = next_word();
    return w == "TO" ? std::string() : first;
  }
  if (first == "START" || first == "PREPARE") {
    std::string w = next_word();
    return w == "TRANSACTION" ? first + " " + w : std::string();
  }
  if (first == "VACUUM" && lexed_as == sql::Dialect::sqlite) return first;
  return {};
}

bool changes_rows_only(std::string_view script, const Dialect &dialect) {
  const sql::Dialect lexed_as = lexer_dialect(dialect);
  auto spans = dialect.split(script);
  if (spans.empty()) return false;
  for (const auto &span : spans)
    if (!row_statement(script.substr(span.start, span.len), lexed_as)) return false;
  return true;
}

}  // namespace tide
