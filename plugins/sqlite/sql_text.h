// Reading SQL text without a connection: skipping blanks and comments, and splitting a
// script into statements (the driver's split entry, which must work before any
// connect, so nothing here touches a database). quote_ident is plugins/common's.

#ifndef TIDE_PLUGINS_SQLITE_SQL_TEXT_H_
#define TIDE_PLUGINS_SQLITE_SQL_TEXT_H_

#include <tide/driver.h>

#include <cstddef>

namespace tide_sqlite {

// The first byte at or after p that is not whitespace or a complete comment. An
// unterminated block comment is not skipped, so text ending inside one is not blank.
const char *skip_blank(const char *p, const char *end);

// The split entry (driver.h), minus its exception guard.
int split_script(const char *sql, size_t len, tide_split_fn fn, void *user);

}  // namespace tide_sqlite

#endif  // TIDE_PLUGINS_SQLITE_SQL_TEXT_H_
