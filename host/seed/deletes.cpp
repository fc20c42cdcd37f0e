#include "seed/deletes.h"

#include <strings.h>

#include "sql_lexer.h"
#include "util/text.h"

namespace tide {

namespace {

bool is_word(std::string_view text, const char *word) {
  return text.size() == std::char_traits<char>::length(word) && strncasecmp(text.data(), word, text.size()) == 0;
}

sql::Dialect lexer_dialect(std::string_view name) {
  if (name == "mysql") return sql::Dialect::mysql;
  if (name == "sqlite") return sql::Dialect::sqlite;
  return sql::Dialect::postgres;
}

}  // namespace

std::string deleting_statement(std::string_view script, std::string_view dialect) {
  sql::Lexer lexer(script, lexer_dialect(dialect));
  sql::Token t{};
  size_t start = 0;
  bool first = true, with = false, deletes = false;
  std::string_view prev;  // the word before this one (ON DELETE is not a delete)
  while (lexer.next(t)) {
    if (t.is_comment()) continue;
    if (t.kind == sql::TokenKind::semicolon || t.kind == sql::TokenKind::delimiter) {
      if (deletes) return statement_summary(script.substr(start, t.start - start));
      first = true, with = deletes = false, prev = {};
      continue;
    }
    std::string_view text = t.text(script);
    if (t.kind != sql::TokenKind::word) {
      first = false;
      continue;
    }
    if (first) {
      start = t.start;
      first = false;
      with = is_word(text, "WITH");
      deletes =
          is_word(text, "DELETE") || is_word(text, "TRUNCATE") || is_word(text, "DROP") || is_word(text, "REPLACE");
    } else if (with && is_word(text, "DELETE") && !is_word(prev, "ON")) {
      deletes = true;
    }
    prev = text;
  }
  return deletes ? statement_summary(script.substr(start)) : std::string();
}

}  // namespace tide
