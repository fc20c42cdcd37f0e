#include "migrate/history_carrier.h"

namespace tide {

Status HistoryCarrier::write_alone() {
  if (!pending()) return write_error_;
  write_error_ = history_.put(rows_);
  if (write_error_.ok()) stage_ = Stage::kUpsert;
  return write_error_;
}

Status HistoryCarrier::exec(std::string_view script) {
  if (!pending()) {
    TIDE_TRY(write_error_);
    return inner_.exec(script);
  }
  Status s = history_.put_then_exec(rows_, inner_, script, stage_);
  if (s.ok()) stage_ = Stage::kUpsert;  // whatever a driver said, the script ran
  if (stage_ == Stage::kNone) write_error_ = s;
  return s;
}

Result<std::unique_ptr<Cursor>> HistoryCarrier::query(std::string_view sql, std::span<const tide_value> params) {
  TIDE_TRY(write_alone());
  return inner_.query(sql, params);
}

Status HistoryCarrier::begin() {
  TIDE_TRY(write_alone());
  return inner_.begin();
}

Status HistoryCarrier::commit() {
  TIDE_TRY(write_alone());
  return inner_.commit();
}

Status HistoryCarrier::commit_with(std::string_view sql, std::span<const tide_value> params) {
  TIDE_TRY(write_alone());
  return inner_.commit_with(sql, params);
}

Status HistoryCarrier::lock(std::string_view key, int64_t timeout_ms) {
  TIDE_TRY(write_alone());
  return inner_.lock(key, timeout_ms);
}

Status HistoryCarrier::disconnect() {
  TIDE_TRY(write_alone());
  return inner_.disconnect();
}

Status HistoryCarrier::dump(const DumpWriter &write) {
  TIDE_TRY(write_alone());
  return inner_.dump(write);
}

Status HistoryCarrier::upsert(const UpsertSpec &spec, std::span<const tide_value> values, size_t nrows,
                              UpsertCounts &counts) {
  TIDE_TRY(write_alone());
  return inner_.upsert(spec, values, nrows, counts);
}

Status HistoryCarrier::upsert_then_exec(const UpsertSpec &spec, std::span<const tide_value> values, size_t nrows,
                                        UpsertCounts &counts, std::string_view script, Stage &stage) {
  stage = Stage::kNone;
  TIDE_TRY(write_alone());
  return inner_.upsert_then_exec(spec, values, nrows, counts, script, stage);
}

}  // namespace tide
