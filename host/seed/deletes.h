// Whether SQL deletes rows, for protected environments (SPEC §5: "any seed that deletes"
// needs --yes there). Read with the shared tokenizer (plugins/common/sql_lexer), so
// strings, comments and quoted names never count: a statement deletes when its first
// word is DELETE, TRUNCATE or DROP, when it is REPLACE (MySQL's REPLACE deletes the old
// row), or when a WITH query holds a DELETE.
#pragma once

#include <string>
#include <string_view>

namespace tide {

// The first line of the first statement of script that deletes rows, or "" when none
// does. dialect is the driver's name ("sqlite", "postgres", "mysql").
std::string deleting_statement(std::string_view script, std::string_view dialect);

}  // namespace tide
