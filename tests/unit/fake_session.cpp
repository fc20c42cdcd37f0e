#include "fake_session.h"

namespace tide::test {

std::vector<Dialect::Span> FakeDialect::split(std::string_view script) const {
  std::vector<Span> out;
  size_t start = 0;
  while (start < script.size()) {
    size_t semi = script.find(';', start);
    size_t end = semi == std::string_view::npos ? script.size() : semi;
    std::string_view body = script.substr(start, end - start);
    if (body.find_first_not_of(" \t\r\n") != std::string_view::npos) out.push_back({start, end - start});
    start = end + 1;
  }
  return out;
}

Status FakeSession::exec(std::string_view script) {
  for (const auto &span : dialect_.split(script)) {
    std::string stmt(script.substr(span.start, span.len));
    stmt.erase(0, stmt.find_first_not_of(" \t\r\n"));
    if (stmt == "COMMIT") {  // a migration ending tide's transaction itself
      set_tx(false);
      continue;
    }
    if (stmt.find("FAIL") != std::string::npos) {
      Error e;
      e.message = "fake failure";
      e.code = "fake error 1";
      e.statement_offset = static_cast<int64_t>(span.start);
      return e;
    }
    db_.state.executed.push_back(stmt);
  }
  return {};
}

Result<std::unique_ptr<Cursor>> FakeSession::query(std::string_view, std::span<const tide_value>) {
  Error e;
  e.message = "the fake session runs no queries";
  return e;
}

Status FakeSession::upsert(const UpsertSpec &spec, std::span<const tide_value>, size_t nrows, UpsertCounts &counts) {
  if (spec.table == "FAIL") {
    counts.failed_row = 0;
    return Status::fail(Exit::kFailed, "fake upsert failure");
  }
  db_.state.upserts.push_back(spec.table + " " + std::to_string(spec.mode) + " " + std::to_string(nrows));
  counts.inserted += static_cast<int64_t>(nrows);
  return {};
}

Status FakeSession::begin() {
  snapshot_ = db_.state;
  set_tx(true);
  return {};
}

Status FakeSession::commit() {
  set_tx(false);
  ++db_.commits;
  return {};
}

Status FakeSession::rollback() {
  if (in_tx_) db_.state = snapshot_;
  set_tx(false);
  return {};
}

Status FakeSession::lock(std::string_view, int64_t) {
  if (!db_.locked_by_other) return {};
  Error e;
  e.exit = Exit::kLocked;
  e.message = "held by another process";
  return e;
}

Status FakeSession::dump(const DumpWriter &write) {
  for (const std::string &statement : db_.state.executed)
    if (!write(statement + ";\n")) return Status::fail(Exit::kFailed, "dump: the writer failed");
  return {};
}

Result<std::vector<HistoryRecord>> FakeHistory::load(const std::string &kind) {
  std::vector<HistoryRecord> out;
  for (const auto &[v, r] : db_.state.history)
    if (r.kind == kind) out.push_back(r);
  return out;
}

Status FakeHistory::insert(const HistoryRecord &r) {
  if (db_.state.history.count(r.version)) return Status::fail(Exit::kFailed, "duplicate history row " + r.version);
  if (!db_.in_tx) ++db_.autocommits;
  db_.state.history[r.version] = r;
  return {};
}

Status FakeHistory::update(const HistoryRecord &r) {
  if (!db_.in_tx) ++db_.autocommits;
  db_.state.history[r.version] = r;
  return {};
}

Status FakeHistory::remove(const std::string &, const std::string &version) {
  if (!db_.in_tx) ++db_.autocommits;
  db_.state.history.erase(version);
  return {};
}

void RecordingReporter::migration_begin(const MigrationFile &f, Direction d) {
  lines.push_back((d == Direction::kUp ? "begin up " : "begin down ") + f.version);
}
void RecordingReporter::migration_end(const MigrationFile &f, Direction d, int64_t) {
  lines.push_back((d == Direction::kUp ? "end up " : "end down ") + f.version);
}
void RecordingReporter::migration_skipped(const MigrationFile &f, std::string_view) {
  lines.push_back("skip " + f.version);
}
void RecordingReporter::migration_failed(const MigrationFile &f, Direction, const Error &) {
  lines.push_back("fail " + f.version);
}

}  // namespace tide::test
