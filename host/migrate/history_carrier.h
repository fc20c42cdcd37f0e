// The session a SQL migration runs on when its dirty mark can travel with its first
// statement (Runner::apply_dirty_first, databases without transactional DDL): the real
// session, whose first exec() sends the pending history rows and the script together
// (History::put_then_exec: one round trip instead of two with a driver that has the ABI
// 1.3 upsert_then_exec member, MySQL's). The rows still commit before the script's first
// statement starts, and a failed write keeps the script from running, so SPEC §4's
// "recorded dirty before it starts" holds. Any other call that sends SQL writes the rows
// on their own first (rollback and unlock pass straight through: they change nothing).
#pragma once

#include <vector>

#include "migrate/history.h"
#include "plugin/session.h"

namespace tide {

class HistoryCarrier : public Session {
 public:
  HistoryCarrier(Session &inner, History &history, std::vector<HistoryRecord> rows)
      : inner_(inner), history_(history), rows_(std::move(rows)) {}

  // After the migration ran: writes the rows if nothing carried them yet.
  Status finish() { return write_alone(); }
  // How far the history write got: kNone, not written (the migration did not start;
  // write_error() says why); kUpsert, written; kUnknown, the connection was lost before
  // the server said.
  Stage stage() const { return stage_; }
  const Status &write_error() const { return write_error_; }

  const Dialect &dialect() const override { return inner_.dialect(); }
  std::string server_version() override { return inner_.server_version(); }
  Status exec(std::string_view script) override;
  Result<std::unique_ptr<Cursor>> query(std::string_view sql, std::span<const tide_value> params) override;
  Status begin() override;
  Status commit() override;
  Status commit_with(std::string_view sql, std::span<const tide_value> params) override;
  Status rollback() override { return inner_.rollback(); }
  bool in_transaction() override { return inner_.in_transaction(); }
  Status lock(std::string_view key, int64_t timeout_ms) override;
  Status unlock(std::string_view key) override { return inner_.unlock(key); }
  Status disconnect() override;
  Status reconnect() override { return inner_.reconnect(); }
  Status dump(const DumpWriter &write) override;
  Status upsert(const UpsertSpec &spec, std::span<const tide_value> values, size_t nrows,
                UpsertCounts &counts) override;
  bool can_upsert() const override { return inner_.can_upsert(); }
  Status upsert_then_exec(const UpsertSpec &spec, std::span<const tide_value> values, size_t nrows,
                          UpsertCounts &counts, std::string_view script, Stage &stage) override;

 private:
  bool pending() const { return stage_ == Stage::kNone && write_error_.ok(); }
  // The rows on their own, when still pending; their failure is every later call's.
  Status write_alone();

  Session &inner_;
  History &history_;
  std::vector<HistoryRecord> rows_;
  Stage stage_ = Stage::kNone;
  Status write_error_;
};

}  // namespace tide
