// The driver conformance suite (after golang-migrate's database/testing): every driver
// passes these cases against a real database, through the raw C ABI. Dialect-specific
// SQL comes from dialect() in harness.cpp; everything else here is portable SQL.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <limits>

#include "harness.h"

using namespace conformance;

namespace {

bool known_capabilities_only(uint32_t caps) {
  uint32_t known = TIDE_CAP_TRANSACTIONAL_DDL | TIDE_CAP_SAVEPOINTS | TIDE_CAP_SERVER_LOCK | TIDE_CAP_CONCURRENT_INDEX |
                   TIDE_CAP_EMBEDDED;
  return (caps & ~known) == 0;
}

// A table (id, n) with rows n = 1..count.
std::string numbers_table(Session &s, std::string_view base, int count) {
  std::string t = s.table(base);
  s.conn().exec_ok("CREATE TABLE " + t + " (id " + dialect(s.conn().driver()).int_type + " PRIMARY KEY, n " +
                   dialect(s.conn().driver()).int_type + ")");
  for (int i = 1; i <= count; ++i) {
    s.conn().exec_ok("INSERT INTO " + t + " (id, n) VALUES (" + std::to_string(i) + ", " + std::to_string(i) + ")");
  }
  return t;
}

std::string lock_key() { return unique_prefix() + "lock"; }

int lock(Conn &c, int64_t timeout_ms) { return c.driver()->lock(c.get(), lock_key().c_str(), timeout_ms); }

int unlock(Conn &c) { return c.driver()->unlock(c.get(), lock_key().c_str()); }

}  // namespace

TEST_CASE("abi: the driver table is complete and sane", "[conformance][abi]") {
  const Plugin *p = &configured_plugin();
  const tide_driver *d = p->driver;
  CHECK(d->abi_major == TIDE_ABI_MAJOR);
  CHECK(d->struct_size >= sizeof(tide_driver));
  REQUIRE(d->name != nullptr);
  CHECK(std::strlen(d->name) > 0);
  CHECK(d->version != nullptr);
  REQUIRE(d->schemes != nullptr);
  REQUIRE(d->schemes[0] != nullptr);
  bool url_scheme_listed = false;
  for (const char *const *s = d->schemes; *s; ++s) {
    url_scheme_listed |= p->url.starts_with(std::string(*s) + ":");
  }
  CHECK(url_scheme_listed);
  CHECK(known_capabilities_only(d->capabilities));
  CHECK((d->param_style == TIDE_PARAM_QMARK || d->param_style == TIDE_PARAM_DOLLAR));
  REQUIRE(d->history_ddl != nullptr);
  CHECK(std::string_view(d->history_ddl).find("{table}") != std::string_view::npos);
  for (auto fn : {(void *)d->connect,     (void *)d->close,        (void *)d->last_error, (void *)d->server_version,
                  (void *)d->exec,        (void *)d->query,        (void *)d->step,       (void *)d->column_count,
                  (void *)d->column_name, (void *)d->column_value, (void *)d->changes,    (void *)d->finalize,
                  (void *)d->begin,       (void *)d->commit,       (void *)d->rollback,   (void *)d->lock,
                  (void *)d->unlock,      (void *)d->quote_ident,  (void *)d->split,      (void *)d->in_transaction}) {
    CHECK(fn != nullptr);
  }
}

TEST_CASE("connect: server_version, and a failed connect carries its error", "[conformance][connect]") {
  const Plugin *p = &configured_plugin();
  {
    Conn c(*p);
    const char *version = p->driver->server_version(c.get());
    REQUIRE(version != nullptr);
    CHECK(std::strlen(version) > 0);
  }
  tide_conn *bad = nullptr;
  int rc = p->driver->connect("tide-no-such-scheme://nowhere/none", nullptr, &bad);
  CHECK(rc < 0);
  REQUIRE(bad != nullptr);  // only NULL on TIDE_ENOMEM (driver.h)
  const tide_error *e = p->driver->last_error(bad);
  REQUIRE(e != nullptr);
  CHECK(e->code == rc);
  REQUIRE(e->message != nullptr);
  CHECK(std::strlen(e->message) > 0);
  p->driver->close(bad);
  p->driver->close(nullptr);  // NULL-safe
}

