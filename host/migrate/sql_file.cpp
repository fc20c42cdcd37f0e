#include "migrate/sql_file.h"

#include <fmt/format.h>

namespace tide {

namespace {

std::string_view trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// Next whitespace-separated word of s, consumed.
std::string_view next_word(std::string_view &s) {
  s = trim(s);
  size_t end = s.find_first_of(" \t");
  std::string_view w = s.substr(0, end);
  s = end == std::string_view::npos ? std::string_view() : s.substr(end);
  return w;
}

struct LineParser {
  std::string_view text;
  const std::string &display;
  SqlMigration out;
  enum class Section { kNone, kUp, kDown } section = Section::kNone;
  bool saw_marker = false;
  // `-- tide:lint-ignore` rules outside the sections (above `-- tide:up`, or on a marker
  // line): file-wide once a marker shows the file has sections. One inside a section
  // belongs to the statement after it, and lint reads it from that statement's leading
  // comments.
  std::vector<std::string> file_wide = {};
  int marker_line = 0;  // the line of the last section marker
  bool saw_marker_on(int line) const { return marker_line == line; }

  Status fail(int line, std::string msg, std::string hint = {}) {
    Error e;
    e.exit = Exit::kInvalid;
    e.where = fmt::format("{}:{}", display, line);
    e.message = std::move(msg);
    e.hint = std::move(hint);
    return e;
  }

  void close_section(size_t end) {
    SqlSection *s = section == Section::kUp ? &out.up : section == Section::kDown ? &out.down : nullptr;
    if (s) s->length = end - s->offset;
  }

  // One comment line `-- tide:...`; line_end is the offset just past its newline.
  Status directive(std::string_view rest, int line, size_t line_start, size_t line_end) {
    const bool in_section = section != Section::kNone;
    bool first = true;
    while (!(rest = trim(rest)).empty()) {
      std::string_view word = next_word(rest);
      if (word.substr(0, 5) == "tide:")
        word.remove_prefix(5);
      else if (first)
        return {};  // an ordinary comment that mentions tide: later on
      first = false;
      if (word == "up" || word == "down") {
        bool up = word == "up";
        if (up && section != Section::kNone) return fail(line, "a second `-- tide:up` section");
        if (!up && section == Section::kDown) return fail(line, "a second `-- tide:down` section");
        if (!up && section == Section::kNone)
          return fail(line, "`-- tide:down` before `-- tide:up`", "put the up section first");
        close_section(line_start);
        section = up ? Section::kUp : Section::kDown;
        SqlSection &s = up ? out.up : out.down;
        s.present = true;
        s.offset = line_end;
        saw_marker = true;
        marker_line = line;
      } else if (word == "no-transaction") {
        out.directives.no_transaction = true;
      } else if (word == "irreversible") {
        out.directives.irreversible = true;
      } else if (word == "env") {
        std::string_view expr = trim(rest);
        if (expr.empty()) return fail(line, "`-- tide:env` needs an expression", "e.g. -- tide:env !production");
        out.directives.env = std::string(expr);
        out.directives.env_line = line;
        return {};
      } else if (word == "lint-ignore") {
        if (!in_section || saw_marker_on(line)) lint_ignore_rules(rest, file_wide);
        return {};
      } else {
        return fail(line, fmt::format("unknown directive `tide:{}`", word),
                    "known: tide:up, tide:down, tide:no-transaction, tide:irreversible, tide:env EXPR, "
                    "tide:lint-ignore RULE");
      }
    }
    return {};
  }

  Result<SqlMigration> run() {
    size_t pos = 0;
    int line = 0;
    while (pos < text.size()) {
      ++line;
      size_t nl = text.find('\n', pos);
      size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
      std::string_view l = trim(text.substr(pos, end - pos - (nl == std::string_view::npos ? 0 : 1)));
      if (l.substr(0, 2) == "--") {
        Status s = directive(l.substr(2), line, pos, end);
        if (!s.ok()) return s;
      }
      pos = end;
    }
    close_section(text.size());
    if (saw_marker) out.directives.lint_ignore = std::move(file_wide);
    if (!saw_marker) {
      out.up.present = true;
      out.up.offset = 0;
      out.up.length = text.size();
    }
    return std::move(out);
  }
};

}  // namespace

void lint_ignore_rules(std::string_view rest, std::vector<std::string> &out) {
  // A directive that names no rule is kept as an empty name, which lint reports: it
  // silences nothing, and its author surely meant it to.
  if (trim(rest).empty()) out.emplace_back();
  while (!(rest = trim(rest)).empty()) {
    std::string_view rule = next_word(rest);
    while (!rule.empty()) {
      size_t comma = rule.find(',');
      if (comma != 0) out.emplace_back(rule.substr(0, comma));
      rule = comma == std::string_view::npos ? std::string_view() : rule.substr(comma + 1);
    }
  }
}

std::vector<std::string> lua_lint_ignore(std::string_view text) {
  std::vector<std::string> rules;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string_view::npos ? text.size() : nl;
    std::string_view line = trim(text.substr(pos, end - pos));
    pos = end + 1;
    if (line.empty()) continue;
    if (!line.starts_with("--")) break;  // the first line of code
    std::string_view rest = trim(line.substr(2));
    if (rest.starts_with("tide:lint-ignore") && (rest.size() == 16 || rest[16] == ' ' || rest[16] == '\t'))
      lint_ignore_rules(rest.substr(16), rules);
  }
  return rules;
}

Result<SqlMigration> parse_sql_migration(std::string_view text, const std::string &display) {
  LineParser p{text, display, {}};
  return p.run();
}

}  // namespace tide
