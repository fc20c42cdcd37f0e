// An in-memory database for the runner's unit tests (ninja's VirtualFileSystem idea):
// statements are recorded, not interpreted; a statement containing "FAIL" fails; a
// transaction snapshots the state and rollback restores it, history included, so the
// tests see exactly what a real transactional database would keep.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "migrate/history.h"
#include "migrate/reporter.h"
#include "plugin/session.h"

namespace tide::test {

struct FakeState {
  std::vector<std::string> executed;  // committed (or autocommitted) statements
  std::map<std::string, HistoryRecord> history;
  std::vector<std::string> upserts;  // "table mode nrows" per upsert call
};

struct FakeDb {
  FakeState state;
  bool transactional_ddl = true;
  bool locked_by_other = false;
  int commits = 0;
  bool in_tx = false;   // as FakeSession sees it, for FakeHistory
  int autocommits = 0;  // history writes outside a transaction: each one a commit of its own
};

class FakeDialect : public Dialect {
 public:
  explicit FakeDialect(const FakeDb &db) : db_(db) {}
  std::string name() const override { return "fake"; }
  uint32_t capabilities() const override {
    return db_.transactional_ddl ? TIDE_CAP_TRANSACTIONAL_DDL | TIDE_CAP_SAVEPOINTS : 0;
  }
  int param_style() const override { return TIDE_PARAM_QMARK; }
  std::string history_ddl() const override { return "CREATE HISTORY {table}"; }
  std::string quote_ident(std::string_view s) const override { return "\"" + std::string(s) + "\""; }
  std::vector<Span> split(std::string_view script) const override;

 private:
  const FakeDb &db_;
};

class FakeSession : public Session {
 public:
  explicit FakeSession(FakeDb &db) : db_(db), dialect_(db) {}
  const Dialect &dialect() const override { return dialect_; }
  std::string server_version() override { return "fake 1.0"; }
  Status exec(std::string_view script) override;
  Result<std::unique_ptr<Cursor>> query(std::string_view sql, std::span<const tide_value> params) override;
  Status begin() override;
  Status commit() override;
  Status rollback() override;
  bool in_transaction() override { return in_tx_; }
  void set_tx(bool on) { in_tx_ = db_.in_tx = on; }
  Status lock(std::string_view key, int64_t timeout_ms) override;
  Status unlock(std::string_view) override { return {}; }
  Status dump(const DumpWriter &write) override;  // the committed statements, one per line
  // Records the call; every row counts as inserted. A table named "FAIL" fails at row 0.
  Status upsert(const UpsertSpec &spec, std::span<const tide_value> values, size_t nrows,
                UpsertCounts &counts) override;

 private:
  FakeDb &db_;
  FakeDialect dialect_;
  bool in_tx_ = false;
  FakeState snapshot_;
};

class FakeHistory : public History {
 public:
  explicit FakeHistory(FakeDb &db) : db_(db) {}
  Status ensure() override { return {}; }
  Result<std::vector<HistoryRecord>> load(const std::string &kind) override;
  Status insert(const HistoryRecord &r) override;
  Status update(const HistoryRecord &r) override;
  Status remove(const std::string &kind, const std::string &version) override;

 private:
  FakeDb &db_;
};

// Records what the runner reports, one line per call.
class RecordingReporter : public Reporter {
 public:
  std::vector<std::string> lines;
  void migration_begin(const MigrationFile &f, Direction d) override;
  void migration_end(const MigrationFile &f, Direction d, int64_t) override;
  void migration_skipped(const MigrationFile &f, std::string_view why) override;
  void migration_failed(const MigrationFile &f, Direction d, const Error &) override;
  void note(std::string_view event, std::string_view) override { lines.push_back(std::string(event)); }
  void warn(std::string_view text) override { lines.push_back("warn " + std::string(text)); }
  void log(std::string_view, std::string_view text) override { lines.push_back("log " + std::string(text)); }
};

}  // namespace tide::test
