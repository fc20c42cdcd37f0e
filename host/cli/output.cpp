#include "cli/output.h"

#include <fmt/format.h>

#include <cstdio>

#include "util/text.h"

namespace tide {

namespace {

constexpr const char *kGreen = "32", *kRed = "31", *kYellow = "33", *kDim = "2", *kBold = "1";

const char *dir_name(Direction d) { return d == Direction::kUp ? "up" : "down"; }

std::string json_object(std::string_view event, const Output::Fields &fields) {
  std::string out = "{\"event\":" + json_quote(event);
  for (const auto &[k, v] : fields) {
    out += ',';
    out += json_quote(k);
    out += ':';
    // Numbers stay numbers; everything else is a string.
    bool numeric = !v.empty() && v.find_first_not_of("0123456789") == std::string::npos && v.size() < 16 &&
                   (k == "duration_ms" || k == "exit_code" || k == "line" || k == "count");
    out += numeric ? v : json_quote(v);
  }
  return out + "}";
}

}  // namespace

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
    std::puts(json_object(name, fields).c_str());
    std::fflush(stdout);
    return;
  }
  if (o_.quiet) return;
  end_line();
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fputc('\n', stdout);
}

void Output::run_header(const std::string &environment, const std::string &redacted_url) {
  event("run", {{"environment", environment}, {"database", redacted_url}},
        paint(fmt::format("tide: environment {} · database {}", environment, redacted_url), kDim));
}

void Output::migration_begin(const MigrationFile &file, Direction dir) {
  if (o_.json || o_.quiet) return;
  end_line();
  std::string text = fmt::format("{} {} {} ... ", paint(dir_name(dir), kBold), file.version, file.name);
  std::fwrite(text.data(), 1, text.size(), stdout);
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
  std::puts(text.c_str());
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
    std::puts(paint("FAILED", kRed).c_str());
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
  std::fprintf(stderr, "%s %.*s\n", paint("warning:", kYellow).c_str(), static_cast<int>(text.size()), text.data());
}

void Output::log(std::string_view level, std::string_view text) {
  if (level == "warn") return warn(text);
  event("log", {{"level", std::string(level)}, {"message", std::string(text)}}, fmt::format("  {}", text));
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
    std::puts(json_object("error", f).c_str());
    std::fflush(stdout);
  }
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
  if (!e.traceback.empty()) text += indent(e.traceback);
  if (!e.hint.empty()) text += "  " + paint("hint:", kBold) + " " + e.hint + "\n";
  std::fflush(stdout);
  std::fputs(text.c_str(), stderr);
}

void Output::status_table(const Overview &ov) {
  if (o_.json) {
    for (const auto &e : ov.entries) {
      Fields f = {{"version", e.version}, {"name", e.name}, {"state", state_name(e.state)}};
      if (e.file) f.emplace_back("file", e.file->display);
      if (e.record) f.emplace_back("applied_at", e.record->applied_at);
      std::puts(json_object("status", f).c_str());
    }
    return;
  }
  size_t vw = 7, nw = 4;
  for (const auto &e : ov.entries) vw = std::max(vw, e.version.size()), nw = std::max(nw, e.name.size());
  std::printf("%-*s  %-*s  %-13s  %s\n", static_cast<int>(vw), "version", static_cast<int>(nw), "name", "state",
              "applied at");
  for (const auto &e : ov.entries) {
    const char *color = e.state == State::kApplied                                 ? kGreen
                        : e.state == State::kPending || e.state == State::kSkipped ? kYellow
                                                                                   : kRed;
    std::string state = fmt::format("{:<13}", state_name(e.state));
    std::printf("%-*s  %-*s  %s  %s\n", static_cast<int>(vw), e.version.c_str(), static_cast<int>(nw), e.name.c_str(),
                paint(state, color).c_str(), e.record ? e.record->applied_at.c_str() : "");
  }
  size_t applied = ov.with(State::kApplied).size(), pending = ov.with(State::kPending).size();
  std::printf("%zu applied, %zu pending", applied, pending);
  for (State s : {State::kMissing, State::kChanged, State::kDirty, State::kSkipped})
    if (size_t n = ov.with(s).size()) std::printf(", %zu %s", n, state_name(s));
  std::printf("\n");
}

}  // namespace tide
