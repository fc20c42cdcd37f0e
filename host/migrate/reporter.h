// What the runner tells the user as it works. The CLI implements it as text or as one
// JSON object per event (--json); the runner's tests record the calls.
#pragma once

#include <cstdint>
#include <string_view>

#include "migrate/catalog.h"
#include "migrate/migration.h"
#include "util/status.h"

namespace tide {

class Reporter {
 public:
  virtual ~Reporter() = default;
  virtual void migration_begin(const MigrationFile &file, Direction dir) = 0;
  virtual void migration_end(const MigrationFile &file, Direction dir, int64_t duration_ms) = 0;
  virtual void migration_skipped(const MigrationFile &file, std::string_view why) = 0;
  virtual void migration_failed(const MigrationFile &file, Direction dir, const Error &error) = 0;
  // A one-off event: `event` names it for JSON ("lock_wait", "up_to_date"), text is
  // what a person reads.
  virtual void note(std::string_view event, std::string_view text) = 0;
  virtual void warn(std::string_view text) = 0;
  virtual void log(std::string_view level, std::string_view text) = 0;

  // Seeds (seed/seed_runner). A seed's file is a MigrationFile whose version and name
  // are the seed's name. Empty defaults keep test reporters small.
  virtual void seed_begin(const MigrationFile &) {}
  // rows: what db:upsert/insert/load_csv wrote, null when the seed used none of them.
  virtual void seed_end(const MigrationFile &, const UpsertCounts * /*rows*/, int64_t /*duration_ms*/) {}
  virtual void seed_skipped(const MigrationFile &, std::string_view /*why*/) {}
  virtual void seed_failed(const MigrationFile &, const Error &) {}
  // Rows written so far by one db:upsert/insert/load_csv call (what: the table or the
  // CSV file), the fraction done (negative: unknown) and the seconds it has taken; sent
  // once the seed has run for a second. The reporter decides how often to show it.
  virtual void progress(std::string_view /*what*/, int64_t /*rows*/, double /*fraction*/, double /*seconds*/) {}
  virtual void progress_end() {}
  // up --dry-run (runner_dry_run.cpp): a migration rehearsed inside the transaction that
  // is rolled back at the end, each statement it ran (where: "file:line"; sql: as cut by
  // the splitter) with its time, and the migration's end. Empty defaults keep test
  // reporters small.
  virtual void rehearsal_begin(const MigrationFile &) {}
  virtual void rehearsal_statement(std::string_view /*where*/, std::string_view /*sql*/, int64_t /*duration_us*/) {}
  virtual void rehearsal_end(const MigrationFile &, int64_t /*duration_ms*/) {}
  // A lifecycle hook ran (SPEC §6): event, where it is written ("tide.lua",
  // "hooks/before_migrate.sql"), and its failure or null. `shown_later`: the failure is
  // the run's own error, printed at the end, so it need not be shown in full here.
  virtual void hook_ran(std::string_view event, std::string_view source, const Error *failure, int64_t duration_ms,
                        bool shown_later) {
    (void)duration_ms;
    (void)shown_later;
    note("hook", std::string(event) + " " + std::string(source) + (failure ? " failed" : " ok"));
  }
};

}  // namespace tide
