// Everything tide prints goes through Output: text for people (colour on a terminal
// unless --no-color / NO_COLOR), or one JSON object per event on stdout (--json), and
// errors formatted in one place, subject first (mold's Fatal/Error/Warn). Being the one
// place that prints, it is also where secrets (the database password) are masked.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lint/lint.h"
#include "migrate/overview.h"
#include "migrate/reporter.h"
#include "util/status.h"

namespace tide {

struct OutputOptions {
  bool json = false;
  bool quiet = false;
  bool verbose = false;
  bool color = false;
  bool terminal = false;  // stdout is a terminal: progress() may rewrite its line
};

struct SeedStatus;
struct MigrationPlan;

class Output : public Reporter {
 public:
  explicit Output(OutputOptions options) : o_(options) {}
  ~Output() override { end_line(); }

  using Fields = std::vector<std::pair<std::string, std::string>>;

  // A JSON event with string fields, or the text line in text mode.
  void event(std::string_view name, const Fields &fields, std::string_view text);
  void info(std::string_view text) { event("info", {{"message", std::string(text)}}, text); }
  void error(const Error &e);
  // as_sql_comment: the line starts with "-- " (tide plan's output is SQL to read or keep).
  void run_header(const std::string &environment, const std::string &redacted_url, bool as_sql_comment = false);
  // The one transient line: on a terminal in text mode, text drawn in place over the
  // current line (nothing otherwise), erased by progress_end() and before anything else
  // is printed. `tide wait` shows its attempts with it; the Reporter's progress() below
  // (seeds' rows) formats, throttles and draws through it.
  void progress(std::string_view text);
  void status_table(const Overview &ov);
  void seed_table(const std::vector<SeedStatus> &seeds);
  // One lint finding (SPEC §7): "file:line:col: error[rule]: message", the statement and
  // the fix; a "lint" event with --json. as_warning: shown as a warning on stderr instead
  // (tide up outside protected environments).
  void lint_finding(const lint::Finding &f, bool as_warning = false);
  // A whole document for stdout (lint --format json|sarif): written even with --quiet,
  // masked like everything else.
  void document(std::string_view text);

  // Reporter
  void migration_begin(const MigrationFile &file, Direction dir) override;
  void migration_end(const MigrationFile &file, Direction dir, int64_t duration_ms) override;
  void migration_skipped(const MigrationFile &file, std::string_view why) override;
  void migration_failed(const MigrationFile &file, Direction dir, const Error &error) override;
  void note(std::string_view event, std::string_view text) override;
  void warn(std::string_view text) override;
  void log(std::string_view level, std::string_view text) override;
  void seed_begin(const MigrationFile &seed) override;
  void seed_end(const MigrationFile &seed, const UpsertCounts *rows, int64_t duration_ms) override;
  void seed_skipped(const MigrationFile &seed, std::string_view why) override;
  void seed_failed(const MigrationFile &seed, const Error &error) override;
  void progress(std::string_view what, int64_t rows, double fraction, double seconds) override;
  void progress_end() override;
  void hook_ran(std::string_view event, std::string_view source, const Error *failure, int64_t duration_ms,
                bool shown_later) override;
  // up --dry-run and tide plan (output_plan.cpp).
  void rehearsal_begin(const MigrationFile &file) override;
  void rehearsal_statement(std::string_view where, std::string_view sql, int64_t duration_us) override;
  void rehearsal_end(const MigrationFile &file, int64_t duration_ms) override;
  // One migration's plan: text that reads as SQL (positions and modes in comments), or
  // a "plan" event followed by one "plan_statement" event per statement.
  void migration_plan(const MigrationPlan &plan);

  const OutputOptions &options() const { return o_; }

  // From now on every occurrence of s in anything printed becomes "***". Secrets shorter
  // than 3 characters are ignored: masking "a" would mask every message.
  void add_secret(std::string s);

 private:
  std::string paint(std::string_view text, const char *ansi) const;
  std::string mask(std::string_view text) const;
  // One JSON line; the values are masked, the keys and the syntax never are.
  std::string json_object(std::string_view event, const Fields &fields) const;
  void write(std::FILE *stream, std::string_view text) const;  // masked
  void write_json(std::string_view event, const Fields &fields) const;
  void end_line();
  void error_text(const Error &e);  // the stderr block of an error
  OutputOptions o_;
  std::vector<std::string> secrets_;
  bool line_open_ = false;                             // a "migrating ..." line waits for its result
  bool progress_shown_ = false;                        // a transient line is on the terminal
  std::chrono::steady_clock::time_point progress_at_;  // when row progress was last shown
};

}  // namespace tide
