#include "cli/output.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

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
    bool numeric = !v.empty() && v.find_first_not_of("0123456789") == std::string::npos && v.size() < 16 &&
                   (k == "duration_ms" || k == "exit_code" || k == "line" || k == "count" || k == "attempt" ||
                    k == "attempts" || k == "bytes");
    out += numeric ? v : json_quote(mask(v));
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

void Output::run_header(const std::string &environment, const std::string &redacted_url) {
  event("run", {{"environment", environment}, {"database", redacted_url}},
        paint(fmt::format("tide: environment {} · database {}", environment, redacted_url), kDim));
}

void Output::progress(std::string_view text) {
  if (o_.json || o_.quiet || !o_.terminal) return;
  write(stdout, fmt::format("\r{}\033[K", text));
  std::fflush(stdout);
  line_open_ = !text.empty();
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

}  // namespace tide