TEST_CASE("history_ddl: creates the history table, idempotently", "[conformance][ddl]") {
  const Plugin *p = &configured_plugin();
  Session s(*p);
  std::string ddl = p->driver->history_ddl;
  std::string t = s.table("history");
  ddl.replace(ddl.find("{table}"), 7, t);
  s.conn().exec_ok(ddl);
  s.conn().exec_ok(ddl);
  s.conn().exec_ok("INSERT INTO " + t +
                   " (kind, version, name, checksum, status, applied_at) VALUES "
                   "('migration', '001', 'init', 'abc', 'applied', '2026-01-01 00:00:00')");
  CHECK(s.conn().scalar_int("SELECT duration_ms FROM " + t) == 0);
  // PRIMARY KEY (kind, version)
  CHECK(s.conn().exec("INSERT INTO " + t +
                      " (kind, version, name, checksum, status, applied_at) VALUES "
                      "('migration', '001', 'again', 'abc', 'applied', 'x')") == TIDE_EDB);
}

TEST_CASE("exec: runs a script of several statements", "[conformance][exec]") {
  const Plugin *p = &configured_plugin();
  Session s(*p);
  std::string t = s.table("exec");
  const std::string &int_type = dialect(p->driver).int_type;
  s.conn().exec_ok("-- a leading comment\nCREATE TABLE " + t + " (n " + int_type + ");\n" + "INSERT INTO " + t +
                   " (n) VALUES (1);\n/* block; comment */\n" + "INSERT INTO " + t + " (n) VALUES (2); INSERT INTO " +
                   t + " (n) VALUES (3)\n");
  CHECK(s.conn().scalar_int("SELECT sum(n) FROM " + t) == 6);
  s.conn().exec_ok("");
  s.conn().exec_ok("  -- only a comment\n");
}

TEST_CASE("exec: an error says which statement failed", "[conformance][exec]") {
  const Plugin *p = &configured_plugin();
  Session s(*p);
  std::string t = numbers_table(s, "exec_err", 0);
  // failing: the text of the failing statement (its last occurrence in script).
  auto expect_failure_at = [&](const std::string &script, std::string_view failing, std::string_view token) {
    INFO(script);
    CHECK(s.conn().exec(script) == TIDE_EDB);
    const tide_error &e = s.conn().error();
    INFO(s.conn().describe_error());
    CHECK(e.code == TIDE_EDB);
    REQUIRE(e.message != nullptr);
    CHECK(std::strlen(e.message) > 0);
    CHECK(e.statement_offset == static_cast<int64_t>(script.rfind(failing)));
    if (e.error_position >= 0) {  // optional: not every database reports it
      REQUIRE(e.statement_offset >= 0);
      CHECK(script.substr(e.statement_offset + e.error_position).starts_with(token));
    }
  };
  expect_failure_at("INSERT INTO " + t + " (id, n) VALUES (1, 1);\n-- note; here\n" +
                        "INSERT INTO tide_no_such_table (n) VALUES (2);\nINSERT INTO " + t + " (id, n) VALUES (3, 3);",
                    "INSERT INTO tide_no_such_table", "tide_no_such_table");
  // The statement before the failing one ran (autocommit); the one after did not.
  CHECK(s.conn().scalar_int("SELECT count(*) FROM " + t) == 1);
  expect_failure_at("SELECT 1;\n  SELEC 2;\nSELECT 3;", "SELEC 2", "SELEC");
  expect_failure_at("SELECT 1;\nSELECT n FROM " + t + ";\nSELECT tide_no_such_column FROM " + t + ";",
                    "SELECT tide_no_such_column", "tide_no_such_column");
  // A constraint violation while running (not preparing) the statement.
  expect_failure_at("INSERT INTO " + t + " (id, n) VALUES (2, 2);\nINSERT INTO " + t + " (id, n) VALUES (2, 2);",
                    "INSERT INTO " + t + " (id, n) VALUES (2, 2);", "");
}

