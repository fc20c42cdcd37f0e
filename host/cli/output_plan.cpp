// Output for `tide plan` and `tide up --dry-run`: the plan as text that reads as SQL
// (file:line and modes in `--` comments), and the rehearsal's statements with their times.
#include <fmt/format.h>

#include "cli/output.h"
#include "migrate/plan.h"
#include "util/text.h"

namespace tide {

namespace {

constexpr const char *kYellow = "33", *kDim = "2", *kBold = "1";

const char *mode_name(const MigrationPlan &p) {
  if (p.transactional) return "transaction";
  return p.wants_transaction ? "dirty-first" : "no-transaction";
}

const char *mode_text(const MigrationPlan &p) {
  if (p.transactional) return "in a transaction";
  return p.wants_transaction ? "dirty-first (the database commits DDL as it runs: recorded dirty before, applied after)"
                             : "no transaction (statement by statement, recorded dirty before, applied after)";
}

const char *kind_name(PlannedStatement::Kind k) {
  switch (k) {
    case PlannedStatement::Kind::kRead:
      return "read";
    case PlannedStatement::Kind::kRows:
      return "rows";
    case PlannedStatement::Kind::kStatement:
      break;
  }
  return "statement";
}

}  // namespace

void Output::migration_plan(const MigrationPlan &p) {
  const MigrationFile &f = *p.file;
  if (o_.json) {
    Fields fields = {{"version", f.version}, {"name", f.name}, {"file", f.display}, {"mode", mode_name(p)}};
    if (!p.skipped.empty()) fields.emplace_back("skipped", p.skipped);
    fields.emplace_back("statements", std::to_string(p.statements.size()));
    if (!p.stopped.empty()) fields.emplace_back("stopped", p.stopped);
    if (p.failed) fields.emplace_back("failed", "true");
    write_json("plan", fields);
    for (const PlannedStatement &st : p.statements) {
      Fields s = {{"version", f.version},
                  {"file", f.display},
                  {"line", std::to_string(st.line)},
                  {"column", std::to_string(st.column)},
                  {"exact", st.exact ? "true" : "false"},
                  {"kind", kind_name(st.kind)},
                  {"sql", st.sql}};
      if (!st.note.empty()) s.emplace_back("note", st.note);
      write_json("plan_statement", s);
    }
    std::fflush(stdout);
    return;
  }
  if (o_.quiet) return;
  end_line();
  if (!p.skipped.empty()) {
    write(stdout, paint(fmt::format("-- {} {} · skipped: {}", f.version, f.name, p.skipped), kYellow) + "\n\n");
    return;
  }
  std::string text = paint(fmt::format("-- {} {} · {}", f.version, f.name, mode_text(p)), kBold) + "\n";
  for (const PlannedStatement &st : p.statements) {
    std::string where = fmt::format("-- {}:{}", f.display, st.line);
    if (st.kind == PlannedStatement::Kind::kRows) {
      text += paint(fmt::format("{} · {}{}", where, st.sql, st.note.empty() ? "" : " (" + st.note + ")"), kDim) + "\n";
      continue;
    }
    if (st.kind == PlannedStatement::Kind::kRead)
      where = paint(where + " · read: " + st.note, kYellow);
    else
      where = paint(st.note.empty() ? where : where + " · " + st.note, kDim);
    text += where + "\n";
    if (st.sql.empty()) continue;
    text += st.sql;
    text += st.sql.back() == ';' ? "\n" : ";\n";
  }
  if (!p.stopped.empty()) text += paint(fmt::format("-- {} {}", f.version, p.stopped), kYellow) + "\n";
  write(stdout, text + "\n");
}

void Output::rehearsal_begin(const MigrationFile &file) {
  event("rehearse", {{"version", file.version}, {"name", file.name}, {"file", file.display}},
        fmt::format("{} {} {}", paint("rehearse", kBold), file.version, file.name));
}

void Output::rehearsal_statement(std::string_view where, std::string_view sql, int64_t us) {
  if (o_.json) {
    event("rehearsed_statement",
          {{"where", std::string(where)}, {"sql", std::string(sql)}, {"duration_us", std::to_string(us)}}, "");
    return;
  }
  event("", {},
        fmt::format("  {}  {}  {}", paint(where, kDim), statement_summary(sql, 72),
                    paint(fmt::format("{:.1f} ms", static_cast<double>(us) / 1000.0), kDim)));
}

void Output::rehearsal_end(const MigrationFile &file, int64_t ms) {
  event("rehearsed",
        {{"version", file.version}, {"name", file.name}, {"file", file.display}, {"duration_ms", std::to_string(ms)}},
        paint(fmt::format("  rehearsed {} in {} ms", file.version, ms), kDim));
}

}  // namespace tide
