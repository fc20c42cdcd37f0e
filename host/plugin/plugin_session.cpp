#include "plugin/plugin_session.h"

#include <fmt/format.h>

namespace tide {

class PluginCursor : public Cursor {
 public:
  PluginCursor(PluginSession &owner, tide_stmt *stmt) : owner_(&owner), t_(owner.t()), stmt_(stmt) {
    owner.open_cursor_ = this;
  }
  ~PluginCursor() override { end(); }
  PluginCursor(const PluginCursor &) = delete;
  PluginCursor &operator=(const PluginCursor &) = delete;

  // Finalize the statement now; the session calls this before its next operation.
  void end() {
    if (!stmt_) return;
    t_.finalize(stmt_);
    stmt_ = nullptr;
    if (owner_ && owner_->open_cursor_ == this) owner_->open_cursor_ = nullptr;
  }
  void orphan() { owner_ = nullptr; }

  Result<bool> step() override {
    if (!stmt_) {
      return Status::fail(Exit::kFailed, "this query's rows were ended by a later statement on the same connection",
                          "finish a db:rows loop before running another statement, or use db:query to fetch the "
                          "rows first");
    }
    int rc = t_.step(stmt_);
    if (rc == TIDE_ROW) return true;
    if (rc == TIDE_DONE) return false;
    return error_from_driver(t_, *t_.last_error(owner_->conn_));
  }
  int column_count() override { return stmt_ ? t_.column_count(stmt_) : 0; }
  std::string column_name(int i) override {
    const char *n = stmt_ ? t_.column_name(stmt_, i) : nullptr;
    return n ? n : "";
  }
  tide_value column(int i) override {
    tide_value v{};
    if (!stmt_ || t_.column_value(stmt_, i, &v) != TIDE_OK) v.type = TIDE_TYPE_NULL;
    return v;
  }
  int64_t changes() override { return stmt_ ? t_.changes(stmt_) : -1; }