TEST_CASE("query: parameters of every type round-trip", "[conformance][query]") {
  const Plugin *p = &configured_plugin();
  Session s(*p);
  const Dialect &d = dialect(p->driver);
  std::string t = s.table("types");
  s.conn().exec_ok("CREATE TABLE " + t + " (id " + d.int_type + ", i " + d.int_type + ", f " + d.float_type + ", t " +
                   d.text_type + ", b " + d.blob_type + ", flag " + d.bool_type + ")");
  std::string insert = "INSERT INTO " + t + " (id, i, f, t, b, flag) VALUES (";
  for (int i = 1; i <= 6; ++i) insert += placeholder(p->driver, i) + (i < 6 ? ", " : ")");

  struct Row {
    int64_t i;
    double f;
    std::string text, blob;
    bool flag;
  };
  const std::vector<Row> rows = {
      {std::numeric_limits<int64_t>::min(), 3.141592653589793, "it's \"quoted\"; `x`", "", true},
      {std::numeric_limits<int64_t>::max(), -1e300, "héllo wörld — 日本語 🌊", std::string("\0\x01\xff\0", 4), false},
      {0, 0.1, "", std::string(1, '\0'), true},
  };
  for (size_t k = 0; k < rows.size(); ++k) {
    const Row &r = rows[k];
    s.conn().run_changes(insert, {int_value(int64_t(k)), int_value(r.i), float_value(r.f), text_value(r.text),
                                  blob_value(r.blob), bool_value(r.flag)});
  }
  auto got = s.conn().rows("SELECT i, f, t, b, flag FROM " + t + " ORDER BY id");
  REQUIRE(got.size() == rows.size());
  for (size_t k = 0; k < rows.size(); ++k) {
    INFO("row " << k);
    const auto &g = got[k];
    CHECK(g[0].type == TIDE_TYPE_INT);
    CHECK(g[0].i == rows[k].i);
    CHECK(g[1].type == TIDE_TYPE_FLOAT);
    CHECK(g[1].f == rows[k].f);
    CHECK(g[2].type == TIDE_TYPE_TEXT);
    CHECK(g[2].s == rows[k].text);
    CHECK(g[3].type == TIDE_TYPE_BLOB);
    CHECK(g[3].s == rows[k].blob);
    // Databases without a boolean type give the integer back.
    CHECK((g[4].type == TIDE_TYPE_BOOL || g[4].type == TIDE_TYPE_INT));
    CHECK(g[4].i == (rows[k].flag ? 1 : 0));
  }
}

TEST_CASE("query: NULL parameters and NULL columns", "[conformance][query]") {
  const Plugin *p = &configured_plugin();
  Session s(*p);
  const Dialect &d = dialect(p->driver);
  std::string t = s.table("nulls");
  s.conn().exec_ok("CREATE TABLE " + t + " (i " + d.int_type + ", f " + d.float_type + ", t " + d.text_type + ", b " +
                   d.blob_type + ", flag " + d.bool_type + ")");
  std::string insert = "INSERT INTO " + t + " (i, f, t, b, flag) VALUES (";
  for (int i = 1; i <= 5; ++i) insert += placeholder(p->driver, i) + (i < 5 ? ", " : ")");
  CHECK(s.conn().run_changes(insert, std::vector<tide_value>(5, null_value())) == 1);
  auto got = s.conn().rows("SELECT i, f, t, b, flag FROM " + t);
  REQUIRE(got.size() == 1);
  REQUIRE(got[0].size() == 5);
  for (const Value &v : got[0]) CHECK(v.type == TIDE_TYPE_NULL);
}

