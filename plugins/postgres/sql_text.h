// Reading PostgreSQL SQL text without a connection: the statement splitter (the split
// entry, and exec's own view of a script, which also needs COPY data blocks),
// identifier quoting, and turning the server's character positions into byte offsets.

#ifndef TIDE_PLUGINS_POSTGRES_SQL_TEXT_H_
#define TIDE_PLUGINS_POSTGRES_SQL_TEXT_H_

#include <tide/driver.h>

#include <cstddef>
#include <string_view>
#include <vector>

namespace tide_pg {

// One statement of a script: [start, start + len) from its first token to before its
// ';'. A `COPY ... FROM STDIN` statement carries the data block that follows it (the
// lines after the statement, up to a line `\.` or the end of the script), which goes to
// the server as COPY data, not as SQL.
struct Piece {
  size_t start = 0;
  size_t len = 0;
  bool copy_in = false;
  size_t data_start = 0;
  size_t data_len = 0;
  size_t end() const { return start + len; }
};

struct Pieces {
  std::vector<Piece> statements;
  bool complete = true;  // false: the script ends inside a string, comment or body
};

// Splits a script as the server reads it: strings ('', E'\'', U&''), dollar quotes
// ($$, $tag$), quoted identifiers, -- and nested /* */ comments, BEGIN ATOMIC ... END
// bodies (with CASE ... END inside), COPY FROM STDIN data blocks. Empty statements
// (";;") and comment-only text are not statements.
Pieces split_pieces(std::string_view sql);

// The split entry (driver.h), minus its exception guard.
int split_script(const char *sql, size_t len, tide_split_fn fn, void *user);

// The byte offset in text of 1-based character position pos (PostgreSQL reports error
// positions in characters of the UTF-8 query string), or -1 when pos is out of range.
int64_t byte_offset_of_char(std::string_view text, int64_t pos);

}  // namespace tide_pg

#endif  // TIDE_PLUGINS_POSTGRES_SQL_TEXT_H_
