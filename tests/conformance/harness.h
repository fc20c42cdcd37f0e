// What every conformance case needs: the plugin under test loaded through the raw C ABI
// (dlopen, as the host does, so the suite runs against any plugin), RAII over its
// handles, and the few SQL snippets that differ per dialect, kept in one place.
//
// The suite is configured by two environment variables:
//   TIDE_CONFORMANCE_PLUGIN  path of the plugin's shared library
//   TIDE_CONFORMANCE_URL     a database it may create and drop tables in
// Cases skip with a warning when they are unset.
#pragma once

#include <tide/driver.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace conformance {

struct Plugin {
  const tide_driver *driver = nullptr;
  std::string path;
  std::string url;
};

// The configured plugin, loaded once. The case fails when the suite is not configured
// (TIDE_CONFORMANCE_PLUGIN / TIDE_CONFORMANCE_URL unset) or the plugin does not load.
const Plugin &configured_plugin();

// A prefix unique to this run, so the suite can share a database with anything else.
std::string unique_prefix();

// A value read back from a column, owning its bytes.
struct Value {
  int type = TIDE_TYPE_NULL;
  int64_t i = 0;
  double f = 0;
  std::string s;
};
std::ostream &operator<<(std::ostream &os, const Value &v);

tide_value null_value();
tide_value int_value(int64_t i);
tide_value float_value(double f);
tide_value bool_value(bool b);
tide_value text_value(std::string_view s);
tide_value blob_value(std::string_view bytes);

// One open statement, finalized on scope exit.
class Stmt {
 public:
  Stmt(const tide_driver *driver, tide_stmt *stmt) : driver_(driver), stmt_(stmt) {}
  Stmt(const Stmt &) = delete;
  Stmt &operator=(const Stmt &) = delete;
  ~Stmt() { driver_->finalize(stmt_); }

  tide_stmt *get() const { return stmt_; }
  int step() { return driver_->step(stmt_); }
  Value column(int i);  // REQUIREs success

 private:
  const tide_driver *driver_;
  tide_stmt *stmt_;
};

// One connection, closed on scope exit. Helpers REQUIRE success and show the driver's
// error when they fail.
class Conn {
 public:
  Conn(const Plugin &plugin, const std::string &url);
  explicit Conn(const Plugin &plugin) : Conn(plugin, plugin.url) {}
  Conn(const Conn &) = delete;
  Conn &operator=(const Conn &) = delete;
  ~Conn() { close(); }

  tide_conn *get() const { return conn_; }
  const tide_driver *driver() const { return driver_; }
  const tide_error &error() const { return *driver_->last_error(conn_); }
  std::string describe_error() const;
  void close();

  int exec(std::string_view sql) { return driver_->exec(conn_, sql.data(), sql.size()); }
  void exec_ok(std::string_view sql);
  // Runs a query and returns every row (for small results).
  std::vector<std::vector<Value>> rows(std::string_view sql, const std::vector<tide_value> &params = {});
  int64_t scalar_int(std::string_view sql, const std::vector<tide_value> &params = {});
  // The rows a statement changed, from changes() after TIDE_DONE.
  int64_t run_changes(std::string_view sql, const std::vector<tide_value> &params = {});

 private:
  const tide_driver *driver_;
  tide_conn *conn_ = nullptr;
};

// A connection plus the tables a case creates, dropped (after a rollback) at scope exit.
class Session {
 public:
  explicit Session(const Plugin &plugin) : plugin_(plugin), conn_(plugin) {}
  ~Session();

  Conn &conn() { return conn_; }
  // A quoted, run-unique table name; dropped at the end of the case.
  std::string table(std::string_view base);

 private:
  const Plugin &plugin_;
  Conn conn_;
  std::vector<std::string> tables_;
};

// One call of the ABI 1.1 upsert member, owning its names. run() takes the rows' values
// one row after another (columns.size() each) and first fills result with -9, so a case
// sees only what the driver wrote.
struct UpsertCall {
  std::string table;
  std::vector<const char *> columns, key, update;
  int mode = TIDE_UPSERT_UPDATE;
  tide_upsert_result result{};

  int run(Conn &c, const std::vector<tide_value> &values);
};

std::string quote_ident(const tide_driver *driver, std::string_view ident);

// A placeholder for parameter i (1-based) in the driver's param_style.
std::string placeholder(const tide_driver *driver, int i);

// SQL that differs between dialects, keyed by driver->name. A new driver adds an entry.
struct Dialect {
  std::string int_type, float_type, text_type, blob_type, bool_type;
  // A query yielding one column, the integers 1..n in some order.
  std::string (*series)(int64_t n);
};
const Dialect &dialect(const tide_driver *driver);

// Result of split(): the return code and each statement's text.
struct Split {
  int rc = TIDE_OK;
  std::vector<std::string> statements;  // as reported (start/len into the script)
  std::vector<size_t> starts;
};
Split split(const tide_driver *driver, std::string_view sql, size_t stop_after = SIZE_MAX);

// text without leading whitespace/comments and trailing whitespace, so cases can
// compare statements whether or not a driver includes leading comments.
std::string strip_blank(std::string_view text);

}  // namespace conformance
