#include "cli/dump.h"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>

#include "migrate/catalog.h"
#include "migrate/history.h"
#include "util/atomic_file.h"

namespace tide {

namespace {

constexpr const char *kElsewhere = "write the schema elsewhere with -o FILE, or to standard output with -o -";

// The newest applied migration, when the history table exists: the dump ends with a
// comment saying how to record it after loading the schema elsewhere (Rails and dbmate
// put their versions in the dump for the same reason).
std::string baseline_note(Session &session, const Config &config) {
  SqlHistory history(session, config.history_table);
  auto records = history.load(kKindMigration);
  if (!records) return "";  // no history table yet: a database tide has not managed
  std::string newest;
  for (const HistoryRecord &r : *records)
    if (!r.dirty() && (newest.empty() || compare_versions(r.version, newest) > 0)) newest = r.version;
  if (newest.empty()) return "";
  return fmt::format(
      "\n-- tide: this schema includes the migrations up to {0}. After loading it into an empty\n"
      "-- database, run `tide baseline {0}` to record them as applied.\n",
      newest);
}

Status dump_to_stdout(Session &session, const Config &config) {
  auto write = [](std::string_view piece) {
    return std::fwrite(piece.data(), 1, piece.size(), stdout) == piece.size();
  };
  Status s = session.dump(write);
  if (s.ok()) write(baseline_note(session, config));
  if (std::fflush(stdout) != 0 || std::ferror(stdout))
    return Status::fail(Exit::kFailed, "dump: cannot write to standard output");
  return s;
}

}  // namespace

Status dump_command(const std::string &output, const Config &config, Session &session, Output &out) {
  const std::string target = output.empty() ? "schema.sql" : output;  // SPEC §3
  if (target == "-") return dump_to_stdout(session, config);
  // Like the SQLite driver's database files: a missing folder is made (db/structure.sql).
  // A folder that cannot be made is named, not reported as the file it would have held.
  std::error_code ec;
  if (auto dir = std::filesystem::path(target).parent_path(); !dir.empty() && !std::filesystem::is_directory(dir, ec)) {
    std::filesystem::create_directories(dir, ec);
    if (ec)
      return Status::fail(Exit::kFailed,
                          fmt::format("{}: cannot create the folder {}: {}", target, dir.string(), ec.message()),
                          kElsewhere);
  }
  auto file = AtomicFile::create(target);
  if (!file) {
    Status s = file.status();
    s.error().hint = kElsewhere;
    return s;
  }
  AtomicFile &f = **file;
  Status s = session.dump([&](std::string_view piece) { return f.write(piece); });
  // A failed write stops the driver with a generic "writer failed": our error says why.
  if (!f.error().ok()) return f.error();
  if (!s.ok()) {
    if (s.error().hint.empty()) s.error().hint = fmt::format("{} was left as it was", target);
    return s;
  }
  f.write(baseline_note(session, config));
  TIDE_TRY(f.commit());
  out.event("dumped", {{"file", target}, {"bytes", std::to_string(f.bytes())}},
            fmt::format("wrote the {} schema to {} ({} bytes)", session.dialect().name(), target, f.bytes()));
  return {};
}

}  // namespace tide
