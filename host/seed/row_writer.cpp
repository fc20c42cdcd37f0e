#include "seed/row_writer.h"

#include <fmt/format.h>

#include <algorithm>

namespace tide {

namespace {

bool has(const std::vector<std::string> &list, const std::string &name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

std::string joined(const std::vector<std::string> &list) {
  std::string out;
  for (const auto &s : list) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

std::string resolve_columns(RowsOptions &o) {
  UpsertSpec &spec = o.spec;
  for (const auto &k : spec.key)
    if (!has(spec.columns, k))
      return fmt::format("key column \"{}\" is not one of the rows' columns ({})", k, joined(spec.columns));
  if (o.update_all) {
    for (const auto &c : spec.columns)
      if (!has(spec.key, c)) spec.update.push_back(c);
  }
  for (const auto &u : spec.update) {
    if (!has(spec.columns, u))
      return fmt::format("update column \"{}\" is not one of the rows' columns ({})", u, joined(spec.columns));
    if (has(spec.key, u)) return fmt::format("update column \"{}\" is a key column; a key is never updated", u);
  }
  if (spec.mode == TIDE_UPSERT_UPDATE && spec.update.empty()) spec.mode = TIDE_UPSERT_IGNORE;
  return {};
}

RowWriter::RowWriter(Session &session, UpsertSpec spec, RowSink *sink, std::string what, Namer namer,
                     int64_t total_rows)
    : session_(session),
      spec_(std::move(spec)),
      sink_(sink),
      what_(std::move(what)),
      namer_(std::move(namer)),
      total_rows_(total_rows) {
  for (const auto &k : spec_.key) {
    auto at = std::find(spec_.columns.begin(), spec_.columns.end(), k);
    if (at != spec_.columns.end()) key_index_.push_back(static_cast<size_t>(at - spec_.columns.begin()));
  }
  values_.reserve(kBatchRows * spec_.columns.size());
  offsets_.reserve(kBatchRows * spec_.columns.size());
}

// The key's values as bytes, each typed and length-prefixed so distinct keys never meet.
std::string RowWriter::key_of(std::span<const tide_value> row) const {
  std::string k;
  for (size_t i : key_index_) {
    const tide_value &v = row[i];
    k += static_cast<char>('0' + v.type);
    std::string bytes = v.type == TIDE_TYPE_TEXT || v.type == TIDE_TYPE_BLOB ? std::string(v.u.s.ptr, v.u.s.len)
                        : v.type == TIDE_TYPE_FLOAT                          ? fmt::format("{}", v.u.f)
                                                                             : std::to_string(v.u.i);
    k += std::to_string(bytes.size()) + ':' + bytes;
  }
  return k;
}

Status RowWriter::add(std::span<const tide_value> row, int64_t where) {
  if (spec_.mode == TIDE_UPSERT_UPDATE && !key_index_.empty()) {
    std::string key = key_of(row);
    if (keys_.count(key)) TIDE_TRY(flush());
    keys_.emplace(std::move(key), where_.size());
  }
  for (const tide_value &v : row) {
    values_.push_back(v);
    size_t at = arena_.size();
    if (v.type == TIDE_TYPE_TEXT || v.type == TIDE_TYPE_BLOB) arena_.append(v.u.s.ptr, v.u.s.len);
    offsets_.push_back(at);
  }
  where_.push_back(where);
  if (where_.size() >= kBatchRows || arena_.size() >= kBatchBytes) return flush();
  return {};
}

Status RowWriter::flush() {
  size_t nrows = where_.size();
  if (nrows == 0) return {};
  for (size_t i = 0; i < values_.size(); ++i)
    if (values_[i].type == TIDE_TYPE_TEXT || values_[i].type == TIDE_TYPE_BLOB)
      values_[i].u.s.ptr = arena_.data() + offsets_[i];
  UpsertCounts batch;
  Status s = session_.upsert(spec_, values_, nrows, batch);
  counts_.inserted += batch.inserted;
  counts_.updated += batch.updated;
  counts_.unchanged += batch.unchanged;
  if (sink_) sink_->written(batch);
  if (!s.ok()) {
    Error &e = s.error();
    if (batch.failed_row >= 0 && static_cast<size_t>(batch.failed_row) < nrows) {
      e.message = fmt::format("{}: {}", namer_(where_[static_cast<size_t>(batch.failed_row)]), e.message);
      counts_.failed_row = where_[static_cast<size_t>(batch.failed_row)];
    }
    e.message = fmt::format("{} {}: {}", spec_.mode == TIDE_UPSERT_INSERT ? "insert into" : "upsert into", spec_.table,
                            e.message);
    return s;
  }
  written_ += static_cast<int64_t>(nrows);
  values_.clear();
  offsets_.clear();
  arena_.clear();
  where_.clear();
  keys_.clear();
  if (sink_) {
    double f = total_rows_ > 0 ? static_cast<double>(written_) / static_cast<double>(total_rows_) : fraction_;
    sink_->progress(what_, written_, f,
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
  }
  return {};
}

Status RowWriter::finish() { return flush(); }

}  // namespace tide
