#include "cli/output.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "seed/seed_runner.h"
#include "util/text.h"

namespace tide {

namespace {

constexpr const char *kGreen = "32", *kRed = "31", *kYellow = "33", *kDim = "2", *kBold = "1";

const char *dir_name(Direction d) { return d == Direction::kUp ? "up" : "down"; }

// A traceback without tide's own Lua frames (tide/db.lua raising on the user's behalf):
// what is left points into the user's files. --verbose shows everything.
std::string user_frames(std::string_view traceback) {
  std::string out;
  size_t pos = 0;
  while (pos < traceback.size()) {
    size_t nl = traceback.find('\n', pos);
    if (nl == std::string_view::npos) nl = traceback.size();
    std::string_view line = traceback.substr(pos, nl - pos);
    pos = nl + 1;
    std::string_view frame = line.substr(std::min(line.find_first_not_of(" \t"), line.size()));
    if (frame.starts_with("tide/") || frame == "[C]: in function 'error'") continue;
    out.append(line);
    out += '\n';
  }
  if (!out.empty()) out.pop_back();
  return out;
}

}  // namespace

void Output::add_secret(std::string s) {
  if (s.size() < 3 || std::find(secrets_.begin(), secrets_.end(), s) != secrets_.end()) return;
  secrets_.push_back(std::move(s));
}

std::string Output::mask(std::string_view text) const {
  return secrets_.empty() ? std::string(text) : mask_secrets(text, secrets_);
}

void Output::write(std::FILE *stream, std::string_view text) const {
  std::string masked = mask(text);
  std::fwrite(masked.data(), 1, masked.size(), stream);
}

std::string Output::json_object(std::string_view event, const Fields &fields) const {
  std::string out = "{\"event\":" + json_quote(event);
  for (const auto &[k, v] : fields) {
    out += ',';
    out += json_quote(k);
    out += ':';
    // Numbers stay numbers; everything else is a string.
    bool numeric =
        !v.empty() && v.find_first_not_of("0123456789") == std::string::npos && v.size() < 16 &&
        (k == "duration_ms" || k == "exit_code" || k == "line" || k == "count" || k == "attempt" || k == "attempts" ||
         k == "bytes" || k == "inserted" || k == "updated" || k == "unchanged" || k == "rows" || k == "column" ||
         k == "statements" || k == "duration_us" || k == "files" || k == "errors" || k == "warnings");
    // Flags stay booleans.
    bool flag = (v == "true" || v == "false") && (k == "exact" || k == "failed");
    out += numeric || flag ? v : json_quote(mask(v));
  }
  return out + "}";
}

void Output::write_json(std::string_view event, const Fields &fields) const {
  std::string line = json_object(event, fields) + "\n";
  std::fwrite(line.data(), 1, line.size(), stdout);
}

std::string Output::paint(std::string_view text, const char *ansi) const {
  if (!o_.color) return std::string(text);
  return fmt::format("\033[{}m{}\033[0m", ansi, text);
}

void Output::end_line() {
  progress_end();
  if (!line_open_) return;
  std::fputc('\n', stdout);
  line_open_ = false;
}

void Output::event(std::string_view name, const Fields &fields, std::string_view text) {
  if (o_.json) {
    write_json(name, fields);
    std::fflush(stdout);
    return;
  }
  if (o_.quiet) return;
  end_line();
  write(stdout, std::string(text) + "\n");
}

void Output::run_header(const std::string &environment, const std::string &redacted_url, bool as_sql_comment) {
  event("run", {{"environment", environment}, {"database", redacted_url}},
        paint(fmt::format("{}tide: environment {} · database {}", as_sql_comment ? "-- " : "", environment,
                          redacted_url),
              kDim));
}

void Output::progress(std::string_view text) {
  if (o_.json || o_.quiet || !o_.terminal) return;
  write(stdout, fmt::format("\r\033[K{}", text));
  std::fflush(stdout);
  progress_shown_ = true;
}

void Output::progress_end() {
  if (!progress_shown_) return;
  progress_shown_ = false;
  std::fputs("\r\033[K", stdout);
  std::fflush(stdout);
  line_open_ = false;  // an open line (a seed's "seed x ... ") was drawn over: its result repeats its name
}

void Output::migration_begin(const MigrationFile &file, Direction dir) {
  if (o_.json || o_.quiet) return;
  end_line();
  write(stdout, fmt::format("{} {} {} ... ", paint(dir_name(dir), kBold), file.version, file.name));
  std::fflush(stdout);
  line_open_ = true;
}

void Output::migration_end(const MigrationFile &file, Direction dir, int64_t ms) {
  if (o_.json) {
    event(dir == Direction::kUp ? "applied" : "reverted",
          {{"version", file.version}, {"name", file.name}, {"file", file.display}, {"duration_ms", std::to_string(ms)}},
          "");
    return;
  }
  if (o_.quiet) return;
  std::string text = fmt::format("{} ({} ms)", paint(dir == Direction::kUp ? "applied" : "reverted", kGreen), ms);
  if (!line_open_) text = fmt::format("{} {} {}", dir_name(dir), file.version, text);
  write(stdout, text + "\n");
  line_open_ = false;
}

void Output::migration_skipped(const MigrationFile &file, std::string_view why) {
  event("skipped", {{"version", file.version}, {"name", file.name}, {"reason", std::string(why)}},
        fmt::format("skip {} {} ({})", file.version, file.name, paint(why, kYellow)));
}

void Output::migration_failed(const MigrationFile &file, Direction dir, const Error &) {
  if (o_.json) {
    event("failed", {{"version", file.version}, {"name", file.name}, {"direction", dir_name(dir)}}, "");
    return;
  }
  if (line_open_) {
    write(stdout, paint("FAILED", kRed) + "\n");
    line_open_ = false;
  }
}

void Output::note(std::string_view name, std::string_view text) { event(name, {{"message", std::string(text)}}, text); }

void Output::lint_finding(const lint::Finding &f, bool as_warning) {
  const char *level = lint::severity_name(f.severity);
  std::string where = f.line > 0 ? fmt::format("{}:{}:{}", f.file, f.line, f.column > 0 ? f.column : 1) : f.file;
  if (o_.json) {
    event("lint", {{"rule", f.rule}, {"severity", level}, {"file", f.file}, {"line", std::to_string(f.line)},
                   {"column", std::to_string(f.column)}, {"message", f.message}, {"fix", f.fix},
                   {"statement", f.statement}},
          "");
    return;
  }
  std::string head = fmt::format("{}: {}[{}]: {}", where, level, f.rule, f.message);
  std::string body;
  if (!f.statement.empty()) body += fmt::format("\n    | {}", f.statement);
  if (!f.fix.empty()) body += fmt::format("\n  fix: {}", f.fix);
  if (as_warning) {
    warn(head + body);
    return;
  }
  if (o_.quiet) return;
  end_line();
  const char *ansi = f.severity == lint::Severity::kError ? kRed : kYellow;
  write(stdout, fmt::format("{}: {}{}\n", where, paint(fmt::format("{}[{}]", level, f.rule), ansi),
                            fmt::format(": {}{}", f.message, paint(body, kDim))));
}

void Output::document(std::string_view text) {
  end_line();
  write(stdout, text);
  std::fflush(stdout);
}

void Output::warn(std::string_view text) {
  if (o_.json) {
    event("warning", {{"message", std::string(text)}}, "");
    return;
  }
  end_line();
  std::fflush(stdout);
  write(stderr, fmt::format("{} {}\n", paint("warning:", kYellow), text));
}

void Output::log(std::string_view level, std::string_view text) {
  if (level == "warn") return warn(text);
  event("log", {{"level", std::string(level)}, {"message", std::string(text)}}, fmt::format("  {}", text));
}

void Output::hook_ran(std::string_view event, std::string_view source, const Error *failure, int64_t ms,
                      bool shown_later) {
  if (o_.json) {
    Fields f = {{"hook", std::string(event)},
                {"source", std::string(source)},
                {"status", failure ? "failed" : "ok"},
                {"duration_ms", std::to_string(ms)}};
    if (failure) {
      f.emplace_back("message", failure->headline());
      if (!failure->detail.empty()) f.emplace_back("detail", failure->detail);
    }
    this->event("hook", f, "");
  } else if (!failure) {
    this->event("hook", {}, paint(fmt::format("hook {} ({}) ok ({} ms)", event, source, ms), kDim));
    return;
  }
  if (!failure) return;
  end_line();
  std::fflush(stdout);
  if (shown_later) {
    if (!o_.json) write(stderr, fmt::format("{} hook {} ({}) failed\n", paint("error:", kRed), event, source));
    return;
  }
  // An error hook's failure: shown in full now, since the run ends with the original error.
  error_text(*failure);
}

void Output::error(const Error &e) {
  end_line();
  if (o_.json) {
    Fields f = {{"message", e.message}, {"exit_code", std::to_string(static_cast<int>(e.exit))}};
    if (!e.where.empty()) f.emplace_back("where", e.where);
    if (!e.code.empty()) f.emplace_back("code", e.code);
    if (!e.sqlstate.empty()) f.emplace_back("sqlstate", e.sqlstate);
    if (!e.detail.empty()) f.emplace_back("detail", e.detail);
    if (!e.hint.empty()) f.emplace_back("hint", e.hint);
    write_json("error", f);
    std::fflush(stdout);
  }
  error_text(e);
}

void Output::error_text(const Error &e) {
  std::string text = paint("error:", kRed) + " " + e.headline() + "\n";
  auto indent = [](std::string_view block) {
    std::string out;
    size_t pos = 0;
    while (pos < block.size()) {
      size_t nl = block.find('\n', pos);
      if (nl == std::string_view::npos) nl = block.size();
      out += "  " + std::string(block.substr(pos, nl - pos)) + "\n";
      pos = nl + 1;
    }
    return out;
  };
  if (!e.detail.empty()) text += indent(e.detail);
  if (!e.traceback.empty()) text += indent(o_.verbose ? e.traceback : user_frames(e.traceback));
  if (!e.hint.empty()) text += "  " + paint("hint:", kBold) + " " + e.hint + "\n";
  std::fflush(stdout);
  write(stderr, text);
}

void Output::status_table(const Overview &ov) {
  if (o_.json) {
    for (const auto &e : ov.entries) {
      Fields f = {{"version", e.version}, {"name", e.name}, {"state", state_name(e.state)}};
      if (e.file) f.emplace_back("file", e.file->display);
      if (e.record) f.emplace_back("applied_at", e.record->applied_at);
      write_json("status", f);
    }
    return;
  }
  size_t vw = 7, nw = 4;
  for (const auto &e : ov.entries) vw = std::max(vw, e.version.size()), nw = std::max(nw, e.name.size());
  std::string table = fmt::format("{:<{}}  {:<{}}  {:<13}  {}\n", "version", vw, "name", nw, "state", "applied at");
  for (const auto &e : ov.entries) {
    const char *color = e.state == State::kApplied                                 ? kGreen
                        : e.state == State::kPending || e.state == State::kSkipped ? kYellow
                                                                                   : kRed;
    std::string state = fmt::format("{:<13}", state_name(e.state));
    table += fmt::format("{:<{}}  {:<{}}  {}  {}\n", e.version, vw, e.name, nw, paint(state, color),
                         e.record ? e.record->applied_at : "");
  }
  size_t applied = ov.with(State::kApplied).size(), pending = ov.with(State::kPending).size();
  table += fmt::format("{} applied, {} pending", applied, pending);
  for (State s : {State::kMissing, State::kChanged, State::kDirty, State::kSkipped})
    if (size_t n = ov.with(s).size()) table += fmt::format(", {} {}", n, state_name(s));
  write(stdout, table + "\n");
}

// ---- seeds ------------------------------------------------------------------------------

namespace {

std::string counts_text(const UpsertCounts &c) {
  return fmt::format("{} inserted, {} updated, {} unchanged", c.inserted, c.updated, c.unchanged);
}

// "1234567" → "1,234,567": a row count read at a glance.
std::string grouped(int64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

void Output::seed_begin(const MigrationFile &seed) {
  if (o_.json || o_.quiet) return;
  end_line();
  write(stdout, fmt::format("{} {} ... ", paint("seed", kBold), seed.name));
  std::fflush(stdout);
  line_open_ = true;
  progress_at_ = {};
}

void Output::seed_end(const MigrationFile &seed, const UpsertCounts *c, int64_t ms) {
  if (o_.json) {
    Fields f = {{"name", seed.name}, {"file", seed.display}, {"duration_ms", std::to_string(ms)}};
    if (c) {
      f.emplace_back("inserted", std::to_string(c->inserted));
      f.emplace_back("updated", std::to_string(c->updated));
      f.emplace_back("unchanged", std::to_string(c->unchanged));
    }
    event("seeded", f, "");
    return;
  }
  if (o_.quiet) return;
  progress_end();
  std::string text = c ? fmt::format("{} ({}; {} ms)", paint("done", kGreen), counts_text(*c), ms)
                       : fmt::format("{} ({} ms)", paint("done", kGreen), ms);
  if (!line_open_) text = fmt::format("seed {} {}", seed.name, text);
  write(stdout, text + "\n");
  line_open_ = false;
}

void Output::seed_skipped(const MigrationFile &seed, std::string_view why) {
  event("seed_skipped", {{"name", seed.name}, {"file", seed.display}, {"reason", std::string(why)}},
        fmt::format("skip seed {} ({})", seed.name, paint(why, kYellow)));
}

void Output::seed_failed(const MigrationFile &seed, const Error &) {
  if (o_.json) {
    event("seed_failed", {{"name", seed.name}, {"file", seed.display}}, "");
    return;
  }
  progress_end();
  if (line_open_) {
    write(stdout, paint("FAILED", kRed) + "\n");
    line_open_ = false;
  }
}

// On a terminal the transient line, redrawn at most ten times a second; otherwise (a log
// file, CI, --json) a plain line every five seconds.
void Output::progress(std::string_view what, int64_t rows, double fraction, double seconds) {
  bool redraw = o_.terminal && !o_.json;
  if (o_.quiet && !o_.json) return;
  auto now = std::chrono::steady_clock::now();
  if (progress_at_ != std::chrono::steady_clock::time_point{} &&
      now - progress_at_ < std::chrono::milliseconds(redraw ? 100 : 5000))
    return;
  progress_at_ = now;
  double rate = seconds > 0 ? static_cast<double>(rows) / seconds : 0;
  std::string eta;
  if (fraction > 0 && fraction < 1) eta = fmt::format(" · ETA {:.0f}s", seconds * (1 - fraction) / fraction);
  std::string pct = fraction >= 0 ? fmt::format(" ({:.0f}%)", fraction * 100) : "";
  std::string text =
      fmt::format("{}: {} rows{} · {} rows/s{}", what, grouped(rows), pct, grouped(static_cast<int64_t>(rate)), eta);
  if (o_.json) {
    event("progress",
          {{"what", std::string(what)},
           {"rows", std::to_string(rows)},
           {"rows_per_s", fmt::format("{:.0f}", rate)},
           {"fraction", fraction >= 0 ? fmt::format("{:.3f}", fraction) : ""}},
          "");
    return;
  }
  if (!redraw) {
    write(stdout, (line_open_ ? "\n" : "") + fmt::format("  {}\n", text));
    line_open_ = false;
    return;
  }
  progress("  " + paint(text, kDim));
}

void Output::seed_table(const std::vector<SeedStatus> &seeds) {
  if (o_.json) {
    for (const auto &s : seeds) {
      Fields f = {{"kind", "seed"}, {"name", s.name}, {"state", s.state}};
      if (s.file) f.emplace_back("file", s.file->display);
      if (!s.applied_at.empty()) f.emplace_back("applied_at", s.applied_at);
      write_json("status", f);
    }
    return;
  }
  size_t nw = 4;
  for (const auto &s : seeds) nw = std::max(nw, s.name.size());
  std::string table = fmt::format("\n{:<{}}  {:<13}  {}\n", "seed", nw, "state", "last run");
  for (const auto &s : seeds) {
    const char *color = s.state == "applied" ? kGreen : s.state == "missing" ? kRed : kYellow;
    table += fmt::format("{:<{}}  {}  {}\n", s.name, nw, paint(fmt::format("{:<13}", s.state), color), s.applied_at);
  }
  write(stdout, table);
}

}  // namespace tide