TEST_CASE("query: column count and names", "[conformance][query]") {
  const Plugin *p = &configured_plugin();
  Session s(*p);
  std::string t = numbers_table(s, "names", 1);
  std::string sql = "SELECT id AS first_col, n AS second_col FROM " + t;
  tide_stmt *raw = nullptr;
  REQUIRE(p->driver->query(s.conn().get(), sql.data(), sql.size(), nullptr, 0, &raw) == TIDE_OK);
  Stmt stmt(p->driver, raw);
  REQUIRE(p->driver->column_count(raw) == 2);
  CHECK(std::string(p->driver->column_name(raw, 0)) == "first_col");
  CHECK(std::string(p->driver->column_name(raw, 1)) == "second_col");
}

TEST_CASE("query: a million rows stream through step()", "[conformance][query][stream]") {
  const Plugin *p = &configured_plugin();
  Conn c(*p);
  const int64_t n = 1000000;
  std::string sql = dialect(p->driver).series(n);
  tide_stmt *raw = nullptr;
  REQUIRE(p->driver->query(c.get(), sql.data(), sql.size(), nullptr, 0, &raw) == TIDE_OK);
  Stmt stmt(p->driver, raw);
  int64_t count = 0, sum = 0;
  int rc;
  while ((rc = stmt.step()) == TIDE_ROW) {
    tide_value v{};
    if (p->driver->column_value(raw, 0, &v) != TIDE_OK || v.type != TIDE_TYPE_INT) break;
    ++count;
    sum += v.u.i;
  }
  INFO(c.describe_error());
  CHECK(rc == TIDE_DONE);
  CHECK(count == n);
  CHECK(sum == n * (n + 1) / 2);
}

TEST_CASE("changes: rows affected by INSERT, UPDATE and DELETE", "[conformance][query]") {
  const Plugin *p = &configured_plugin();
  Session s(*p);
  std::string t = numbers_table(s, "changes", 0);
  Conn &c = s.conn();
  std::string insert =
      "INSERT INTO " + t + " (id, n) VALUES (" + placeholder(p->driver, 1) + ", " + placeholder(p->driver, 2) + ")";
  for (int i = 1; i <= 3; ++i) CHECK(c.run_changes(insert, {int_value(i), int_value(i)}) == 1);
  CHECK(c.run_changes("UPDATE " + t + " SET n = n + 100 WHERE id >= 2") == 2);
  CHECK(c.run_changes("UPDATE " + t + " SET n = n + 100 WHERE id > 99") == 0);
  CHECK(c.run_changes("DELETE FROM " + t) == 3);
  // Statements that change no rows say so (or "unknown"), not the previous count.
  std::string other = s.table("changes_ddl");
  CHECK(c.run_changes("CREATE TABLE " + other + " (n " + dialect(p->driver).int_type + ")") <= 0);
  CHECK(c.run_changes("SELECT count(*) FROM " + t) <= 0);
}

TEST_CASE("query: one open statement per connection", "[conformance][query]") {
  const Plugin *p = &configured_plugin();
  Session s(*p);
  std::string t = numbers_table(s, "one_stmt", 2);
  const tide_driver *d = p->driver;
  std::string sql = "SELECT n FROM " + t + " ORDER BY n";
  tide_stmt *first = nullptr, *second = nullptr;
  REQUIRE(d->query(s.conn().get(), sql.data(), sql.size(), nullptr, 0, &first) == TIDE_OK);
  {
    Stmt guard(d, first);
    REQUIRE(guard.step() == TIDE_ROW);
    CHECK(d->query(s.conn().get(), sql.data(), sql.size(), nullptr, 0, &second) == TIDE_EMISUSE);
    CHECK(s.conn().error().code == TIDE_EMISUSE);
    CHECK(s.conn().error().message != nullptr);
    CHECK(s.conn().exec("SELECT 1") == TIDE_EMISUSE);
    // The open statement is unharmed by the refused calls.
    CHECK(guard.column(0).i == 1);
    CHECK(guard.step() == TIDE_ROW);
  }
  CHECK(s.conn().scalar_int("SELECT count(*) FROM " + t) == 2);
  d->finalize(nullptr);  // NULL-safe
}

