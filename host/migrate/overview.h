// The overview: every migration known to the files or the history, with its state
// (SPEC §3 `status`). Built from one history query and the catalog; the applied files'
// checksums are read on a few threads, while the history query waits on the server.
#pragma once

#include <optional>
#include <string>
#include <thread>
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
  const MigrationFile *file = nullptr;  // null when the file is missing
  std::optional<HistoryRecord> record;  // empty when never applied
  State state = State::kPending;
  std::string checksum;  // the file's current checksum, for applied files
};

struct Overview {
  std::vector<Entry> entries;  // by version
  std::string latest_applied;  // highest applied or dirty version, empty when none

  std::vector<const Entry *> with(State s) const;
  // Pending migrations older than the latest applied one.
  std::vector<const Entry *> out_of_order() const;
};

// Checksums of files, read on up to four threads from construction on, so a caller can
// wait on the server meanwhile. Joins its threads on destruction.
class ChecksumReader {
 public:
  explicit ChecksumReader(std::vector<const MigrationFile *> files);
  // Every file of the catalog: which ones are applied is only known once the history
  // is read, and reading them all costs less than waiting to know.
  explicit ChecksumReader(const Catalog &catalog);
  ChecksumReader(const ChecksumReader &) = delete;
  ChecksumReader &operator=(const ChecksumReader &) = delete;
  ~ChecksumReader() { wait(); }

  // The checksum of file (one given to the constructor), after the threads are done.
  Result<std::string> get(const MigrationFile &file);

 private:
  void wait();

  std::vector<const MigrationFile *> files_;
  std::vector<Result<std::string>> sums_;
  std::vector<std::thread> threads_;
};

// sums: a reader started earlier over (at least) the applied files, or null to read
// them here.
Result<Overview> build_overview(const Catalog &catalog, std::vector<HistoryRecord> records,
                                ChecksumReader *sums = nullptr);

}  // namespace tide
