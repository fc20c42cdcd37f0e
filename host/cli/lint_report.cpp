#include "cli/lint_report.h"

#include <fmt/format.h>

#include <cctype>

#include "util/text.h"

namespace tide {

LintSummary summarize(const std::vector<lint::Finding> &findings, size_t files) {
  LintSummary s;
  s.files = files;
  for (const auto &f : findings) {
    if (f.severity == lint::Severity::kError) ++s.errors;
    if (f.severity == lint::Severity::kWarning) ++s.warnings;
  }
  return s;
}

std::string lint_json_document(const std::vector<lint::Finding> &findings, const LintSummary &summary) {
  std::string out = fmt::format("{{\"files\":{},\"errors\":{},\"warnings\":{},\"findings\":[", summary.files,
                                summary.errors, summary.warnings);
  for (size_t i = 0; i < findings.size(); ++i) {
    const auto &f = findings[i];
    out += fmt::format(
        "{}\n{{\"rule\":{},\"severity\":{},\"file\":{},\"line\":{},\"column\":{},\"message\":{},\"fix\":{},"
        "\"statement\":{}}}",
        i ? "," : "", json_quote(f.rule), json_quote(lint::severity_name(f.severity)), json_quote(f.file), f.line,
        f.column, json_quote(f.message), json_quote(f.fix), json_quote(f.statement));
  }
  out += "]}\n";
  return out;
}

std::string lint_rules_document() {
  std::string out = "{\"rules\":[";
  auto rules = lint::rules();
  for (size_t i = 0; i < rules.size(); ++i) {
    const auto &r = rules[i];
    out += fmt::format("{}\n{{\"id\":{},\"severity\":{},\"dialects\":{},\"summary\":{},\"fix\":{}}}", i ? "," : "",
                       json_quote(r.id), json_quote(lint::severity_name(r.severity)), json_quote(r.dialects),
                       json_quote(r.summary), json_quote(r.fix));
  }
  out += "]}\n";
  return out;
}

namespace {

// SARIF's levels: "error", "warning", "note", "none".
const char *sarif_level(lint::Severity s) {
  switch (s) {
    case lint::Severity::kError: return "error";
    case lint::Severity::kWarning: return "warning";
    case lint::Severity::kOff: return "none";
  }
  return "error";
}

}  // namespace

std::string path_to_uri(const std::string &path) {
  std::string out = path.starts_with("/") ? "file://" : "";
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/')
      out += static_cast<char>(c);
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

std::string lint_sarif(const std::vector<lint::Finding> &findings, const std::string &tide_version,
                       const std::function<std::string(const std::string &)> &uri_of) {
  auto rules = lint::rules();
  std::string out =
      "{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[{\"tool\":"
      "{\"driver\":{\"name\":\"tide\",";
  out += fmt::format("\"version\":{},\"semanticVersion\":{},\"rules\":[", json_quote(tide_version),
                     json_quote(tide_version));
  for (size_t i = 0; i < rules.size(); ++i) {
    const auto &r = rules[i];
    out += fmt::format(
        "{}\n{{\"id\":{},\"name\":{},\"shortDescription\":{{\"text\":{}}},\"help\":{{\"text\":{}}},"
        "\"defaultConfiguration\":{{\"level\":\"{}\"}},\"properties\":{{\"dialects\":{}}}}}",
        i ? "," : "", json_quote(r.id), json_quote(r.id), json_quote(r.summary), json_quote("Fix: " + std::string(r.fix)),
        sarif_level(r.severity), json_quote(r.dialects));
  }
  out += "]}},\"results\":[";
  for (size_t i = 0; i < findings.size(); ++i) {
    const auto &f = findings[i];
    size_t index = 0;
    while (index < rules.size() && rules[index].id != f.rule) ++index;
    std::string rule_index = index < rules.size() ? fmt::format(",\"ruleIndex\":{}", index) : "";
    std::string region = fmt::format("\"startLine\":{}", f.line > 0 ? f.line : 1);
    if (f.column > 0) region += fmt::format(",\"startColumn\":{}", f.column);
    out += fmt::format(
        "{}\n{{\"ruleId\":{}{},\"level\":\"{}\",\"message\":{{\"text\":{}}},\"locations\":[{{"
        "\"physicalLocation\":{{\"artifactLocation\":{{\"uri\":{}}},\"region\":{{{}}}}}}}]}}",
        i ? "," : "", json_quote(f.rule), rule_index, sarif_level(f.severity),
        json_quote(f.message + (f.fix.empty() ? "" : "\nFix: " + f.fix)), json_quote(uri_of(f.file)), region);
  }
  out += "]}]}\n";
  return out;
}

}  // namespace tide