 private:
  PluginSession *owner_;
  const tide_driver &t_;
  tide_stmt *stmt_;
};

namespace {

// Called from inside the plugin: no exception may escape into its C frames.
int split_collect(void *user, size_t start, size_t len) noexcept {
  try {
    static_cast<std::vector<Dialect::Span> *>(user)->push_back({start, len});
    return 0;
  } catch (...) {
    return 1;  // stop splitting; the caller sees fewer statements
  }
}

// The dump member's writer: also called from inside the plugin.
int dump_write(void *user, const char *data, size_t len) noexcept {
  try {
    return (*static_cast<const Session::DumpWriter *>(user))(std::string_view(data, len)) ? 0 : 1;
  } catch (...) {
    return 1;
  }
}

}  // namespace

Error error_from_driver(const tide_driver &driver, const tide_error &err) {
  Error e;
  e.exit = err.code == TIDE_ETIMEOUT ? Exit::kLocked : Exit::kFailed;
  e.message = err.message && *err.message ? err.message : fmt::format("{} driver error {}", driver.name, err.code);
  if (err.sqlstate && *err.sqlstate) {
    e.sqlstate = err.sqlstate;
    e.code = "SQLSTATE " + e.sqlstate;
  } else if (err.vendor_code != 0) {
    e.code = fmt::format("{} error {}", driver.name, err.vendor_code);
  }
  e.vendor_code = err.vendor_code;
  if (err.detail) e.detail = err.detail;
  if (err.hint) e.hint = err.hint;
  e.statement_offset = err.statement_offset;
  e.error_position = err.error_position;
  return e;
}

std::string PluginDialect::quote_ident(std::string_view ident) const {
  std::string out(ident.size() * 2 + 3, '\0');
  size_t n = plugin_->table().quote_ident(ident.data(), ident.size(), out.data(), out.size());
  if (n >= out.size()) {
    out.resize(n + 1);
    n = plugin_->table().quote_ident(ident.data(), ident.size(), out.data(), out.size());
  }
  out.resize(n);
  return out;
}

std::vector<Dialect::Span> PluginDialect::split(std::string_view script) const {
  std::vector<Span> out;
  plugin_->table().split(script.data(), script.size(), split_collect, &out);
  return out;
}

Result<tide_conn *> PluginSession::open(const tide_driver &t, const std::string &url, const ConnectOptions &options) {
  tide_connect_options opts{};
  opts.struct_size = sizeof opts;
  opts.connect_timeout_ms = options.connect_timeout_ms;
  opts.statement_timeout_ms = options.statement_timeout_ms;
  opts.lock_timeout_ms = options.lock_timeout_ms;
  opts.application_name = "tide";
  tide_conn *conn = nullptr;
  int rc = t.connect(url.c_str(), &opts, &conn);
  if (rc != TIDE_OK) {
    Error e;
    if (conn) {
      e = error_from_driver(t, *t.last_error(conn));
      t.close(conn);
    } else {
      e.message = "out of memory";
    }
    // EMISUSE from connect means the URL itself is wrong: a usage error, not a failure.
    bool bad_url = rc == TIDE_EMISUSE;
    e.exit = bad_url ? Exit::kUsage : Exit::kFailed;
    e.message = (bad_url ? "bad database URL: " : "cannot connect: ") + e.message;
    return e;
  }
  return conn;
}

Result<std::unique_ptr<PluginSession>> PluginSession::connect(std::shared_ptr<Plugin> plugin, const std::string &url,
                                                              const ConnectOptions &options) {
  auto conn = open(plugin->table(), url, options);
  if (!conn) return conn.status();
  return std::unique_ptr<PluginSession>(new PluginSession(std::move(plugin), *conn, url, options));
}

Status PluginSession::disconnect() {
  end_open_cursor();
  if (conn_) t().close(conn_);
  conn_ = nullptr;
  return {};
}

Status PluginSession::reconnect() {
  if (conn_) return {};
  auto conn = open(t(), url_, options_);
  if (!conn) return conn.status();
  conn_ = *conn;
  return {};
}

Status PluginSession::not_connected() const {
  return Status::fail(Exit::kFailed,
                      "not connected: tide's connection is closed (tide.step_aside), or could not be opened again");
}

PluginSession::~PluginSession() {
  // A cursor that outlives its session (held by Lua) must not finalize into a closed
  // connection: finalize it now and let it go.
  if (open_cursor_) {
    PluginCursor *c = open_cursor_;
    c->end();
    c->orphan();
  }
  if (conn_) t().close(conn_);
}

void PluginSession::end_open_cursor() {
  if (open_cursor_) open_cursor_->end();
}

bool PluginSession::in_transaction() { return conn_ && t().in_transaction(conn_) == 1; }

Status PluginSession::check(int rc) {
  if (rc == TIDE_OK) return {};
  return error_from_driver(t(), *t().last_error(conn_));
}

std::string PluginSession::server_version() { return conn_ ? t().server_version(conn_) : ""; }

Status PluginSession::exec(std::string_view script) {
  end_open_cursor();
  if (!conn_) return not_connected();
  return check(t().exec(conn_, script.data(), script.size()));
}

Result<std::unique_ptr<Cursor>> PluginSession::query(std::string_view sql, std::span<const tide_value> params) {
  end_open_cursor();
  if (!conn_) return not_connected();
  tide_stmt *stmt = nullptr;
  int rc = t().query(conn_, sql.data(), sql.size(), params.data(), params.size(), &stmt);
  if (rc != TIDE_OK) return check(rc);
  return std::unique_ptr<Cursor>(new PluginCursor(*this, stmt));
}

Status PluginSession::begin() {
  end_open_cursor();
  if (!conn_) return not_connected();
  return check(t().begin(conn_));
}

Status PluginSession::commit() {
  end_open_cursor();
  if (!conn_) return not_connected();
  return check(t().commit(conn_));
}

Status PluginSession::commit_with(std::string_view sql, std::span<const tide_value> params) {
  if (!TIDE_DRIVER_HAS(t(), commit_with)) return Session::commit_with(sql, params);
  end_open_cursor();
  return check(t().commit_with(conn_, sql.data(), sql.size(), params.data(), params.size()));
}

Status PluginSession::rollback() {
  end_open_cursor();
  if (!conn_) return not_connected();
  return check(t().rollback(conn_));
}

Status PluginSession::lock(std::string_view key, int64_t timeout_ms) {
  if (!conn_) return not_connected();
  return check(t().lock(conn_, std::string(key).c_str(), timeout_ms));
}

Status PluginSession::unlock(std::string_view key) {
  if (!conn_) return not_connected();
  return check(t().unlock(conn_, std::string(key).c_str()));
}

Status PluginSession::dump(const DumpWriter &write) {
  const tide_driver &d = t();
  if (!TIDE_DRIVER_HAS(d, dump))
    return Status::fail(Exit::kUsage,
                        fmt::format("the {} driver cannot dump a schema: {} has no dump member (plugin ABI {}.{}; "
                                    "dump came with ABI 1.1)",
                                    d.name, plugin_->path().string(), d.abi_major, d.abi_minor),
                        "use the database's own dump tool, or a newer build of the plugin");
  end_open_cursor();
  int rc = d.dump(conn_, dump_write, const_cast<DumpWriter *>(&write));
  if (rc == TIDE_OK) return {};
  Status s = check(rc);
  // The driver cannot dump here (no dump tool, too old a tool): not a database failure.
  if (rc == TIDE_EUNSUPPORTED) s.error().exit = Exit::kUsage;
  return s;
}

namespace {

// The ABI's tide_upsert over an UpsertSpec, borrowing its names.
class UpsertArgs {
 public:
  explicit UpsertArgs(const UpsertSpec &spec)
      : columns_(names(spec.columns)), key_(names(spec.key)), update_(names(spec.update)) {
    u_.struct_size = sizeof u_;
    u_.table = spec.table.c_str();
    u_.columns = columns_.data();
    u_.ncolumns = columns_.size();
    u_.key = key_.data();
    u_.nkey = key_.size();
    u_.update = update_.data();
    u_.nupdate = update_.size();
    u_.mode = spec.mode;
  }
  const tide_upsert *get() const { return &u_; }

