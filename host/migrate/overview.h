// The overview: every migration known to the files or the history, with its state
// (SPEC §3 `status`). Built from one history query and the catalog; checksums are read
// one file at a time.
#pragma once

#include <string>
#include <vector>

#include "migrate/catalog.h"
#include "migrate/history.h"

namespace tide {

// kSkipped: pending, but its env gate excludes this run's environment.
enum class State { kApplied, kPending, kMissing, kChanged, kDirty, kSkipped };
const char *state_name(State s);

struct Entry {
  std::string version;
  std::string name;
  const MigrationFile *file = nullptr;    // null when the file is missing
  const HistoryRecord *record = nullptr;  // in Overview::records; null when never applied
  State state = State::kPending;
  std::string checksum;  // the file's current checksum, for applied files
};

// Move-only: entries point into records.
struct Overview {
  Overview() = default;
  Overview(Overview &&) = default;
  Overview &operator=(Overview &&) = default;
  Overview(const Overview &) = delete;
  Overview &operator=(const Overview &) = delete;

  std::vector<HistoryRecord> records;  // the history rows, by version
  std::vector<Entry> entries;          // by version
  std::string latest_applied;          // highest applied or dirty version, empty when none

  std::vector<const Entry *> with(State s) const;
  // Pending migrations older than the latest applied one.
  std::vector<const Entry *> out_of_order() const;
};

Result<Overview> build_overview(const Catalog &catalog, std::vector<HistoryRecord> records);

}  // namespace tide
