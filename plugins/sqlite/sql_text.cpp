// SQL text without a connection (sql_text.h). The splitter leans on sqlite3_complete(),
// which needs no database, so SQLite decides where a statement ends, not a parser of ours.

#include "sql_text.h"

#include <sqlite3.h>

#include <algorithm>
#include <string>
#include <string_view>

namespace tide_sqlite {
namespace {

// SQLite's whitespace (its tokenizer's set, which has no \v).
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }

// Past a string, quoted identifier or comment starting at p (SQLite's tokenizer rules,
// the ones sqlite3_complete follows too), end when it is unterminated, or p itself when
// none starts there.
const char *skip_quoted(const char *p, const char *end) {
  auto find = [end](const char *from, std::string_view what) {
    const char *at = std::search(from, end, what.begin(), what.end());
    return at == end ? end : at + what.size();
  };
  switch (*p) {
    case '\'':
    case '"':
    case '`':
      for (const char *q = p + 1; q < end; ++q) {
        if (*q != *p) continue;
        if (q + 1 < end && q[1] == *p) {
          ++q;  // a doubled quote stands for itself
        } else {
          return q + 1;
        }
      }
      return end;
    case '[':
      return find(p + 1, "]");
    case '-':
      return end - p >= 2 && p[1] == '-' ? find(p + 2, "\n") : p;
    case '/':
      return end - p >= 2 && p[1] == '*' ? find(p + 2, "*/") : p;
    default:
      return p;
  }
}

// Whether script[from, to) is whole by sqlite3_complete, which wants a NUL-terminated
// string: script is a NUL-terminated copy whose byte at `to` is lent for the call.
bool is_complete_at(std::string &script, size_t from, size_t to) {
  char saved = script[to];
  script[to] = '\0';
  bool complete = sqlite3_complete(script.c_str() + from) != 0;
  script[to] = saved;
  return complete;
}

// Reports sql[from, to) without its leading blanks, unless it is all blank. Returns the
// callback's verdict (non-zero: stop).
int report(const char *sql, size_t from, size_t to, tide_split_fn fn, void *user) {
  size_t start = static_cast<size_t>(skip_blank(sql + from, sql + to) - sql);
  return start == to ? 0 : fn(user, start, to - start);
}

}  // namespace

const char *skip_blank(const char *p, const char *end) {
  while (p < end) {
    if (is_space(*p)) {
      ++p;
    } else if (end - p >= 2 && p[0] == '-' && p[1] == '-') {
      while (p < end && *p != '\n') ++p;
    } else if (end - p >= 2 && p[0] == '/' && p[1] == '*') {
      std::string_view rest(p + 2, end - p - 2);
      size_t close = rest.find("*/");
      if (close == std::string_view::npos) return p;
      p += 2 + close + 2;
    } else {
      break;
    }
  }
  return p;
}

// SQLite's own notion of "a statement ends here": at each ';', ask sqlite3_complete()
// whether the text so far is whole, which keeps trigger bodies (BEGIN ...; END;) in one
// piece without a parser of our own. A ';' inside a string or comment cannot end a
// statement, so those are skipped without asking: otherwise each such ';' would rescan
// the statement so far, and one unterminated quote early in a large seed file would
// make splitting quadratic (minutes for a few MB).
int split_script(const char *sql, size_t len, tide_split_fn fn, void *user) {
  if ((!sql && len > 0) || !fn) return TIDE_EMISUSE;
  std::string script(sql ? sql : "", len);
  const char *end = sql + len;
  size_t from = 0;
  for (const char *p = sql; p < end;) {
    if (const char *after = skip_quoted(p, end); after != p) {
      p = after;
      continue;
    }
    size_t i = static_cast<size_t>(p++ - sql);
    if (sql[i] != ';' || !is_complete_at(script, from, i + 1)) continue;
    if (report(sql, from, i, fn, user) != 0) return TIDE_OK;
    from = i + 1;
  }
  if (skip_blank(sql + from, end) == end) return TIDE_OK;
  report(sql, from, len, fn, user);
  // A final statement without ';' is fine; one that ends inside a string, a comment or
  // a trigger body is not. "\n" closes a trailing -- comment before the probe ';'.
  std::string rest = script.substr(from) + "\n;";
  return sqlite3_complete(rest.c_str()) ? TIDE_OK : TIDE_EMISUSE;
}

}  // namespace tide_sqlite