 private:
  static std::vector<const char *> names(const std::vector<std::string> &v) {
    std::vector<const char *> out;
    out.reserve(v.size());
    for (const auto &s : v) out.push_back(s.c_str());
    return out;
  }
  std::vector<const char *> columns_, key_, update_;
  tide_upsert u_{};
};

void add_counts(UpsertCounts &counts, const tide_upsert_result &r, int rc) {
  counts.inserted += r.inserted;
  counts.updated += r.updated;
  counts.unchanged += r.unchanged;
  counts.failed_row = rc == TIDE_OK ? -1 : r.failed_row;
}

}  // namespace

Status PluginSession::upsert(const UpsertSpec &spec, std::span<const tide_value> values, size_t nrows,
                             UpsertCounts &counts) {
  if (!TIDE_DRIVER_HAS(t(), upsert))
    return Status::fail(Exit::kFailed,
                        fmt::format("the {} driver ({}) does not support db:upsert / db:insert / db:load_csv", t().name,
                                    plugin_->path().string()),
                        t().abi_minor >= 1 ? "this driver does not implement the upsert member yet (`tide drivers` "
                                             "lists the members each driver has); write the rows with db:exec"
                                           : "upgrade the driver plugin to one built for tide ABI 1.1 or later");
  end_open_cursor();
  if (!conn_) return not_connected();
  UpsertArgs args(spec);
  tide_upsert_result r{0, 0, 0, -1};
  int rc = t().upsert(conn_, args.get(), values.data(), nrows, &r);
  add_counts(counts, r, rc);
  return check(rc);
}

Status PluginSession::upsert_then_exec(const UpsertSpec &spec, std::span<const tide_value> values, size_t nrows,
                                       UpsertCounts &counts, std::string_view script, Stage &stage) {
  if (!TIDE_DRIVER_HAS(t(), upsert_then_exec))
    return Session::upsert_then_exec(spec, values, nrows, counts, script, stage);
  stage = Stage::kNone;
  end_open_cursor();
  if (!conn_) return not_connected();
  UpsertArgs args(spec);
  tide_upsert_result r{0, 0, 0, -1};
  int reached = TIDE_STAGE_NONE;
  int rc = t().upsert_then_exec(conn_, args.get(), values.data(), nrows, &r, script.data(), script.size(), &reached);
  add_counts(counts, r, rc);
  // Anything but the two known answers is taken as the unsafe case: maybe started.
  stage = reached == TIDE_STAGE_NONE ? Stage::kNone : reached == TIDE_STAGE_UPSERT ? Stage::kUpsert : Stage::kUnknown;
  return check(rc);
}

bool PluginSession::can_upsert() const { return TIDE_DRIVER_HAS(t(), upsert); }

}  // namespace tide
