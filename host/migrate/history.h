// The history table (SPEC §4): what has been applied, with checksums and dirty marks.
// History is an interface so the runner's unit tests can keep it in memory beside a fake
// Session; SqlHistory is the real one, written through the driver's dialect.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "plugin/session.h"
#include "util/status.h"

namespace tide {

inline constexpr const char *kStatusApplied = "applied";
inline constexpr const char *kStatusDirty = "dirty";
inline constexpr const char *kKindMigration = "migration";

struct HistoryRecord {
  std::string kind = kKindMigration;
  std::string version;
  std::string name;
  std::string checksum;
  std::string status = kStatusApplied;
  std::string applied_at;
  int64_t duration_ms = 0;
  std::string applied_by;
  std::string environment;
  std::string tide_version;
  std::string error;  // for dirty rows: the failing statement and the database's message

  bool dirty() const { return status == kStatusDirty; }
};

// Whether e says the table queried does not exist: SQLSTATE 42P01 (PostgreSQL), 42S02
// (MySQL), SQLite's "no such table". Reading a history that is not there yet (tide plan
// on a new database) is then an empty history, without creating it.
bool is_missing_table(const Error &e);

class History {
 public:
  virtual ~History() = default;
  virtual Status ensure() = 0;                                                   // create when missing
  virtual Result<std::vector<HistoryRecord>> load(const std::string &kind) = 0;  // one query
  virtual Status insert(const HistoryRecord &r) = 0;
  virtual Status update(const HistoryRecord &r) = 0;  // by (kind, version)
  virtual Status remove(const std::string &kind, const std::string &version) = 0;
  // insert() / remove(), then commit session's open transaction with it.
  virtual Status insert_then_commit(const HistoryRecord &r, Session &session) {
    TIDE_TRY(insert(r));
    return session.commit();
  }
  virtual Status remove_then_commit(const std::string &kind, const std::string &version, Session &session) {
    TIDE_TRY(remove(kind, version));
    return session.commit();
  }
  // Inserts rows, or replaces the ones with the same (kind, version), in one statement:
  // they commit together without a transaction of their own (a round trip for BEGIN
  // and one for COMMIT fewer). can_put() is false when the database cannot.
  virtual bool can_put() const { return false; }
  virtual Status put(std::span<const HistoryRecord> rows);
  // put(rows), then session.exec(script), in one round trip where the driver can
  // (Session::upsert_then_exec): a migration's dirty mark travels with its first
  // statement. stage says how far it got; a failed put keeps the script from running.
  virtual Status put_then_exec(std::span<const HistoryRecord> rows, Session &session, std::string_view script,
                               Session::Stage &stage) {
    stage = Session::Stage::kNone;
    TIDE_TRY(put(rows));
    stage = Session::Stage::kUpsert;
    return session.exec(script);
  }
};

class SqlHistory : public History {
 public:
  SqlHistory(Session &session, std::string table);
  Status ensure() override;
  Result<std::vector<HistoryRecord>> load(const std::string &kind) override;
  Status insert(const HistoryRecord &r) override;
  Status update(const HistoryRecord &r) override;
  Status remove(const std::string &kind, const std::string &version) override;
  // The write and the COMMIT in one round trip where the driver can (Session::commit_with).
  Status insert_then_commit(const HistoryRecord &r, Session &session) override;
  Status remove_then_commit(const std::string &kind, const std::string &version, Session &session) override;
  // Not for a dotted name: the history quotes it as one identifier, upsert as two.
  bool can_put() const override { return session_.can_upsert() && name_.find('.') == std::string::npos; }
  Status put(std::span<const HistoryRecord> rows) override;
  Status put_then_exec(std::span<const HistoryRecord> rows, Session &session, std::string_view script,
                       Session::Stage &stage) override;

 private:
  // The upsert of rows: every column, keyed by (kind, version); values view into rows.
  static UpsertSpec put_spec(const std::string &table);
  static std::vector<tide_value> put_values(std::span<const HistoryRecord> rows);
  Status run(const std::string &sql, std::vector<tide_value> params);
  Session &session_;
  std::string name_;   // as configured
  std::string table_;  // quoted
  std::string insert_sql_, update_sql_, delete_sql_, select_sql_;
};

}  // namespace tide
