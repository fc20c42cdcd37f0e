#include "migrate/overview.h"

#include <algorithm>
#include <thread>

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

namespace {

// Checksum every applied file and mark the ones that changed. The files are read on a
// few threads: for a project with a thousand migrations this is most of `status`.
Status check_checksums(Overview &ov) {
  std::vector<Entry *> todo;
  for (auto &e : ov.entries)
    if (e.state == State::kApplied && e.file) todo.push_back(&e);
  std::vector<Status> failed(todo.size());
  auto work = [&](size_t first, size_t stride) {
    for (size_t i = first; i < todo.size(); i += stride) {
      auto sum = file_checksum(*todo[i]->file);
      if (sum)
        todo[i]->checksum = std::move(*sum);
      else
        failed[i] = sum.status();
    }
  };
  constexpr size_t kFilesPerThread = 128;
  size_t threads = std::clamp<size_t>(todo.size() / kFilesPerThread, 1, 4);
  threads = std::min<size_t>(threads, std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work, t, threads);
  work(0, threads);
  for (auto &th : pool) th.join();
  for (size_t i = 0; i < todo.size(); ++i) {
    if (!failed[i].ok()) return failed[i];
    if (todo[i]->checksum != todo[i]->record->checksum) todo[i]->state = State::kChanged;
  }
  return {};
}

}  // namespace

Result<Overview> build_overview(const Catalog &catalog, std::vector<HistoryRecord> records) {
  std::sort(records.begin(), records.end(),
            [](const HistoryRecord &a, const HistoryRecord &b) { return compare_versions(a.version, b.version) < 0; });
  Overview ov;
  ov.records = std::move(records);
  const std::vector<HistoryRecord> &rec = ov.records;
  ov.entries.reserve(catalog.migrations.size() + rec.size());
  size_t r = 0;
  // A history row without a file.
  auto add_record_only = [&](const HistoryRecord &h) {
    Entry &e = ov.entries.emplace_back();
    e.version = h.version;
    e.name = h.name;
    e.state = h.dirty() ? State::kDirty : State::kMissing;
    e.record = &h;
  };
  // Merge the two version-ordered lists.
  for (const auto &file : catalog.migrations) {
    while (r < rec.size() && compare_versions(rec[r].version, file.version) < 0) add_record_only(rec[r++]);
    Entry &e = ov.entries.emplace_back();
    e.version = file.version;
    e.name = file.name;
    e.file = &file;
    if (r < rec.size() && compare_versions(rec[r].version, file.version) == 0) {
      e.record = &rec[r++];
      e.state = e.record->dirty() ? State::kDirty : State::kApplied;  // kApplied: checked below
    }
  }
  for (; r < rec.size(); ++r) add_record_only(rec[r]);
  for (const auto &e : ov.entries)
    if (e.record) ov.latest_applied = e.version;
  TIDE_TRY(check_checksums(ov));
  return ov;
}

}  // namespace tide
