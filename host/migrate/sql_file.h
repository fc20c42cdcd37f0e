// Reading a .sql migration: the `-- tide:up` / `-- tide:down` sections and the
// directives of SPEC §2. Sections are kept as byte ranges of the file so that an error
// offset from the driver maps back to a line of the file.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace tide {

struct Directives {
  bool no_transaction = false;
  bool irreversible = false;
  std::optional<std::string> env;  // gate expression, evaluated by the env issue's code
  int env_line = 0;
  // File-wide `-- tide:lint-ignore` rules: those above `-- tide:up` or on a marker line.
  // One inside a section is the next statement's (it stays in the SQL as a comment); a
  // file without markers has no file-wide area.
  std::vector<std::string> lint_ignore;
};

struct SqlSection {
  bool present = false;
  size_t offset = 0;  // byte offset of the section's first byte in the file
  size_t length = 0;
  std::string_view in(std::string_view file) const { return file.substr(offset, length); }
};

struct SqlMigration {
  SqlSection up;
  SqlSection down;
  Directives directives;
};

// A file without any `-- tide:up` marker is all up (Flyway style) and has no down.
// display names the file in errors.
Result<SqlMigration> parse_sql_migration(std::string_view text, const std::string &display);

// The rules of a `tide:lint-ignore` directive: rest is what follows it on the line,
// "RULE[,RULE] [RULE...]"; each rule is appended to out.
void lint_ignore_rules(std::string_view rest, std::vector<std::string> &out);

// The file-wide lint-ignore rules of a Lua migration: its `-- tide:lint-ignore RULE[,RULE]`
// comment lines before the first line of code.
std::vector<std::string> lua_lint_ignore(std::string_view text);

}  // namespace tide
