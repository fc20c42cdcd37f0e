// Session and Dialect over a driver plugin's C table: RAII for tide_conn and tide_stmt,
// and the translation of tide_error into tide::Error.
#pragma once

#include <memory>
#include <string>

#include "plugin/loader.h"
#include "plugin/session.h"

namespace tide {

class PluginDialect : public Dialect {
 public:
  explicit PluginDialect(std::shared_ptr<Plugin> plugin) : plugin_(std::move(plugin)) {}
  std::string name() const override { return plugin_->table().name; }
  uint32_t capabilities() const override { return plugin_->table().capabilities; }
  int param_style() const override { return plugin_->table().param_style; }
  std::string history_ddl() const override { return plugin_->table().history_ddl; }
  std::string quote_ident(std::string_view ident) const override;
  std::vector<Span> split(std::string_view script) const override;

 private:
  std::shared_ptr<Plugin> plugin_;
};

struct ConnectOptions {
  int64_t connect_timeout_ms = 0;
  int64_t statement_timeout_ms = 0;
  int64_t lock_timeout_ms = 0;
};

class PluginCursor;

// One connection. The ABI allows one open statement per connection, so a cursor still
// open when anything else is asked of the session (an abandoned `db:rows` loop, say) is
// ended first; stepping it afterwards is an error that says so.
class PluginSession : public Session {
 public:
  // Connects; url is only ever shown redacted.
  static Result<std::unique_ptr<PluginSession>> connect(std::shared_ptr<Plugin> plugin, const std::string &url,
                                                        const ConnectOptions &options);
  ~PluginSession() override;
  PluginSession(const PluginSession &) = delete;
  PluginSession &operator=(const PluginSession &) = delete;

  const Dialect &dialect() const override { return dialect_; }
  std::string server_version() override;
  Status exec(std::string_view script) override;
  Result<std::unique_ptr<Cursor>> query(std::string_view sql, std::span<const tide_value> params) override;
  Status begin() override;
  Status commit() override;
  Status commit_with(std::string_view sql, std::span<const tide_value> params) override;
  Status rollback() override;
  bool in_transaction() override;
  Status lock(std::string_view key, int64_t timeout_ms) override;
  Status unlock(std::string_view key) override;
  Status disconnect() override;
  Status reconnect() override;
  Status dump(const DumpWriter &write) override;
  Status upsert(const UpsertSpec &spec, std::span<const tide_value> values, size_t nrows,
                UpsertCounts &counts) override;
  bool can_upsert() const override;
  Status upsert_then_exec(const UpsertSpec &spec, std::span<const tide_value> values, size_t nrows,
                          UpsertCounts &counts, std::string_view script, Stage &stage) override;

 private:
  PluginSession(std::shared_ptr<Plugin> plugin, tide_conn *conn, std::string url, ConnectOptions options)
      : plugin_(std::move(plugin)), dialect_(plugin_), conn_(conn), url_(std::move(url)), options_(options) {}
  friend class PluginCursor;
  static Result<tide_conn *> open(const tide_driver &t, const std::string &url, const ConnectOptions &options);
  Status check(int rc);
  Status not_connected() const;
  void end_open_cursor();
  const tide_driver &t() const { return plugin_->table(); }

  std::shared_ptr<Plugin> plugin_;
  PluginDialect dialect_;
  tide_conn *conn_;  // null between disconnect() and reconnect()
  std::string url_;  // for reconnect(); only ever shown redacted
  ConnectOptions options_;
  PluginCursor *open_cursor_ = nullptr;
};

// tide_error → Error (message, code, detail, hint, offsets), for a named dialect.
Error error_from_driver(const tide_driver &driver, const tide_error &err);

}  // namespace tide
