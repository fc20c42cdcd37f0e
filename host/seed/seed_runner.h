// Running seeds (SPEC §5): in file order, each in its own transaction with its history
// row (kind = 'seed', the file's checksum), re-run only when the file changed (or with
// --force); env gates skip a seed and say why; protected environments refuse --force,
// deleting seeds and explicitly named gated-out seeds without --yes. Runs under the
// migration lock the Runner holds (Runner::locked, or after `up --seed`'s migrations),
// between the before_seed and after_seed / after_seed_error hooks when a seed runs.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "lua/state.h"
#include "migrate/history.h"
#include "migrate/hooks.h"
#include "migrate/reporter.h"
#include "migrate/runner.h"
#include "seed/row_writer.h"
#include "seed/seed.h"

namespace tide {

struct SeedOptions {
  std::vector<std::string> only;  // names or file names; empty: every seed
  bool force = false;             // run unchanged seeds too
  bool yes = false;               // confirmed for a protected environment
  bool protected_env = false;
};

// One row of `tide status`'s seed table.
struct SeedStatus {
  const MigrationFile *file = nullptr;  // null when the file is gone
  std::string name;
  std::string state;  // pending, applied, changed, skipped (env), missing
  std::string applied_at;
};

class SeedRunner : public RowSink {
 public:
  SeedRunner(Session &session, History &history, LuaState &lua, Reporter &reporter,
             const std::vector<MigrationFile> &seeds, const RunContext &context, SeedOptions options)
      : session_(session),
        history_(history),
        lua_(lua),
        reporter_(reporter),
        seeds_(seeds),
        context_(context),
        options_(std::move(options)) {}

  // Lifecycle hooks (before_seed, after_seed, after_seed_error); without this call
  // there are none. hooks must outlive the runner.
  void set_hooks(Hooks &hooks) { hooks_ = &hooks; }

  // Seed, holding the lock already.
  Status run();
  // The seeds and their states; reads only.
  Result<std::vector<SeedStatus>> status();
  // Load every seed and check its env gate (`tide validate`); every problem is listed.
  Status validate();

  // RowSink
  void written(const UpsertCounts &batch) override;
  void progress(std::string_view what, int64_t rows, double fraction, double seconds) override;
  std::string check_sql(std::string_view sql) override;

 private:
  struct Planned {
    const MigrationFile *file;
    std::unique_ptr<Seed> seed;
    std::string skip;  // why it does not run; empty: it runs
  };
  Result<std::vector<const MigrationFile *>> selected() const;
  Result<std::vector<Planned>> plan(const std::vector<const MigrationFile *> &files,
                                    const std::vector<HistoryRecord> &records);
  Status check_gate(Planned &p);
  Status run_one(Seed &seed, const HistoryRecord *previous);

  Session &session_;
  History &history_;
  LuaState &lua_;
  Reporter &reporter_;
  const std::vector<MigrationFile> &seeds_;
  const RunContext &context_;
  SeedOptions options_;
  Hooks *hooks_ = nullptr;

  // The seed running now: its counts, and when it started (progress shows after 1 s).
  const Seed *current_ = nullptr;
  UpsertCounts counts_;
  bool wrote_rows_ = false;  // db:upsert/insert/load_csv ran in this seed
  std::chrono::steady_clock::time_point started_;
};

}  // namespace tide
