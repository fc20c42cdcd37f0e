// What kind of statements a script holds, read with the shared tokenizer
// (plugins/common/sql_lexer) after the dialect's own splitter: enough to know whether a
// migration only changes rows, which decides whether it can run in a transaction on a
// database without transactional DDL (MySQL commits implicitly at every DDL statement).
#pragma once

#include <sql_lexer.h>

#include <string_view>

#include "plugin/session.h"

namespace tide {

// True when script has at least one statement and every one of them reads or writes
// rows only: INSERT, UPDATE, DELETE, REPLACE, SELECT, WITH, VALUES, or SET of a user
// variable (SET @x = ...). Anything else — DDL, CALL, LOCK TABLES, transaction control,
// SET of a session variable such as autocommit — makes it false.
bool changes_rows_only(std::string_view script, const Dialect &dialect);

// How the shared tokenizer reads a driver's SQL: by its dialect name ("postgres", "mysql");
// anything else (sqlite, an out-of-tree driver) is read with SQLite's rules, the most
// permissive of the three.
sql::Dialect lexer_dialect(const Dialect &dialect);

}  // namespace tide
