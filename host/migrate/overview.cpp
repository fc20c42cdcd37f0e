#include "migrate/overview.h"

#include <algorithm>

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

Result<Overview> build_overview(const Catalog &catalog, std::vector<HistoryRecord> records) {
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
      if (e.record->dirty()) {
        e.state = State::kDirty;
      } else {
        auto sum = file_checksum(file);
        if (!sum) return sum.status();
        e.checksum = *sum;
        e.state = e.checksum == e.record->checksum ? State::kApplied : State::kChanged;
      }
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
  return ov;
}

}  // namespace tide
