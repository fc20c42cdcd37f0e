// Behaviour only the SQLite driver has: its URL forms, files on disk, the sidecar lock
// file, foreign keys on by default. Runs only when the plugin under test is SQLite, in
// a private temporary directory.
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "harness.h"

using namespace conformance;
namespace fs = std::filesystem;

namespace {

// Another driver under test skips these cases; no driver at all fails them.
const Plugin *sqlite_plugin_or_skip() {
  const Plugin &p = configured_plugin();
  return std::string_view(p.driver->name) == "sqlite" ? &p : nullptr;
}

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "tide-conformance-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path &path() const { return path_; }

 private:
  fs::path path_;
};

// Connects, expecting failure; returns the error code and message.
std::pair<int, std::string> connect_error(const Plugin &p, const std::string &url) {
  tide_conn *conn = nullptr;
  int rc = p.driver->connect(url.c_str(), nullptr, &conn);
  REQUIRE(conn != nullptr);
  const tide_error *e = p.driver->last_error(conn);
  std::pair<int, std::string> result{rc, e->message ? e->message : ""};
  p.driver->close(conn);
  return result;
}

// A connection works and leaves a database file at path.
void check_creates(const Plugin &p, const std::string &url, const fs::path &path) {
  INFO(url);
  {
    Conn c(p, url);
    c.exec_ok("CREATE TABLE IF NOT EXISTS t (n INTEGER)");
  }
  CHECK(fs::exists(path));
}

}  // namespace

TEST_CASE("sqlite: URL forms", "[sqlite][url]") {
  const Plugin *p = sqlite_plugin_or_skip();
  if (!p) return;
  TempDir dir;
  std::string abs = dir.path().string();
  check_creates(*p, "sqlite:" + abs + "/a.db", dir.path() / "a.db");
  check_creates(*p, "sqlite://" + abs + "/b.db", dir.path() / "b.db");  // sqlite:///abs
  check_creates(*p, "sqlite3:" + abs + "/c.db?cache=shared&x=1", dir.path() / "c.db");
  check_creates(*p, "SQLite:" + abs + "/with%20space.db", dir.path() / "with space.db");
  // Relative paths are relative to the current directory, with or without "//".
  std::string rel = fs::relative(dir.path(), fs::current_path()).string();
  check_creates(*p, "sqlite:" + rel + "/d.db", dir.path() / "d.db");
  check_creates(*p, "sqlite://" + rel + "/e.db", dir.path() / "e.db");
  // Missing parent directories are created (the default is db/<env>.sqlite3).
  check_creates(*p, "sqlite:" + abs + "/db/nested/f.sqlite3", dir.path() / "db/nested/f.sqlite3");

  for (std::string url : {"sqlite::memory:", "sqlite3::memory:", "sqlite://:memory:"}) {
    INFO(url);
    Conn c(*p, url);
    c.exec_ok("CREATE TABLE t (n INTEGER); INSERT INTO t VALUES (1)");
    CHECK(c.scalar_int("SELECT count(*) FROM t") == 1);
  }
  CHECK(connect_error(*p, "sqlite:").first == TIDE_EMISUSE);
  CHECK(connect_error(*p, "postgres://localhost/x").first == TIDE_EMISUSE);
}

TEST_CASE("sqlite: mode=ro opens read-only", "[sqlite][url]") {
  const Plugin *p = sqlite_plugin_or_skip();
  if (!p) return;
  TempDir dir;
  std::string path = (dir.path() / "ro.db").string();
  check_creates(*p, "sqlite:" + path, path);
  Conn c(*p, "sqlite:" + path + "?mode=ro");
  CHECK(c.scalar_int("SELECT count(*) FROM t") == 0);
  CHECK(c.exec("INSERT INTO t VALUES (1)") == TIDE_EDB);
  CHECK((c.error().vendor_code & 0xff) == 8);  // SQLITE_READONLY
  // Read-only never creates a file.
  auto [rc, message] = connect_error(*p, "sqlite:" + (dir.path() / "absent.db").string() + "?mode=ro");
  CHECK(rc == TIDE_ECONNECT);
  CHECK_FALSE(fs::exists(dir.path() / "absent.db"));
}

TEST_CASE("sqlite: a file that is not a database fails at connect", "[sqlite][connect]") {
  const Plugin *p = sqlite_plugin_or_skip();
  if (!p) return;
  TempDir dir;
  fs::path path = dir.path() / "notes.txt";
  std::ofstream(path) << "these are not the pages you are looking for\n" << std::string(4096, 'x');
  auto [rc, message] = connect_error(*p, "sqlite:" + path.string());
  CHECK(rc == TIDE_ECONNECT);
  CHECK_THAT(message, Catch::Contains("file is not a database"));
  CHECK_THAT(message, Catch::Contains(path.string()));
}

