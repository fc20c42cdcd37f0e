// MySQL SQL text without a connection: the statement splitter (the driver's split entry,
// also used by exec). Identifier quoting is plugins/common/driver_glue.h's quote_backtick.
//
// The splitter follows the mysql command-line client, on top of the shared tokenizer
// (plugins/common/sql_lexer, Dialect::mysql: backticks, "..." strings, backslash
// escapes, # and "-- " comments):
//   - DELIMITER lines are the client's directive, never sent: `DELIMITER //` makes `//`
//     the statement end until `DELIMITER ;`.
//   - With the ";" delimiter, CREATE PROCEDURE / FUNCTION / TRIGGER / EVENT and MariaDB's
//     BEGIN NOT ATOMIC (and top-level IF / WHILE / LOOP / REPEAT / CASE) are compound
//     statements: a ";" inside BEGIN ... END, IF ... END IF, CASE ... END CASE, loops
//     and labelled blocks does not end them (as golang-migrate users write them, with
//     multi-statement execution and no DELIMITER).
//   - Executable comments (/*! ... */, /*M! ... */) are statements, as mysqldump writes
//     them; other comments are not.
#ifndef TIDE_PLUGINS_MYSQL_SQL_TEXT_H_
#define TIDE_PLUGINS_MYSQL_SQL_TEXT_H_

#include <tide/driver.h>

#include <cstddef>

namespace tide_mysql {

// The split entry (driver.h), minus its exception guard.
int split_script(const char *sql, size_t len, tide_split_fn fn, void *user);

}  // namespace tide_mysql

#endif  // TIDE_PLUGINS_MYSQL_SQL_TEXT_H_
