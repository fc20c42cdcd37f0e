// `-- tide:lint-ignore RULE[,RULE...]` comments (SPEC §2): on a statement (in the comments
// before it, or inside it), or for the whole file (MigrationPlan::lint_ignore, read by the
// SQL file parser). `all` names every rule. A comment after a statement's end on the same
// line (`DROP TABLE t; -- tide:lint-ignore drop-table`) belongs to that statement, though
// the splitter puts it before the next one.
#pragma once

#include <sql_lexer.h>

#include <cstddef>
#include <string_view>
#include <vector>

#include "lint/checks.h"

namespace tide::lint {

// A name in an ignore comment: the rule id (or "all"; empty when the directive names no
// rule), the statement it applies to, and where the comment is (for a typo's finding).
struct IgnoreName {
  std::string_view name;
  size_t statement;
  Position pos;
};

// The names of the directive in one comment token's text (-- ..., # ..., /* ... */);
// false when the comment holds no `tide:lint-ignore`. A directive without any name adds
// one empty name, so that it can be reported.
bool ignore_directive(std::string_view comment, std::vector<std::string_view> &names);

// Appends the ignores of plan.statements[index]: those in its leading comments (or, when a
// leading comment is on the line where the previous statement ends, to the previous one)
// and those in s.comments(); s is that statement, read.
void collect_ignores(const MigrationPlan &plan, size_t index, const Statement &s, sql::Dialect dialect,
                     std::vector<IgnoreName> &out);

}  // namespace tide::lint
