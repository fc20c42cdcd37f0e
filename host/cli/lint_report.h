// `tide lint --format json|sarif`: the findings as one document on stdout. Text output and
// the per-finding --json events are Output::lint_finding's.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "lint/lint.h"

namespace tide {

struct LintSummary {
  size_t files = 0;     // migrations linted
  size_t errors = 0;    // findings at error level
  size_t warnings = 0;  // findings at warning level
};

LintSummary summarize(const std::vector<lint::Finding> &findings, size_t files);

// {"files": N, "errors": N, "warnings": N, "findings": [{rule, severity, file, line,
// column, message, fix, statement}, ...]}
std::string lint_json_document(const std::vector<lint::Finding> &findings, const LintSummary &summary);

// {"rules": [{id, severity, dialects, summary, fix}, ...]}: `tide lint --rules --format json`.
std::string lint_rules_document();

// A SARIF 2.1.0 log (OASIS), as GitHub code scanning and other viewers read it: one run,
// the rule table as tool.driver.rules, one result per finding. uri_of turns a finding's
// file (the display path) into the artifact URI: relative to the folder the user ran tide
// in, so a repository's code scanning finds the file.
std::string lint_sarif(const std::vector<lint::Finding> &findings, const std::string &tide_version,
                       const std::function<std::string(const std::string &)> &uri_of);

// A path as a URI reference: relative paths stay relative ("db/migrations/001_x.sql"),
// absolute ones become file:// URIs; characters outside RFC 3986's unreserved set and "/"
// are percent-encoded.
std::string path_to_uri(const std::string &path);

}  // namespace tide
