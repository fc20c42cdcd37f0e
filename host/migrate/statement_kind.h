// What kind of statements a script holds, read with the shared tokenizer
// (plugins/common/sql_lexer) after the dialect's own splitter: enough to know whether a
// migration only changes rows, which decides whether it can run in a transaction on a
// database without transactional DDL (MySQL commits implicitly at every DDL statement).
#pragma once

#include <sql_lexer.h>

#include <string>
#include <string_view>

#include "plugin/session.h"

namespace tide {

// True when script has at least one statement and every one of them reads or writes
// rows only: INSERT, UPDATE, DELETE, REPLACE, SELECT, WITH, VALUES, or SET of a user
// variable (SET @x = ...). Anything else — DDL, CALL, LOCK TABLES, transaction control,
// SET of a session variable such as autocommit — makes it false.
bool changes_rows_only(std::string_view script, const Dialect &dialect);

// The tokenizer's dialect for a driver's dialect (by name; SQLite's rules for others).
sql::Dialect lexer_dialect(const Dialect &dialect);

// When statement (one, as the splitter cut it) would end or start a transaction at the
// top level, its words that say so ("COMMIT", "START TRANSACTION", "VACUUM"); else "".
// COMMIT, END, ROLLBACK (not ROLLBACK TO a savepoint), ABORT, BEGIN, START TRANSACTION,
// PREPARE TRANSACTION, and SQLite's VACUUM (which needs no transaction open). A dry run
// never sends these (migrate/rehearsal_session).
std::string transaction_control(std::string_view statement, const Dialect &dialect);

}  // namespace tide
