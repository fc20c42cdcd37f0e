// The conformance harness: loading the plugin, RAII over its handles, dialect SQL.
#include "harness.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <iomanip>
#include <sstream>

namespace conformance {
namespace {

std::optional<Plugin> load_configured_plugin() {
  const char *path = std::getenv("TIDE_CONFORMANCE_PLUGIN");
  const char *url = std::getenv("TIDE_CONFORMANCE_URL");
  if (!path || !*path || !url || !*url) return std::nullopt;
  // As the host loads plugins (STYLE.md); never dlclose'd, like the host's registry.
  void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  INFO("dlopen " << path << ": " << (handle ? "" : dlerror()));
  REQUIRE(handle != nullptr);
  auto entry = reinterpret_cast<tide_driver_entry_fn>(dlsym(handle, TIDE_DRIVER_ENTRY_SYMBOL));
  REQUIRE(entry != nullptr);
  const tide_driver *driver = entry();
  REQUIRE(driver != nullptr);
  REQUIRE(driver->abi_major == TIDE_ABI_MAJOR);
  return Plugin{driver, path, url};
}

std::string sqlite_series(int64_t n) {
  return "WITH RECURSIVE series(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM series "
         "WHERE n < " +
         std::to_string(n) + ") SELECT n FROM series";
}

std::string postgres_series(int64_t n) {
  return "SELECT n FROM generate_series(1::bigint, " + std::to_string(n) + ") AS n";
}

// MySQL 8 caps recursive CTEs at 1000 iterations, so cross-join digits instead (works
// on MariaDB too). Yields 1..10^k filtered to n.
std::string mysql_series(int64_t n) {
  const char *digits =
      "(SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL "
      "SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL "
      "SELECT 8 UNION ALL SELECT 9)";
  std::string sum = "1", from;
  int64_t scale = 1;
  for (int k = 0; scale < n; ++k, scale *= 10) {
    std::string alias = "d" + std::to_string(k);
    sum += " + " + std::to_string(scale) + " * " + alias + ".d";
    from += (from.empty() ? "" : " CROSS JOIN ") + std::string(digits) + " AS " + alias;
  }
  return "SELECT n FROM (SELECT " + sum + " AS n FROM " + from + ") AS s WHERE n <= " + std::to_string(n);
}

}  // namespace

const Plugin &configured_plugin() {
  static const std::optional<Plugin> plugin = load_configured_plugin();
  // Fail, not skip: a run that tests nothing must not pass. ctest sets both variables.
  if (!plugin)
    FAIL(
        "TIDE_CONFORMANCE_PLUGIN and TIDE_CONFORMANCE_URL must be set: the path of the driver plugin to test "
        "and a database URL it can use (ctest -R conformance sets both)");
  return *plugin;
}

std::string unique_prefix() {
  static const std::string prefix = "tide_conf_" + std::to_string(getpid()) + "_";
  return prefix;
}

std::ostream &operator<<(std::ostream &os, const Value &v) {
  switch (v.type) {
    case TIDE_TYPE_NULL:
      return os << "NULL";
    case TIDE_TYPE_INT:
      return os << "INT " << v.i;
    case TIDE_TYPE_BOOL:
      return os << "BOOL " << v.i;
    case TIDE_TYPE_FLOAT:
      return os << "FLOAT " << std::setprecision(17) << v.f;
    case TIDE_TYPE_TEXT:
      return os << "TEXT '" << v.s << "'";
    case TIDE_TYPE_BLOB: {
      os << "BLOB x'";
      for (unsigned char c : v.s) os << std::hex << std::setw(2) << std::setfill('0') << int(c);
      return os << std::dec << "'";
    }
    default:
      return os << "type " << v.type;
  }
}

tide_value null_value() { return tide_value{}; }
tide_value int_value(int64_t i) {
  tide_value v{};
  v.type = TIDE_TYPE_INT;
  v.u.i = i;
  return v;
}
tide_value float_value(double f) {
  tide_value v{};
  v.type = TIDE_TYPE_FLOAT;
  v.u.f = f;
  return v;
}
tide_value bool_value(bool b) {
  tide_value v{};
  v.type = TIDE_TYPE_BOOL;
  v.u.i = b ? 1 : 0;
  return v;
}
tide_value text_value(std::string_view s) {
  tide_value v{};
  v.type = TIDE_TYPE_TEXT;
  v.u.s.ptr = s.data();
  v.u.s.len = s.size();
  return v;
}
tide_value blob_value(std::string_view bytes) {
  tide_value v = text_value(bytes);
  v.type = TIDE_TYPE_BLOB;
  return v;
}

Value Stmt::column(int i) {
  tide_value raw{};
  REQUIRE(driver_->column_value(stmt_, i, &raw) == TIDE_OK);
  Value v;
  v.type = raw.type;
  if (raw.type == TIDE_TYPE_INT || raw.type == TIDE_TYPE_BOOL) v.i = raw.u.i;
  if (raw.type == TIDE_TYPE_FLOAT) v.f = raw.u.f;
  if (raw.type == TIDE_TYPE_TEXT || raw.type == TIDE_TYPE_BLOB) {
    REQUIRE((raw.u.s.ptr != nullptr || raw.u.s.len == 0));
    v.s.assign(raw.u.s.ptr ? raw.u.s.ptr : "", raw.u.s.len);
  }
  return v;
}

Conn::Conn(const Plugin &plugin, const std::string &url) : driver_(plugin.driver) {
  tide_connect_options options{};
  options.struct_size = sizeof options;
  options.application_name = "tide-conformance";
  if (driver_->connect(url.c_str(), &options, &conn_) != TIDE_OK) {
    std::string why = describe_error();
    close();  // a failed connect still hands back a connection carrying the error
    FAIL("connect: " << why);
  }
}

void Conn::close() {
  driver_->close(conn_);
  conn_ = nullptr;
}

std::string Conn::describe_error() const {
  if (!conn_) return "(no connection)";
  const tide_error &e = error();
  std::ostringstream os;
  os << "code " << e.code << ": " << (e.message ? e.message : "(no message)") << " [vendor " << e.vendor_code
     << ", sqlstate " << (e.sqlstate ? e.sqlstate : "-") << ", statement_offset " << e.statement_offset
     << ", error_position " << e.error_position << "]";
  return os.str();
}

void Conn::exec_ok(std::string_view sql) {
  int rc = exec(sql);
  INFO(sql << "\n" << describe_error());
  REQUIRE(rc == TIDE_OK);
}

std::vector<std::vector<Value>> Conn::rows(std::string_view sql, const std::vector<tide_value> &params) {
  tide_stmt *raw = nullptr;
  int rc = driver_->query(conn_, sql.data(), sql.size(), params.data(), params.size(), &raw);
  INFO(sql << "\n" << describe_error());
  REQUIRE(rc == TIDE_OK);
  Stmt stmt(driver_, raw);
  std::vector<std::vector<Value>> rows;
  while ((rc = stmt.step()) == TIDE_ROW) {
    std::vector<Value> row;
    for (int i = 0; i < driver_->column_count(raw); ++i) row.push_back(stmt.column(i));
    rows.push_back(std::move(row));
  }
  REQUIRE(rc == TIDE_DONE);
  return rows;
}

int64_t Conn::scalar_int(std::string_view sql, const std::vector<tide_value> &params) {
  auto result = rows(sql, params);
  REQUIRE(result.size() == 1);
  REQUIRE(result[0].size() == 1);
  INFO(result[0][0]);
  REQUIRE(result[0][0].type == TIDE_TYPE_INT);
  return result[0][0].i;
}

int64_t Conn::run_changes(std::string_view sql, const std::vector<tide_value> &params) {
  tide_stmt *raw = nullptr;
  int rc = driver_->query(conn_, sql.data(), sql.size(), params.data(), params.size(), &raw);
  INFO(sql << "\n" << describe_error());
  REQUIRE(rc == TIDE_OK);
  Stmt stmt(driver_, raw);
  while ((rc = stmt.step()) == TIDE_ROW) {
  }
  REQUIRE(rc == TIDE_DONE);
  return driver_->changes(raw);
}

Session::~Session() {
  // Best effort, no REQUIRE: this runs while a failed case unwinds.
  if (!conn_.get()) return;
  conn_.driver()->rollback(conn_.get());
  for (auto it = tables_.rbegin(); it != tables_.rend(); ++it) {
    if (conn_.exec("DROP TABLE IF EXISTS " + *it) != TIDE_OK) {
      WARN("could not drop " << *it << ": " << conn_.describe_error());
    }
  }
}

std::string Session::table(std::string_view base) {
  tables_.push_back(quote_ident(plugin_.driver, unique_prefix() + std::string(base)));
  return tables_.back();
}

std::string quote_ident(const tide_driver *driver, std::string_view ident) {
  char probe[1];
  size_t needed = driver->quote_ident(ident.data(), ident.size(), probe, sizeof probe);
  std::string out(needed + 1, '\0');
  REQUIRE(driver->quote_ident(ident.data(), ident.size(), out.data(), out.size()) == needed);
  out.resize(needed);
  return out;
}

std::string placeholder(const tide_driver *driver, int i) {
  return driver->param_style == TIDE_PARAM_DOLLAR ? "$" + std::to_string(i) : "?";
}

const Dialect &dialect(const tide_driver *driver) {
  static const Dialect sqlite{"INTEGER", "REAL", "TEXT", "BLOB", "BOOLEAN", sqlite_series};
  static const Dialect postgres{"BIGINT", "DOUBLE PRECISION", "TEXT", "BYTEA", "BOOLEAN", postgres_series};
  // Written ahead of its plugin; adjust when it lands.
  static const Dialect mysql{"BIGINT", "DOUBLE", "LONGTEXT", "LONGBLOB", "BOOLEAN", mysql_series};
  std::string_view name = driver->name;
  if (name == "sqlite") return sqlite;
  if (name == "postgres") return postgres;
  if (name == "mysql") return mysql;
  // An out-of-tree driver (the SDK runs this suite against any plugin): standard SQL.
  static const Dialect standard{"BIGINT", "DOUBLE PRECISION", "VARCHAR(1000)", "BLOB", "BOOLEAN", sqlite_series};
  static const bool warned = [&] {
    WARN("no conformance dialect for driver '" << name << "': using standard SQL types (add one in harness.cpp)");
    return true;
  }();
  (void)warned;
  return standard;
}

Split split(const tide_driver *driver, std::string_view sql, size_t stop_after) {
  struct Collector {
    std::string_view sql;
    size_t stop_after;
    bool out_of_range = false;
    Split result;
  } collector{sql, stop_after, false, {}};
  // No REQUIRE in here: its exception would have to cross the plugin's C frames.
  auto on_statement = [](void *user, size_t start, size_t len) -> int {
    auto *c = static_cast<Collector *>(user);
    if (start > c->sql.size() || len > c->sql.size() - start) {
      c->out_of_range = true;
      return 1;
    }
    c->result.statements.emplace_back(c->sql.substr(start, len));
    c->result.starts.push_back(start);
    return c->result.statements.size() >= c->stop_after ? 1 : 0;
  };
  collector.result.rc = driver->split(sql.data(), sql.size(), on_statement, &collector);
  INFO("split reported a range outside the script");
  REQUIRE_FALSE(collector.out_of_range);
  return collector.result;
}

int UpsertCall::run(Conn &c, const std::vector<tide_value> &values) {
  tide_upsert spec{};
  spec.struct_size = sizeof spec;
  spec.table = table.c_str();
  spec.columns = columns.data();
  spec.ncolumns = columns.size();
  spec.key = key.data();
  spec.nkey = key.size();
  spec.update = update.data();
  spec.nupdate = update.size();
  spec.mode = mode;
  result = tide_upsert_result{-9, -9, -9, -9};
  return c.driver()->upsert(c.get(), &spec, values.data(), values.size() / columns.size(), &result);
}

std::string strip_blank(std::string_view text) {
  for (;;) {
    size_t first = text.find_first_not_of(" \t\r\n\f");
    text = first == std::string_view::npos ? std::string_view() : text.substr(first);
    if (text.starts_with("--")) {
      size_t nl = text.find('\n');
      text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    } else if (text.starts_with("/*") && text.find("*/") != std::string_view::npos) {
      text = text.substr(text.find("*/") + 2);
    } else {
      break;
    }
  }
  size_t last = text.find_last_not_of(" \t\r\n\f");
  return std::string(text.substr(0, last == std::string_view::npos ? 0 : last + 1));
}

}  // namespace conformance
