// The SQLite driver's dump entry (driver.h, ABI 1.1): the schema of the main database as
// a SQL script, read from sqlite_master.

#ifndef TIDE_PLUGINS_SQLITE_DUMP_H_
#define TIDE_PLUGINS_SQLITE_DUMP_H_

#include <tide/driver.h>

struct tide_conn;

namespace tide_sqlite {

// Writes every table, index, view and trigger of the main database, in that order and
// each group in creation order, as "<CREATE statement>;" separated by blank lines. No
// rows; no sqlite_ internal tables, automatic indexes or virtual tables' shadow tables
// (creating the virtual table creates them). May throw; the entry wraps it.
int dump_schema(tide_conn &conn, tide_write_fn fn, void *user);

}  // namespace tide_sqlite

#endif  // TIDE_PLUGINS_SQLITE_DUMP_H_
