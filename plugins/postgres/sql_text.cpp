// PostgreSQL SQL text without a connection (sql_text.h), on the shared tokenizer
// (plugins/common/sql_lexer): the lexer knows strings, dollar quotes and comments; this
// file knows statements — where a ';' ends one, BEGIN ATOMIC bodies, COPY data.

#include "sql_text.h"

#include <sql_lexer.h>

#include <string>

namespace tide_pg {
namespace {

using tide::sql::Lexer;
using tide::sql::Token;
using tide::sql::TokenKind;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

bool is_word(std::string_view text, std::string_view word) {
  if (text.size() != word.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != word[i]) return false;
  }
  return true;
}

// What the splitter knows about the statement it is inside.
struct Statement {
  size_t start = std::string_view::npos;  // first token; npos: none yet
  bool is_copy = false;                   // its first word is COPY
  bool copy_in = false;                   // ... FROM STDIN
  int atomic_depth = 0;                   // inside BEGIN ATOMIC: 1 + open CASEs
  int parens = 0;
  std::string_view prev_word;  // the previous token when it was a word, else empty

  bool started() const { return start != std::string_view::npos; }

  // Tracks what a token means for the statement's end.
  void see(std::string_view sql, const Token &tok) {
    std::string_view text = tok.text(sql);
    if (!started()) {
      start = tok.start;
      is_copy = tok.kind == TokenKind::word && is_word(text, "COPY");
    }
    if (tok.kind == TokenKind::punct) {
      parens += text == "(" ? 1 : text == ")" ? -1 : 0;
    } else if (tok.kind == TokenKind::word) {
      if (atomic_depth == 0 && is_word(text, "ATOMIC") && is_word(prev_word, "BEGIN")) {
        atomic_depth = 1;
      } else if (atomic_depth > 0 && is_word(text, "CASE")) {
        ++atomic_depth;
      } else if (atomic_depth > 0 && is_word(text, "END")) {
        --atomic_depth;
      } else if (is_copy && parens == 0 && is_word(text, "STDIN") && is_word(prev_word, "FROM")) {
        copy_in = true;
      }
    }
    prev_word = tok.kind == TokenKind::word ? text : std::string_view();
  }
};

// The data block of a COPY FROM STDIN whose ';' is at semicolon: from the next line up
// to a line "\." (psql's rule). Returns where splitting resumes.
size_t take_copy_data(std::string_view sql, size_t semicolon, Piece &piece) {
  size_t nl = sql.find('\n', semicolon);
  piece.data_start = nl == std::string_view::npos ? sql.size() : nl + 1;
  for (size_t line = piece.data_start; line < sql.size();) {
    size_t eol = sql.find('\n', line);
    size_t end = eol == std::string_view::npos ? sql.size() : eol;
    std::string_view text = sql.substr(line, end - line);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (text == "\\.") {
      piece.data_len = line - piece.data_start;
      return eol == std::string_view::npos ? sql.size() : eol + 1;
    }
    line = eol == std::string_view::npos ? sql.size() : eol + 1;
  }
  piece.data_len = sql.size() - piece.data_start;  // no "\.": the data runs to the end
  return sql.size();
}

}  // namespace

Pieces split_pieces(std::string_view sql) {
  Pieces out;
  Lexer lexer(sql, tide::sql::Dialect::postgres);
  Statement st;
  Token tok{};
  while (lexer.next(tok)) {
    if (tok.kind == TokenKind::unterminated) out.complete = false;
    if (tok.is_comment()) continue;
    if (tok.kind == TokenKind::semicolon && st.atomic_depth == 0) {
      if (st.started()) {
        Piece piece{st.start, tok.start - st.start};
        if (st.copy_in) {
          piece.copy_in = true;
          lexer.seek(take_copy_data(sql, tok.start, piece));
        }
        out.statements.push_back(piece);
      }
      st = Statement();
      continue;
    }
    st.see(sql, tok);
  }
  if (st.started()) {
    size_t end = sql.size();
    while (end > st.start && is_space(sql[end - 1])) --end;
    out.statements.push_back(Piece{st.start, end - st.start});
    if (st.atomic_depth > 0) out.complete = false;
  }
  return out;
}

int split_script(const char *sql, size_t len, tide_split_fn fn, void *user) {
  if ((!sql && len > 0) || !fn) return TIDE_EMISUSE;
  Pieces pieces = split_pieces(std::string_view(sql ? sql : "", len));
  for (const Piece &p : pieces.statements) {
    if (fn(user, p.start, p.len) != 0) return TIDE_OK;
  }
  return pieces.complete ? TIDE_OK : TIDE_EMISUSE;
}

int64_t byte_offset_of_char(std::string_view text, int64_t pos) {
  if (pos < 1) return -1;
  int64_t chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;  // inside a character
    if (++chars == pos) return static_cast<int64_t>(i);
  }
  return chars + 1 == pos ? static_cast<int64_t>(text.size()) : -1;  // just past the end
}

}  // namespace tide_pg