TEST_CASE("column_value: misuse is refused", "[conformance][query]") {
  const Plugin *p = &configured_plugin();
  Session s(*p);
  std::string t = numbers_table(s, "misuse", 1);
  const tide_driver *d = p->driver;
  std::string sql = "SELECT n FROM " + t;
  tide_stmt *raw = nullptr;
  REQUIRE(d->query(s.conn().get(), sql.data(), sql.size(), nullptr, 0, &raw) == TIDE_OK);
  Stmt stmt(d, raw);
  tide_value v{};
  CHECK(d->column_value(raw, 0, &v) == TIDE_EMISUSE);  // before the first row
  REQUIRE(stmt.step() == TIDE_ROW);
  CHECK(d->column_value(raw, 1, &v) == TIDE_EMISUSE);  // out of range
  CHECK(d->column_value(raw, -1, &v) == TIDE_EMISUSE);
  REQUIRE(stmt.step() == TIDE_DONE);
  CHECK(stmt.step() == TIDE_DONE);                     // DONE stays DONE
  CHECK(d->column_value(raw, 0, &v) == TIDE_EMISUSE);  // after the last row
}

TEST_CASE("query: errors come back from query() or step()", "[conformance][query]") {
  const Plugin *p = &configured_plugin();
  Conn c(*p);
  std::string sql = "SELECT * FROM tide_no_such_table";
  tide_stmt *raw = nullptr;
  int rc = p->driver->query(c.get(), sql.data(), sql.size(), nullptr, 0, &raw);
  if (rc == TIDE_OK) {  // a driver may report it at the first step
    Stmt stmt(p->driver, raw);
    rc = stmt.step();
  }
  CHECK(rc == TIDE_EDB);
  CHECK(c.error().code == TIDE_EDB);
  REQUIRE(c.error().message != nullptr);
  CHECK(std::strlen(c.error().message) > 0);
  // The connection is still usable.
  CHECK(c.scalar_int("SELECT 1") == 1);
}

TEST_CASE("transactions: rollback discards, commit keeps", "[conformance][tx]") {
  const Plugin *p = &configured_plugin();
  Session s(*p);
  std::string t = numbers_table(s, "tx", 0);
  const tide_driver *d = p->driver;
  Conn &c = s.conn();
  auto count = [&](Conn &on) { return on.scalar_int("SELECT count(*) FROM " + t); };

  REQUIRE(d->begin(c.get()) == TIDE_OK);
  c.exec_ok("INSERT INTO " + t + " (id, n) VALUES (1, 1)");
  CHECK(count(c) == 1);
  CHECK(d->begin(c.get()) == TIDE_EMISUSE);  // no nesting; savepoints are for that
  REQUIRE(d->rollback(c.get()) == TIDE_OK);
  CHECK(count(c) == 0);

  REQUIRE(d->begin(c.get()) == TIDE_OK);
  c.exec_ok("INSERT INTO " + t + " (id, n) VALUES (2, 2)");
  REQUIRE(d->commit(c.get()) == TIDE_OK);
  Conn other(*p);
  CHECK(count(other) == 1);

  if (d->capabilities & TIDE_CAP_SAVEPOINTS) {
    REQUIRE(d->begin(c.get()) == TIDE_OK);
    c.exec_ok("SAVEPOINT tide_sp");
    c.exec_ok("INSERT INTO " + t + " (id, n) VALUES (3, 3)");
    c.exec_ok("ROLLBACK TO SAVEPOINT tide_sp");
    c.exec_ok("RELEASE SAVEPOINT tide_sp");
    REQUIRE(d->commit(c.get()) == TIDE_OK);
    CHECK(count(c) == 1);
  }
}

