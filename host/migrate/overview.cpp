#include "migrate/overview.h"

#include <algorithm>
#include <optional>
#include <thread>
#include <utility>

#include "migrate/migration.h"

namespace tide {

const char *state_name(State s) {
  switch (s) {
    case State::kApplied:
      return "applied";
    case State::kPending:
      return "pending";
    case State::kMissing:
      return "missing";
    case State::kChanged:
      return "changed";
    case State::kDirty:
      return "dirty";
    case State::kSkipped:
      return "skipped (env)";
  }
  return "?";
}

std::vector<const Entry *> Overview::with(State s) const {
  std::vector<const Entry *> out;
  for (const auto &e : entries)
    if (e.state == s) out.push_back(&e);
  return out;
}

std::vector<const Entry *> Overview::out_of_order() const {
  std::vector<const Entry *> out;
  if (latest_applied.empty()) return out;
  for (const auto &e : entries)
    if (e.state == State::kPending && compare_versions(e.version, latest_applied) < 0) out.push_back(&e);
  return out;
}

ChecksumReader::ChecksumReader(std::vector<const MigrationFile *> files)
    : files_(std::move(files)), sums_(files_.size(), std::string()) {
  auto work = [this](size_t first, size_t stride) {
    for (size_t i = first; i < files_.size(); i += stride) sums_[i] = file_checksum(*files_[i]);
  };
  constexpr size_t kFilesPerThread = 128;
  size_t threads = std::clamp<size_t>(files_.size() / kFilesPerThread, 1, 4);
  threads = std::min<size_t>(threads, std::max(1u, std::thread::hardware_concurrency()));
  for (size_t t = 0; t < threads; ++t) threads_.emplace_back(work, t, threads);
}

namespace {

std::vector<const MigrationFile *> all_files(const Catalog &catalog) {
  std::vector<const MigrationFile *> files;
  files.reserve(catalog.migrations.size());
  for (const auto &f : catalog.migrations) files.push_back(&f);
  return files;
}

}  // namespace

ChecksumReader::ChecksumReader(const Catalog &catalog) : ChecksumReader(all_files(catalog)) {}

void ChecksumReader::wait() {
  for (auto &t : threads_) t.join();
  threads_.clear();
}

Result<std::string> ChecksumReader::get(const MigrationFile &file) {
  wait();
  // files_ is in catalog order: found by version, without a map.
  auto it = std::lower_bound(files_.begin(), files_.end(), &file, [](const MigrationFile *a, const MigrationFile *b) {
    return compare_versions(a->version, b->version) < 0;
  });
  if (it == files_.end() || *it != &file) return file_checksum(file);  // not one of ours: read it now
  return sums_[static_cast<size_t>(it - files_.begin())];
}

namespace {

// Mark the applied files whose checksum changed.
Status check_checksums(Overview &ov, ChecksumReader *sums) {
  std::optional<ChecksumReader> own;
  if (!sums) {
    std::vector<const MigrationFile *> applied;
    for (const auto &e : ov.entries)
      if (e.state == State::kApplied && e.file) applied.push_back(e.file);
    sums = &own.emplace(std::move(applied));
  }
  for (auto &e : ov.entries) {
    if (e.state != State::kApplied || !e.file) continue;
    auto sum = sums->get(*e.file);
    if (!sum) return sum.status();
    e.checksum = std::move(*sum);
    if (e.checksum != e.record->checksum) e.state = State::kChanged;
  }
  return {};
}

}  // namespace

Result<Overview> build_overview(const Catalog &catalog, std::vector<HistoryRecord> records, ChecksumReader *sums) {
  std::sort(records.begin(), records.end(),
            [](const HistoryRecord &a, const HistoryRecord &b) { return compare_versions(a.version, b.version) < 0; });
  Overview ov;
  size_t r = 0;
  // Merge the two version-ordered lists.
  for (const auto &file : catalog.migrations) {
    while (r < records.size() && compare_versions(records[r].version, file.version) < 0) {
      Entry e;
      e.version = records[r].version;
      e.name = records[r].name;
      e.state = records[r].dirty() ? State::kDirty : State::kMissing;
      e.record = std::move(records[r++]);
      ov.entries.push_back(std::move(e));
    }
    Entry e;
    e.version = file.version;
    e.name = file.name;
    e.file = &file;
    if (r < records.size() && compare_versions(records[r].version, file.version) == 0) {
      e.record = std::move(records[r++]);
      e.state = e.record->dirty() ? State::kDirty : State::kApplied;  // kApplied: checked below
    }
    ov.entries.push_back(std::move(e));
  }
  for (; r < records.size(); ++r) {
    Entry e;
    e.version = records[r].version;
    e.name = records[r].name;
    e.state = records[r].dirty() ? State::kDirty : State::kMissing;
    e.record = std::move(records[r]);
    ov.entries.push_back(std::move(e));
  }
  for (const auto &e : ov.entries)
    if (e.record) ov.latest_applied = e.version;
  TIDE_TRY(check_checksums(ov, sums));
  return ov;
}

}  // namespace tide
