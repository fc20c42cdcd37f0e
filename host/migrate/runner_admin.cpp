// The runner's commands that inspect or correct the history rather than migrate:
// status, validate, baseline, repair and resolve.
#include <fmt/format.h>

#include <algorithm>

#include "migrate/runner.h"
#include "util/text.h"

namespace tide {

Result<Overview> Runner::status() {
  auto ov = load_overview_for_reading();
  if (!ov) return ov;
  // Say which pending migrations this environment's gates skip, so they do not count as
  // pending forever. A file that does not load stays pending, with a warning.
  for (auto &e : ov->entries) {
    if (e.state != State::kPending) continue;
    auto m = load(*e.file);
    auto skip = m ? gated_out(**m) : Result<bool>(m.error());
    if (!skip)
      reporter_.warn(skip.error().headline());
    else if (*skip)
      e.state = State::kSkipped;
  }
  return ov;
}

Status Runner::validate() {
  auto ov = load_overview_for_reading();
  if (!ov) return ov.status();
  // Every problem, each with its own way out.
  std::vector<Error> problems;
  auto problem = [&](Error e) { problems.push_back(std::move(e)); };
  for (const auto &file : catalog_.migrations) {
    auto m = load(file);
    if (!m) {
      problem(m.error());
      continue;
    }
    if (!(*m)->has_down() && !(*m)->irreversible()) {
      Error e;
      e.where = file.display;
      e.message = "no down, and not marked irreversible";
      e.hint = "write a down, or mark it irreversible (`irreversible = true`, `-- tide:irreversible`)";
      problem(std::move(e));
    }
    if (auto gate = gated_out(**m); !gate) problem(gate.error());
  }
  if (Status s = check_clean(*ov, false); !s.ok()) problem(s.error());
  if (problems.empty()) {
    reporter_.note("valid", fmt::format("{} migration(s) valid", catalog_.migrations.size()));
    return {};
  }
  Error out;
  out.exit = Exit::kInvalid;
  out.message = fmt::format("validation failed ({} problem(s))", problems.size());
  for (const Error &e : problems) {
    out.detail += (out.detail.empty() ? "" : "\n") + e.headline();
    if (!e.hint.empty()) out.detail += "\n  way out: " + e.hint;
  }
  return out;
}

Status Runner::baseline(const std::string &version) {
  return locked([&]() -> Status {
    auto records = history_.load(kKindMigration);
    if (!records) return records.status();
    if (!records->empty())
      return Status::fail(Exit::kInvalid,
                          fmt::format("cannot baseline: the history already records {} migration(s)", records->size()),
                          "baseline is for a database that tide has not managed yet");
    std::vector<const MigrationFile *> files;
    for (const auto &f : catalog_.migrations)
      if (compare_versions(f.version, version) <= 0) files.push_back(&f);
    if (files.empty())
      return Status::fail(Exit::kUsage, fmt::format("baseline {}: no migration at or below that version", version));
    TIDE_TRY(session_.begin());
    for (const MigrationFile *f : files) {
      auto sum = file_checksum(*f);
      if (!sum) return sum.status();
      HistoryRecord r;
      r.version = f->version;
      r.name = f->name;
      r.checksum = *sum;
      r.applied_at = utc_now();
      r.applied_by = context_.applied_by;
      r.environment = context_.environment;
      r.tide_version = context_.tide_version;
      TIDE_TRY(history_.insert(r));
    }
    TIDE_TRY(session_.commit());
    reporter_.note("baseline", fmt::format("marked {} migration(s) up to {} as applied", files.size(), version));
    return {};
  });
}

Status Runner::repair() {
  return locked([&]() -> Status {
    auto ov = load_overview();
    if (!ov) return ov.status();
    int fixed = 0;
    TIDE_TRY(session_.begin());
    for (const auto &e : ov->entries) {
      if (e.state == State::kDirty || e.state == State::kMissing) {
        TIDE_TRY(history_.remove(kKindMigration, e.version));
        reporter_.note("repair",
                       fmt::format("{} {}: removed its {} history record", e.version, e.name, state_name(e.state)));
        ++fixed;
      } else if (e.state == State::kChanged) {
        HistoryRecord r = *e.record;
        r.checksum = e.checksum;
        TIDE_TRY(history_.update(r));
        reporter_.note("repair", fmt::format("{} {}: accepted the file's new checksum", e.version, e.name));
        ++fixed;
      }
    }
    TIDE_TRY(session_.commit());
    if (fixed == 0) reporter_.note("repair", "nothing to repair");
    return {};
  });
}

Status Runner::resolve(const std::string &version, bool applied) {
  return locked([&]() -> Status {
    auto ov = load_overview();
    if (!ov) return ov.status();
    auto it = std::find_if(ov->entries.begin(), ov->entries.end(),
                           [&](const Entry &e) { return compare_versions(e.version, version) == 0; });
    if (it == ov->entries.end() || it->state != State::kDirty)
      return Status::fail(Exit::kUsage, fmt::format("resolve {}: that migration is not dirty", version),
                          "`tide status` shows which migrations are dirty");
    if (!applied) {
      TIDE_TRY(history_.remove(kKindMigration, it->version));
      reporter_.note("resolve",
                     fmt::format("{} {}: marked rolled back; `tide up` runs it again", it->version, it->name));
      return {};
    }
    HistoryRecord r = *it->record;
    r.status = kStatusApplied;
    r.error.clear();
    if (it->file) {
      auto sum = file_checksum(*it->file);
      if (!sum) return sum.status();
      r.checksum = *sum;
    }
    TIDE_TRY(history_.update(r));
    reporter_.note("resolve", fmt::format("{} {}: marked applied", it->version, it->name));
    return {};
  });
}

}  // namespace tide
