// The runner's view of one database connection. PluginSession implements it over a
// driver plugin's C table; the runner's unit tests implement it in memory (ninja's
// VirtualFileSystem idea), so nothing above this line knows about dlopen or the ABI.
#pragma once

#include <tide/driver.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace tide {

// What a database's dialect brings (SPEC §9): identity, capabilities, the history DDL,
// quoting and the statement splitter. None of it needs a connection.
class Dialect {
 public:
  virtual ~Dialect() = default;
  virtual std::string name() const = 0;
  virtual uint32_t capabilities() const = 0;
  virtual int param_style() const = 0;
  virtual std::string history_ddl() const = 0;
  virtual std::string quote_ident(std::string_view ident) const = 0;
  // Byte ranges [start, start+len) of each statement of script.
  struct Span {
    size_t start;
    size_t len;
  };
  virtual std::vector<Span> split(std::string_view script) const = 0;

  bool has(uint32_t cap) const { return (capabilities() & cap) != 0; }
  // The placeholder for the n-th (1-based) bound parameter.
  std::string placeholder(int n) const;
};

// A running query. Values returned by column() stay valid until the next step().
class Cursor {
 public:
  virtual ~Cursor() = default;
  virtual Result<bool> step() = 0;  // true: a row is there; false: done
  virtual int column_count() = 0;
  virtual std::string column_name(int i) = 0;
  virtual tide_value column(int i) = 0;
  virtual int64_t changes() = 0;
};

// One batch for Session::upsert (the ABI's tide_upsert, owning its names).
struct UpsertSpec {
  std::string table;
  std::vector<std::string> columns;  // of every row, in value order
  std::vector<std::string> key;      // the conflict target
  std::vector<std::string> update;   // TIDE_UPSERT_UPDATE: the columns to set
  int mode = TIDE_UPSERT_INSERT;     // TIDE_UPSERT_*
};

// What an upsert did; failed_row as in tide_upsert_result (-1: not about a row).
struct UpsertCounts {
  int64_t inserted = 0, updated = 0, unchanged = 0;
  int64_t failed_row = -1;
};

class Session {
 public:
  virtual ~Session() = default;
  virtual const Dialect &dialect() const = 0;
  virtual std::string server_version() = 0;
  virtual Status exec(std::string_view script) = 0;
  virtual Result<std::unique_ptr<Cursor>> query(std::string_view sql, std::span<const tide_value> params) = 0;
  virtual Status begin() = 0;
  virtual Status commit() = 0;
  // Run sql (a statement without rows: a history write) and commit, as query() then
  // commit() would; a driver may do both in one round trip (driver.h commit_with).
  virtual Status commit_with(std::string_view sql, std::span<const tide_value> params);
  virtual Status rollback() = 0;
  // As the database sees it: a migration's own COMMIT ends the transaction tide opened.
  virtual bool in_transaction() = 0;
  virtual Status lock(std::string_view key, int64_t timeout_ms) = 0;
  virtual Status unlock(std::string_view key) = 0;
  // Close the connection, then open it again with the same URL and options, for work
  // that needs nobody connected to the database (tide.step_aside). While closed, every
  // call fails with "not connected". Sessions that cannot do this say so.
  virtual Status disconnect();
  virtual Status reconnect();
  // The schema as a SQL script, piece by piece through write (false stops the dump).
  using DumpWriter = std::function<bool(std::string_view)>;
  virtual Status dump(const DumpWriter &write) = 0;
  // Write nrows rows (values row by row, spec.columns.size() each) with the driver's
  // multi-row INSERT / upsert (ABI 1.1). counts covers the statements that completed,
  // also on failure; a driver without the member is a clear error.
  virtual Status upsert(const UpsertSpec &spec, std::span<const tide_value> values, size_t nrows,
                        UpsertCounts &counts) = 0;
  // Whether upsert() can work: the driver has the ABI 1.1 member.
  virtual bool can_upsert() const { return false; }
  // How far upsert_then_exec() got (driver.h TIDE_STAGE_*): kNone, nothing of the script
  // ran; kUpsert, the rows are written and any failure is the script's; kUnknown, the
  // connection was lost (or the client library failed) after the message was sent, so
  // the rows may be written and the script's first statement may have run.
  enum class Stage { kNone, kUpsert, kUnknown };
  // upsert(), then exec(script): one round trip where the driver has the ABI 1.3 member
  // (MySQL sends the upsert and the script's first statement as one message). A failed
  // upsert keeps the script from running. The default makes the two calls.
  virtual Status upsert_then_exec(const UpsertSpec &spec, std::span<const tide_value> values, size_t nrows,
                                  UpsertCounts &counts, std::string_view script, Stage &stage);
};

// Helpers over any Session.
tide_value text_value(std::string_view s);
tide_value int_value(int64_t i);
tide_value null_value();
std::string value_to_string(const tide_value &v);  // NULL → "", numbers formatted

}  // namespace tide
