// Writing rows in batches through Session::upsert: db:upsert, db:insert and db:load_csv
// all feed rows here one at a time. Values are copied into a per-batch buffer, so memory
// is bounded by one batch however many rows stream through; a batch goes to the driver
// at kBatchRows rows or kBatchBytes of text, whichever comes first.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "plugin/session.h"

namespace tide {

// Told about rows as they are written. The seed runner implements it to count rows per
// seed, drive the progress line and refuse deleting SQL in protected environments; it
// is set on the Lua state with set_row_sink (lua/bind.h) while a seed runs.
class RowSink {
 public:
  virtual ~RowSink() = default;
  // The counts of one batch just written.
  virtual void written(const UpsertCounts &batch) = 0;
  // rows written so far by one call (what: "roles" or "data/countries.csv") in seconds
  // since it started; fraction of the work done in [0, 1], or negative when unknown.
  virtual void progress(std::string_view what, int64_t rows, double fraction, double seconds) = 0;
  // SQL about to run through db:exec/query/rows/scalar: a non-empty result refuses it
  // with that message.
  virtual std::string check_sql(std::string_view sql) = 0;
};

// What the caller asked to write: the spec, and how its columns were given.
struct RowsOptions {
  UpsertSpec spec;          // table set by the caller; columns when listed
  bool listed = false;      // `columns` was given
  bool update_all = false;  // update = "all": every column that is not a key
};

// Once spec.columns is known: every key and update column must be one of them, update
// "all" becomes the non-key columns, and an UPDATE with nothing to set becomes IGNORE.
// Returns a message for what is wrong, else "".
std::string resolve_columns(RowsOptions &o);

class RowWriter {
 public:
  static constexpr size_t kBatchRows = 1000;
  static constexpr size_t kBatchBytes = size_t{8} << 20;

  // Names the row added with `where` for errors: "row 7" for a Lua array, "file.csv:8"
  // for a CSV line.
  using Namer = std::function<std::string(int64_t where)>;

  // total_rows: how many rows will come, or -1 when unknown (then set_fraction says).
  RowWriter(Session &session, UpsertSpec spec, RowSink *sink, std::string what, Namer namer, int64_t total_rows);

  const UpsertSpec &spec() const { return spec_; }
  // Add one row of spec().columns.size() values (text is copied). Writes a batch when
  // one is full, or first when the row's key repeats a row of the batch being built
  // (UPDATE mode), so a later row updates an earlier one as if written one by one.
  Status add(std::span<const tide_value> row, int64_t where);
  // Write what is left. counts() is then the total.
  Status finish();
  const UpsertCounts &counts() const { return counts_; }
  int64_t rows_written() const { return written_; }
  void set_fraction(double f) { fraction_ = f; }

 private:
  Status flush();
  std::string key_of(std::span<const tide_value> row) const;

  Session &session_;
  UpsertSpec spec_;
  RowSink *sink_;
  std::string what_;
  Namer namer_;
  int64_t total_rows_;
  double fraction_ = -1;
  std::vector<size_t> key_index_;  // positions of the key columns in a row

  std::vector<tide_value> values_;  // the batch, row by row; text points into arena_ at flush
  std::vector<size_t> offsets_;     // for text and blobs: offset into arena_
  std::string arena_;
  std::vector<int64_t> where_;  // per row of the batch
  std::unordered_map<std::string, size_t> keys_;
  UpsertCounts counts_;
  int64_t written_ = 0;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace tide