TEST_CASE("transactions: in_transaction follows the database, including a COMMIT run through exec",
          "[conformance][tx]") {
  const Plugin *p = &configured_plugin();
  const tide_driver *d = p->driver;
  Conn c(*p);
  CHECK(d->in_transaction(nullptr) == 0);
  CHECK(d->in_transaction(c.get()) == 0);
  REQUIRE(d->begin(c.get()) == TIDE_OK);
  CHECK(d->in_transaction(c.get()) == 1);
  c.exec_ok("COMMIT");  // what a migration's own COMMIT does to the host's transaction
  CHECK(d->in_transaction(c.get()) == 0);
  CHECK(d->rollback(c.get()) == TIDE_OK);  // nothing open: still fine (driver.h)
  CHECK(d->commit(c.get()) == TIDE_EMISUSE);
}

TEST_CASE("transactions: DDL rolls back where the driver says so", "[conformance][tx]") {
  const Plugin *p = &configured_plugin();
  if (!(p->driver->capabilities & TIDE_CAP_TRANSACTIONAL_DDL)) return;
  Session s(*p);
  std::string t = s.table("tx_ddl");
  REQUIRE(p->driver->begin(s.conn().get()) == TIDE_OK);
  s.conn().exec_ok("CREATE TABLE " + t + " (n " + dialect(p->driver).int_type + ")");
  REQUIRE(p->driver->rollback(s.conn().get()) == TIDE_OK);
  CHECK(s.conn().exec("SELECT count(*) FROM " + t) == TIDE_EDB);
}

TEST_CASE("lock: a second connection times out, then gets the lock once released", "[conformance][lock]") {
  const Plugin *p = &configured_plugin();
  Conn holder(*p), waiter(*p);
  REQUIRE(lock(holder, 1000) == TIDE_OK);
  CHECK(lock(waiter, 0) == TIDE_ETIMEOUT);
  CHECK(lock(waiter, 150) == TIDE_ETIMEOUT);
  CHECK(waiter.error().code == TIDE_ETIMEOUT);
  REQUIRE(waiter.error().message != nullptr);
  CHECK(std::strlen(waiter.error().message) > 0);

  REQUIRE(unlock(holder) == TIDE_OK);
  CHECK(lock(waiter, 1000) == TIDE_OK);
  CHECK(lock(holder, 100) == TIDE_ETIMEOUT);
  // close() releases the lock too.
  waiter.close();
  CHECK(lock(holder, 1000) == TIDE_OK);
  CHECK(unlock(holder) == TIDE_OK);
}

namespace {

// In a forked child: take the lock, tell the parent, then wait to be killed or told to
// exit. Never returns, never runs Catch code or destructors.
[[noreturn]] void hold_lock_in_child(const Plugin &p, int ready_fd, int go_fd) {
  tide_conn *conn = nullptr;
  char status = 'E';
  if (p.driver->connect(p.url.c_str(), nullptr, &conn) == TIDE_OK &&
      p.driver->lock(conn, lock_key().c_str(), 5000) == TIDE_OK) {
    status = 'L';
  }
  if (write(ready_fd, &status, 1) != 1 || status != 'L') _exit(1);
  char byte;
  [[maybe_unused]] ssize_t n = read(go_fd, &byte, 1);  // EOF: the parent says exit
  _exit(0);                                            // no unlock, no close: the process just ends
}

}  // namespace