TEST_CASE("sqlite: foreign keys are enforced", "[sqlite][connect]") {
  const Plugin *p = sqlite_plugin_or_skip();
  if (!p) return;
  Conn c(*p, "sqlite::memory:");
  c.exec_ok(
      "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
      "CREATE TABLE child (parent_id INTEGER REFERENCES parent (id))");
  CHECK(c.exec("INSERT INTO child VALUES (42)") == TIDE_EDB);
  CHECK(c.error().vendor_code == 787);  // SQLITE_CONSTRAINT_FOREIGNKEY
}

TEST_CASE("sqlite: the lock is a sidecar file, gone after unlock", "[sqlite][lock]") {
  const Plugin *p = sqlite_plugin_or_skip();
  if (!p) return;
  TempDir dir;
  fs::path db = dir.path() / "locked.db";
  fs::path lock_file = dir.path() / "locked.db-tide.lock";
  Conn a(*p, "sqlite:" + db.string()), b(*p, "sqlite:" + db.string());
  REQUIRE(p->driver->lock(a.get(), "k", 0) == TIDE_OK);
  CHECK(fs::exists(lock_file));
  std::string pid;
  std::ifstream(lock_file) >> pid;
  CHECK(pid == std::to_string(getpid()));
  CHECK(p->driver->lock(a.get(), "k", 0) == TIDE_OK);  // already held by a: no-op
  CHECK(p->driver->lock(b.get(), "k", 0) == TIDE_ETIMEOUT);
  CHECK_THAT(b.error().message,
             Catch::Contains("another tide process holds the migration lock") && Catch::Contains(db.string()));
  REQUIRE(p->driver->unlock(a.get(), "k") == TIDE_OK);
  CHECK_FALSE(fs::exists(lock_file));
  CHECK(p->driver->unlock(a.get(), "k") == TIDE_EMISUSE);
  // The database itself stays usable by both throughout.
  a.exec_ok("CREATE TABLE t (n INTEGER)");
  CHECK(b.scalar_int("SELECT count(*) FROM t") == 0);
}

TEST_CASE("sqlite: lock on :memory: is a no-op", "[sqlite][lock]") {
  const Plugin *p = sqlite_plugin_or_skip();
  if (!p) return;
  Conn a(*p, "sqlite::memory:"), b(*p, "sqlite::memory:");
  CHECK(p->driver->lock(a.get(), "k", 0) == TIDE_OK);
  CHECK(p->driver->lock(b.get(), "k", 0) == TIDE_OK);
  CHECK(p->driver->unlock(a.get(), "k") == TIDE_OK);
}

TEST_CASE("sqlite: transaction edge cases", "[sqlite][tx]") {
  const Plugin *p = sqlite_plugin_or_skip();
  if (!p) return;
  Conn c(*p, "sqlite::memory:");
  // rollback() without a transaction succeeds: SQLite may already have rolled back.
  CHECK(p->driver->rollback(c.get()) == TIDE_OK);
  CHECK(p->driver->commit(c.get()) == TIDE_EMISUSE);
  // close() rolls back an open transaction.
  TempDir dir;
  std::string url = "sqlite:" + (dir.path() / "tx.db").string();
  Conn a(*p, url);
  a.exec_ok("CREATE TABLE t (n INTEGER)");
  REQUIRE(p->driver->begin(a.get()) == TIDE_OK);
  a.exec_ok("INSERT INTO t VALUES (1)");
  a.close();
  Conn b(*p, url);
  CHECK(b.scalar_int("SELECT count(*) FROM t") == 0);
}

TEST_CASE("sqlite: query() takes exactly one statement and the right parameter count", "[sqlite][query]") {
  const Plugin *p = sqlite_plugin_or_skip();
  if (!p) return;
  Conn c(*p, "sqlite::memory:");
  auto query_rc = [&](std::string_view sql, std::vector<tide_value> params) {
    tide_stmt *raw = nullptr;
    int rc = p->driver->query(c.get(), sql.data(), sql.size(), params.data(), params.size(), &raw);
    p->driver->finalize(raw);
    return rc;
  };
  CHECK(query_rc("SELECT 1; SELECT 2", {}) == TIDE_EMISUSE);
  CHECK(query_rc("SELECT 1; -- trailing comment\n", {}) == TIDE_OK);
  CHECK(query_rc("  -- nothing\n", {}) == TIDE_EMISUSE);
  CHECK(query_rc("SELECT ?", {}) == TIDE_EMISUSE);
  CHECK(query_rc("SELECT ?", {int_value(1), int_value(2)}) == TIDE_EMISUSE);
  CHECK(query_rc("SELEC 1", {}) == TIDE_EDB);
  CHECK(c.error().error_position == 0);
  CHECK(c.scalar_int("SELECT ?1 + ?1", {int_value(21)}) == 42);
}