TEST_CASE("lock: a process that ends holding the lock leaves none behind", "[conformance][lock]") {
  const Plugin *p = &configured_plugin();
  bool kill_it = GENERATE(false, true);
  INFO((kill_it ? "holder is SIGKILLed" : "holder calls _exit"));
  int ready[2], go[2];
  REQUIRE(pipe(ready) == 0);
  REQUIRE(pipe(go) == 0);
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    close(ready[0]);
    close(go[1]);
    hold_lock_in_child(*p, ready[1], go[0]);
  }
  close(ready[1]);
  close(go[0]);
  char status = 0;
  CHECK(read(ready[0], &status, 1) == 1);
  close(ready[0]);
  REQUIRE(status == 'L');

  Conn c(*p);
  CHECK(lock(c, 100) == TIDE_ETIMEOUT);
  if (kill_it) kill(child, SIGKILL);
  close(go[1]);
  int wstatus = 0;
  REQUIRE(waitpid(child, &wstatus, 0) == child);
  // A server may need a moment to notice the dead session.
  CHECK(lock(c, 5000) == TIDE_OK);
  CHECK(unlock(c) == TIDE_OK);
}

TEST_CASE("quote_ident: length protocol and a round trip", "[conformance][quote]") {
  const Plugin *p = &configured_plugin();
  const tide_driver *d = p->driver;
  std::string ident = unique_prefix() + "we\"ird 'name`";
  char small[4] = {'x', 'x', 'x', 'x'};
  size_t needed = d->quote_ident(ident.data(), ident.size(), small, sizeof small);
  CHECK(needed > ident.size());
  std::string out(needed, 'x');  // exactly one byte too small for the NUL
  CHECK(d->quote_ident(ident.data(), ident.size(), out.data(), out.size()) == needed);
  out.assign(needed + 1, 'x');
  REQUIRE(d->quote_ident(ident.data(), ident.size(), out.data(), out.size()) == needed);
  CHECK(out[needed] == '\0');
  CHECK(std::strlen(out.c_str()) == needed);

  Session s(*p);
  std::string t = s.table("we\"ird 'name`");
  std::string col = quote_ident(d, "col\"umn");
  s.conn().exec_ok("CREATE TABLE " + t + " (" + col + " " + dialect(d).int_type + ")");
  s.conn().exec_ok("INSERT INTO " + t + " (" + col + ") VALUES (7)");
  std::string sql = "SELECT " + col + " FROM " + t;
  tide_stmt *raw = nullptr;
  REQUIRE(d->query(s.conn().get(), sql.data(), sql.size(), nullptr, 0, &raw) == TIDE_OK);
  Stmt stmt(d, raw);
  REQUIRE(stmt.step() == TIDE_ROW);
  CHECK(std::string(d->column_name(raw, 0)) == "col\"umn");
  CHECK(stmt.column(0).i == 7);
}

TEST_CASE("split: portable cases", "[conformance][split]") {
  const Plugin *p = &configured_plugin();
  const tide_driver *d = p->driver;
  auto texts = [](const Split &s) {
    std::vector<std::string> out;
    for (const auto &st : s.statements) out.push_back(strip_blank(st));
    return out;
  };
  using V = std::vector<std::string>;
  CHECK(texts(split(d, "SELECT 1; SELECT 2;")) == V{"SELECT 1", "SELECT 2"});
  CHECK(texts(split(d, "SELECT 1;\nSELECT 2")) == V{"SELECT 1", "SELECT 2"});
  CHECK(texts(split(d, "SELECT 'a;b'; SELECT 2;")) == V{"SELECT 'a;b'", "SELECT 2"});
  CHECK(texts(split(d, "SELECT 1; -- no; split\nSELECT 2;")) == V{"SELECT 1", "SELECT 2"});
  CHECK(texts(split(d, "SELECT 1 /* no; split */ + 1;")) == V{"SELECT 1 /* no; split */ + 1"});
  CHECK(split(d, "").statements.empty());
  CHECK(split(d, "  \n\t ").statements.empty());
  CHECK(split(d, "SELECT 1; SELECT 2; SELECT 3;", 2).statements.size() == 2);  // fn stops it

  Split unterminated = split(d, "SELECT 1; SELECT 'oops");
  CHECK(unterminated.rc == TIDE_EMISUSE);
  CHECK(texts(unterminated) == V{"SELECT 1", "SELECT 'oops"});
}
