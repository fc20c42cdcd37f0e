// Behaviour only the PostgreSQL driver has, through the raw ABI against a real server:
// one round trip per script inside a transaction (and still the right failing
// statement), COPY FROM STDIN data, CONCURRENTLY outside transactions, type mapping,
// session settings, connection failures without passwords, a lost connection, dump(),
// upsert's prepared shapes and the rows its errors name.
// Runs only when the plugin under test is the PostgreSQL driver.
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <tuple>
#include <vector>

#include "harness.h"

using namespace conformance;

namespace {

const Plugin *postgres_plugin_or_skip() {
  const Plugin &p = configured_plugin();
  return std::string_view(p.driver->name) == "postgres" ? &p : nullptr;
}

struct ConnectResult {
  int rc;
  std::string message;
};

ConnectResult try_connect(const Plugin &p, const std::string &url, const tide_connect_options *options = nullptr) {
  tide_conn *conn = nullptr;
  int rc = p.driver->connect(url.c_str(), options, &conn);
  REQUIRE(conn != nullptr);
  const tide_error *e = p.driver->last_error(conn);
  ConnectResult r{rc, e->message ? e->message : ""};
  p.driver->close(conn);
  return r;
}

// The URL's password (postgres://user:PASSWORD@host...), or "".
std::string password_of(const std::string &url) {
  size_t scheme = url.find("://");
  size_t at = url.rfind('@');
  size_t colon = url.find(':', scheme + 3);
  if (scheme == std::string::npos || at == std::string::npos || colon == std::string::npos || colon > at) return "";
  return url.substr(colon + 1, at - colon - 1);
}

std::string with_password(const std::string &url, const std::string &password) {
  std::string old = password_of(url);
  std::string out = url;
  out.replace(out.find(":" + old + "@") + 1, old.size(), password);
  return out;
}

int64_t backend_pid(Conn &c) { return c.scalar_int("SELECT pg_backend_pid()"); }

}  // namespace

TEST_CASE("postgres: a script in a transaction is one round trip, and errors still name their statement",
          "[postgres][exec]") {
  const Plugin *p = postgres_plugin_or_skip();
  if (!p) return;
  Session s(*p);
  Conn &c = s.conn();
  const tide_driver *d = p->driver;
  std::string t = s.table("batch");
  c.exec_ok("CREATE TABLE " + t + " (id bigint PRIMARY KEY)");
  auto failing = [&](const std::string &script, const std::string &statement, const std::string &token) {
    INFO(script);
    REQUIRE(d->begin(c.get()) == TIDE_OK);
    CHECK(c.exec(script) == TIDE_EDB);
    INFO(c.describe_error());
    const tide_error &e = c.error();
    CHECK(e.statement_offset == static_cast<int64_t>(script.rfind(statement)));
    if (!token.empty()) {
      REQUIRE(e.error_position >= 0);
      CHECK(script.substr(e.statement_offset + e.error_position).starts_with(token));
    }
    CHECK(d->in_transaction(c.get()) == 1);  // the host's transaction, to roll back
    CHECK(d->rollback(c.get()) == TIDE_OK);
    CHECK(d->in_transaction(c.get()) == 0);
  };
  // A syntax error: the server parses the whole message first, so nothing ran, not
  // even the deferred BEGIN; the position (in characters: note the é) names it.
  failing("INSERT INTO " + t + " VALUES (1);\n-- é; comment\nSELEC 2;\nSELECT 3;", "SELEC 2", "SELEC");
  // An error found while running, with a position.
  failing("INSERT INTO " + t + " VALUES (1);\nSELECT tide_no_such_column FROM " + t + ";", "SELECT tide_no_such_column",
          "tide_no_such_column");
  // No position (a constraint violation): the count of completed statements says.
  failing("INSERT INTO " + t + " VALUES (1);\nINSERT INTO " + t + " VALUES (2);\nINSERT INTO " + t + " VALUES (1);",
          "INSERT INTO " + t + " VALUES (1);", "");
  CHECK(c.scalar_int("SELECT count(*) FROM " + t) == 0);  // all rolled back
  // And the connection is fine after all that.
  REQUIRE(d->begin(c.get()) == TIDE_OK);
  c.exec_ok("INSERT INTO " + t + " VALUES (7); INSERT INTO " + t + " VALUES (8)");
  REQUIRE(d->commit(c.get()) == TIDE_OK);
  CHECK(c.scalar_int("SELECT sum(id) FROM " + t) == 15);
}

TEST_CASE("postgres: the last failing statement of a constraint violation, counted past the BEGIN",
          "[postgres][exec]") {
  const Plugin *p = postgres_plugin_or_skip();
  if (!p) return;
  Session s(*p);
  Conn &c = s.conn();
  std::string t = s.table("dup");
  c.exec_ok("CREATE TABLE " + t + " (id bigint PRIMARY KEY)");
  std::string script = "INSERT INTO " + t + " VALUES (1);\nINSERT INTO " + t + " VALUES (1);";
  REQUIRE(p->driver->begin(c.get()) == TIDE_OK);
  CHECK(c.exec(script) == TIDE_EDB);
  CHECK(c.error().statement_offset == static_cast<int64_t>(script.rfind("INSERT")));
  REQUIRE(c.error().sqlstate != nullptr);
  CHECK(std::string(c.error().sqlstate) == "23505");
  REQUIRE(c.error().detail != nullptr);
  CHECK(std::string(c.error().detail).find("already exists") != std::string::npos);
  CHECK(p->driver->rollback(c.get()) == TIDE_OK);
}

TEST_CASE("postgres: COPY FROM STDIN with its data, in and out of a transaction", "[postgres][exec]") {
  const Plugin *p = postgres_plugin_or_skip();
  if (!p) return;
  Session s(*p);
  Conn &c = s.conn();
  std::string t = s.table("copy");
  std::string script = "CREATE TABLE " + t + " (a int, b text);\nCOPY " + t +
                       " (a, b) FROM stdin;\n1\tone; two\n2\t'x'\n\\.\nINSERT INTO " + t + " VALUES (3, 'three');\n";
  c.exec_ok(script);
  CHECK(c.scalar_int("SELECT sum(a) FROM " + t) == 6);
  CHECK(c.rows("SELECT b FROM " + t + " WHERE a = 1")[0][0].s == "one; two");
  REQUIRE(p->driver->begin(c.get()) == TIDE_OK);
  c.exec_ok("DELETE FROM " + t + ";\nCOPY " + t + " FROM STDIN;\n5\tfive\n\\.\nSELECT 1;");
  REQUIRE(p->driver->commit(c.get()) == TIDE_OK);
  CHECK(c.scalar_int("SELECT sum(a) FROM " + t) == 5);
  // Bad data: the server's error, pointing at the COPY.
  std::string bad = "SELECT 1;\nCOPY " + t + " FROM stdin;\nnot-a-number\tx\n\\.\n";
  CHECK(c.exec(bad) == TIDE_EDB);
  CHECK(c.error().statement_offset == static_cast<int64_t>(bad.find("COPY")));
  CHECK(std::string(c.error().sqlstate ? c.error().sqlstate : "") == "22P02");
}

TEST_CASE("postgres: CONCURRENTLY, VACUUM and ADD VALUE run outside a transaction, fail inside one",
          "[postgres][exec]") {
  const Plugin *p = postgres_plugin_or_skip();
  if (!p) return;
  Session s(*p);
  Conn &c = s.conn();
  std::string t = s.table("conc");
  std::string idx = quote_ident(p->driver, unique_prefix() + "conc_idx");
  std::string type = quote_ident(p->driver, unique_prefix() + "mood");
  c.exec_ok("CREATE TABLE " + t + " (n int);\nCREATE TYPE " + type + " AS ENUM ('a');");
  c.exec_ok("CREATE INDEX CONCURRENTLY " + idx + " ON " + t + " (n);\nVACUUM " + t + ";\nALTER TYPE " + type +
            " ADD VALUE 'b';\nDROP INDEX CONCURRENTLY " + idx + ";");
  CHECK(c.scalar_int("SELECT count(*) FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid WHERE t.typname = '" +
                     unique_prefix() + "mood'") == 2);
  REQUIRE(p->driver->begin(c.get()) == TIDE_OK);
  CHECK(c.exec("CREATE INDEX CONCURRENTLY " + idx + " ON " + t + " (n)") == TIDE_EDB);
  CHECK(std::string(c.error().sqlstate ? c.error().sqlstate : "") == "25001");
  CHECK(p->driver->rollback(c.get()) == TIDE_OK);
  c.exec_ok("DROP TYPE " + type);
}

TEST_CASE("postgres: column types from the result's type OIDs", "[postgres][query]") {
  const Plugin *p = postgres_plugin_or_skip();
  if (!p) return;
  Conn c(*p);
  auto row = c.rows(
      "SELECT 1::int2, 2::int4, 3::int8, 1.5::float4, 2.5::float8, 42::numeric, 1.25::numeric, "
      "true, '\\x00ff'::bytea, 'x'::text, DATE '2026-01-02', NULL::int, 'NaN'::float8, "
      "12345678901234567890::numeric")[0];
  REQUIRE(row.size() == 14);
  for (int i = 0; i < 3; ++i) CHECK(row[i].type == TIDE_TYPE_INT);
  CHECK(row[2].i == 3);
  CHECK(row[3].type == TIDE_TYPE_FLOAT);
  CHECK(row[3].f == 1.5);
  CHECK(row[4].f == 2.5);
  CHECK(row[5].type == TIDE_TYPE_INT);  // an integral numeric (sum() of bigints)
  CHECK(row[5].i == 42);
  CHECK(row[6].type == TIDE_TYPE_TEXT);  // exact, not a rounded double
  CHECK(row[6].s == "1.25");
  CHECK(row[7].type == TIDE_TYPE_BOOL);
  CHECK(row[7].i == 1);
  CHECK(row[8].type == TIDE_TYPE_BLOB);
  CHECK(row[8].s == std::string("\0\xff", 2));
  CHECK(row[9].type == TIDE_TYPE_TEXT);
  CHECK(row[10].s == "2026-01-02");
  CHECK(row[11].type == TIDE_TYPE_NULL);
  CHECK(row[12].type == TIDE_TYPE_FLOAT);
  CHECK(row[12].f != row[12].f);          // NaN
  CHECK(row[13].type == TIDE_TYPE_TEXT);  // beyond int64
  CHECK(row[13].s == "12345678901234567890");
  // Text parameters are untyped: the server reads them as the context's type.
  auto dates = c.rows("SELECT $1::date + 1, $2 = 2", {text_value("2026-01-31"), int_value(2)});
  CHECK(dates[0][0].s == "2026-02-01");
  CHECK(dates[0][1].type == TIDE_TYPE_BOOL);
  CHECK(dates[0][1].i == 1);
  CHECK(c.scalar_int("SELECT $1", {int_value(-5)}) == -5);
  // Text with a NUL byte cannot be PostgreSQL text.
  std::string nul("a\0b", 3);
  tide_stmt *raw = nullptr;
  tide_value v = text_value(nul);
  CHECK(p->driver->query(c.get(), "SELECT $1", 9, &v, 1, &raw) == TIDE_EMISUSE);
  CHECK(std::string(c.error().message).find("NUL") != std::string::npos);
}

TEST_CASE("postgres: statement_timeout, lock_timeout and application_name are set on the session",
          "[postgres][connect]") {
  const Plugin *p = postgres_plugin_or_skip();
  if (!p) return;
  tide_connect_options options{};
  options.struct_size = sizeof options;
  options.statement_timeout_ms = 1500;
  options.lock_timeout_ms = 700;
  options.application_name = "tide-settings-test";
  tide_conn *raw = nullptr;
  REQUIRE(p->driver->connect(p->url.c_str(), &options, &raw) == TIDE_OK);
  auto text = [&](const std::string &sql) {
    tide_stmt *st = nullptr;
    REQUIRE(p->driver->query(raw, sql.data(), sql.size(), nullptr, 0, &st) == TIDE_OK);
    Stmt stmt(p->driver, st);
    REQUIRE(stmt.step() == TIDE_ROW);
    return stmt.column(0).s;
  };
  CHECK(text("SHOW statement_timeout") == "1500ms");
  CHECK(text("SHOW lock_timeout") == "700ms");
  CHECK(text("SELECT current_setting('application_name')") == "tide-settings-test");
  // A statement that runs too long is the server's error, with a hint.
  std::string slow = "SELECT pg_sleep(5)";
  CHECK(p->driver->exec(raw, slow.data(), slow.size()) == TIDE_EDB);
  const tide_error *e = p->driver->last_error(raw);
  CHECK(std::string(e->sqlstate ? e->sqlstate : "") == "57014");
  REQUIRE(e->hint != nullptr);
  CHECK(std::string(e->hint).find("statement_timeout") != std::string::npos);
  p->driver->close(raw);
}

TEST_CASE("postgres: connection failures say where, never the password", "[postgres][connect]") {
  const Plugin *p = postgres_plugin_or_skip();
  if (!p) return;
  std::string secret = "tide-wrong-secret-8c1f";
  ConnectResult wrong = try_connect(*p, with_password(p->url, secret));
  CHECK(wrong.rc == TIDE_ECONNECT);
  CHECK(wrong.message.find("password authentication failed") != std::string::npos);
  CHECK(wrong.message.find(secret) == std::string::npos);
  CHECK(wrong.message.find(password_of(p->url)) == std::string::npos);

  // Nothing listens on a port we just closed: refused at once, naming host and port.
  int sock = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  REQUIRE(bind(sock, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0);
  REQUIRE(getsockname(sock, reinterpret_cast<sockaddr *>(&addr), &len) == 0);
  int port = ntohs(addr.sin_port);
  close(sock);
  ConnectResult refused = try_connect(*p, "postgres://tide:" + secret + "@127.0.0.1:" + std::to_string(port) + "/x");
  CHECK(refused.rc == TIDE_ECONNECT);
  CHECK(refused.message.find("127.0.0.1") != std::string::npos);
  CHECK(refused.message.find(std::to_string(port)) != std::string::npos);
  CHECK(refused.message.find(secret) == std::string::npos);

  // A server that accepts and never answers: the connect timeout ends the wait.
  sock = socket(AF_INET, SOCK_STREAM, 0);
  addr.sin_port = 0;
  REQUIRE(bind(sock, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0);
  REQUIRE(listen(sock, 4) == 0);
  REQUIRE(getsockname(sock, reinterpret_cast<sockaddr *>(&addr), &len) == 0);
  port = ntohs(addr.sin_port);
  tide_connect_options options{};
  options.struct_size = sizeof options;
  options.connect_timeout_ms = 2000;
  ConnectResult silent =
      try_connect(*p, "postgres://tide:" + secret + "@127.0.0.1:" + std::to_string(port) + "/x", &options);
  close(sock);
  CHECK(silent.rc == TIDE_ECONNECT);
  CHECK(silent.message.find("timeout") != std::string::npos);
  CHECK(silent.message.find("127.0.0.1") != std::string::npos);

  ConnectResult bad_url = try_connect(*p, "postgres://tide@127.0.0.1:notaport/x?nonsense=1");
  CHECK(bad_url.rc == TIDE_EMISUSE);
  CHECK_FALSE(bad_url.message.empty());
}

TEST_CASE("postgres: a lost connection is TIDE_ECONNECT, and its transaction is the server's to roll back",
          "[postgres][connect]") {
  const Plugin *p = postgres_plugin_or_skip();
  if (!p) return;
  Conn victim(*p), killer(*p);
  const tide_driver *d = p->driver;
  REQUIRE(d->begin(victim.get()) == TIDE_OK);
  victim.exec_ok("SELECT 1");
  int64_t pid = backend_pid(victim);
  CHECK(killer.rows("SELECT pg_terminate_backend($1::int)", {int_value(pid)})[0][0].i == 1);
  usleep(200 * 1000);
  CHECK(victim.exec("SELECT 2") == TIDE_ECONNECT);
  std::string message = victim.error().message;
  CHECK(message.find("connection to the server was lost") != std::string::npos);
  CHECK(message.find("rolls back the open transaction") != std::string::npos);
  CHECK(d->in_transaction(victim.get()) == 1);
  CHECK(d->rollback(victim.get()) == TIDE_OK);
  CHECK(d->in_transaction(victim.get()) == 0);
  CHECK(victim.exec("SELECT 3") == TIDE_ECONNECT);
}

TEST_CASE("postgres: a lock timeout names the session holding the lock", "[postgres][lock]") {
  const Plugin *p = postgres_plugin_or_skip();
  if (!p) return;
  Conn holder(*p), waiter(*p);
  std::string key = unique_prefix() + "holder";
  REQUIRE(p->driver->lock(holder.get(), key.c_str(), 0) == TIDE_OK);
  REQUIRE(p->driver->lock(holder.get(), key.c_str(), 0) == TIDE_OK);  // held: no second hold
  CHECK(p->driver->lock(waiter.get(), key.c_str(), 200) == TIDE_ETIMEOUT);
  std::string message = waiter.error().message;
  CHECK(message.find("pid " + std::to_string(backend_pid(holder))) != std::string::npos);
  CHECK(message.find("tide-conformance") != std::string::npos);
  // One unlock frees it (the second lock() did not stack).
  REQUIRE(p->driver->unlock(holder.get(), key.c_str()) == TIDE_OK);
  CHECK(p->driver->unlock(holder.get(), key.c_str()) == TIDE_EMISUSE);
  CHECK(p->driver->lock(waiter.get(), key.c_str(), 0) == TIDE_OK);
  CHECK(p->driver->unlock(waiter.get(), key.c_str()) == TIDE_OK);
}

namespace {

struct Collected {
  std::string text;
};

int collect(void *user, const char *data, size_t len) {
  static_cast<Collected *>(user)->text.append(data, len);
  return 0;
}

class ScopedEnv {
 public:
  ScopedEnv(const char *name, const std::string &value) : name_(name) {
    if (const char *old = getenv(name)) old_ = old;
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_.empty()) {
      unsetenv(name_);
    } else {
      setenv(name_, old_.c_str(), 1);
    }
  }

 private:
  const char *name_;
  std::string old_;
};

// A stand-in pg_dump in a temporary folder that prints version, and records its
// arguments and PGPASSWORD in log.
std::string fake_pg_dump(const std::filesystem::path &dir, const std::string &version) {
  std::filesystem::path script = dir / "pg_dump";
  std::ofstream(script) << "#!/bin/sh\n"
                        << "if [ \"$1\" = --version ]; then echo 'pg_dump (PostgreSQL) " << version << "'; exit 0; fi\n"
                        << "echo \"args: $*\" > " << (dir / "log").string() << "\n"
                        << "echo \"password: $PGPASSWORD\" >> " << (dir / "log").string() << "\n"
                        << "echo 'CREATE TABLE fake ();'\n";
  std::filesystem::permissions(script, std::filesystem::perms::owner_all);
  return script.string();
}

}  // namespace

TEST_CASE("postgres: dump writes the schema through pg_dump, password never in its arguments", "[postgres][dump]") {
  const Plugin *p = postgres_plugin_or_skip();
  if (!p) return;
  const tide_driver *d = p->driver;
  REQUIRE(d->struct_size >= offsetof(tide_driver, dump) + sizeof d->dump);
  REQUIRE(d->dump != nullptr);
  Session s(*p);
  Conn &c = s.conn();
  std::string t = s.table("dumped");
  c.exec_ok("CREATE TABLE " + t + " (id bigint PRIMARY KEY, note text)");

  SECTION("the real pg_dump") {
    Collected out;
    int rc = d->dump(c.get(), collect, &out);
    INFO(c.describe_error());
    REQUIRE(rc == TIDE_OK);
    CHECK(out.text.find("CREATE TABLE public." + unique_prefix() + "dumped") != std::string::npos);
    CHECK(out.text.find("INSERT INTO") == std::string::npos);  // schema only
  }
  std::string pattern = (std::filesystem::temp_directory_path() / "tide-pgdump-XXXXXX").string();
  REQUIRE(mkdtemp(pattern.data()) != nullptr);
  std::filesystem::path dir = pattern;
  SECTION("arguments and environment") {
    ScopedEnv tool("TIDE_PG_DUMP", fake_pg_dump(dir, "99.1"));
    Collected out;
    REQUIRE(d->dump(c.get(), collect, &out) == TIDE_OK);
    CHECK(out.text == "CREATE TABLE fake ();\n");
    std::ifstream log(dir / "log");
    std::string args, password;
    std::getline(log, args);
    std::getline(log, password);
    CHECK(args.find("--schema-only") != std::string::npos);
    CHECK(args.find("dbname='tide_test'") != std::string::npos);
    CHECK(args.find(password_of(p->url)) == std::string::npos);
    CHECK(password == "password: " + password_of(p->url));
  }
  SECTION("older than the server") {
    ScopedEnv tool("TIDE_PG_DUMP", fake_pg_dump(dir, "9.6.24"));
    Collected out;
    CHECK(d->dump(c.get(), collect, &out) == TIDE_EUNSUPPORTED);
    std::string message = c.error().message;
    CHECK(message.find("pg_dump 9") != std::string::npos);
    CHECK(message.find("older than the server") != std::string::npos);
    CHECK(message.find("postgresql-client-") != std::string::npos);
    CHECK(out.text.empty());
  }
  SECTION("missing") {
    ScopedEnv tool("TIDE_PG_DUMP", (dir / "no-such-pg_dump").string());
    Collected out;
    CHECK(d->dump(c.get(), collect, &out) == TIDE_EUNSUPPORTED);
    CHECK(std::string(c.error().message).find("pg_dump was not found") != std::string::npos);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("postgres: no GSSAPI encryption request unless the URL asks for one", "[postgres][connect]") {
  const Plugin *p = postgres_plugin_or_skip();
  if (!p) return;
  if (getenv("PGGSSENCMODE")) return;  // then libpq's own setting rules
  // The session's parameters are visible in what dump() hands pg_dump (a stand-in here).
  std::string pattern = (std::filesystem::temp_directory_path() / "tide-pggss-XXXXXX").string();
  REQUIRE(mkdtemp(pattern.data()) != nullptr);
  std::filesystem::path dir = pattern;
  ScopedEnv tool("TIDE_PG_DUMP", fake_pg_dump(dir, "99.1"));
  auto args_for = [&](const std::string &url) {
    Conn c(*p, url);
    Collected out;
    REQUIRE(p->driver->dump(c.get(), collect, &out) == TIDE_OK);
    std::ifstream log(dir / "log");
    std::string args;
    std::getline(log, args);
    return args;
  };
  CHECK(args_for(p->url).find("gssencmode='disable'") != std::string::npos);
  std::string url = p->url + (p->url.find('?') == std::string::npos ? "?" : "&") + "gssencmode=prefer";
  CHECK(args_for(url).find("gssencmode='prefer'") != std::string::npos);
  std::filesystem::remove_all(dir);
}

// ---- upsert -------------------------------------------------------------------------------

namespace {

std::string sqlstate_of(Conn &c) { return c.error().sqlstate ? c.error().sqlstate : ""; }

int64_t prepared_upserts(Conn &c) {
  return c.scalar_int("SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'tide_upsert_%'");
}

}  // namespace

TEST_CASE("postgres: upsert names the row a duplicate key, a NULL or a bad value is about", "[postgres][upsert]") {
  const Plugin *p = postgres_plugin_or_skip();
  if (!p) return;
  Session s(*p);
  Conn &c = s.conn();
  std::string t = s.table("rowerr");
  c.exec_ok("CREATE TABLE " + t + " (id int PRIMARY KEY, email text UNIQUE, n int NOT NULL)");
  UpsertCall u{unique_prefix() + "rowerr", {"id", "email", "n"}, {"id"}, {"email", "n"}};
  REQUIRE(u.run(c, {int_value(1), text_value("a@x"), int_value(1)}) == TIDE_OK);
  auto rows = [](std::vector<std::tuple<int64_t, const char *, tide_value>> list) {
    std::vector<tide_value> v;
    for (auto &[id, email, n] : list) {
      v.push_back(int_value(id));
      v.push_back(text_value(email));
      v.push_back(n);
    }
    return v;
  };
  SECTION("INSERT: the DETAIL's key names the row") {
    u.mode = TIDE_UPSERT_INSERT;
    CHECK(u.run(c, rows({{2, "b@x", int_value(2)}, {3, "c@x", int_value(3)}, {1, "d@x", int_value(4)}})) == TIDE_EDB);
    CHECK(sqlstate_of(c) == "23505");
    CHECK(u.result.failed_row == 2);
    CHECK(u.result.inserted == 0);
  }
  SECTION("UPDATE: another unique index's key names the row") {
    CHECK(u.run(c, rows({{2, "b@x", int_value(2)}, {3, "a@x", int_value(3)}})) == TIDE_EDB);
    CHECK(sqlstate_of(c) == "23505");
    CHECK(std::string(c.error().detail ? c.error().detail : "").find("(email)=(a@x)") != std::string::npos);
    CHECK(u.result.failed_row == 1);
  }
  SECTION("UPDATE: a key twice in one statement names the second") {
    CHECK(u.run(c, rows({{2, "b@x", int_value(2)},
                         {5, "e@x", int_value(3)},
                         {4, "f@x", int_value(3)},
                         {5, "g@x", int_value(3)}})) == TIDE_EDB);
    CHECK(sqlstate_of(c) == "21000");
    CHECK(u.result.failed_row == 3);
  }
  SECTION("a NULL in a NOT NULL column") {
    CHECK(u.run(c, rows({{2, "b@x", int_value(2)}, {3, "c@x", null_value()}})) == TIDE_EDB);
    CHECK(sqlstate_of(c) == "23502");
    CHECK(u.result.failed_row == 1);
  }
  SECTION("text that is not a number") {
    CHECK(u.run(c, rows({{2, "b@x", int_value(2)}, {3, "c@x", text_value("12")}, {4, "d@x", text_value("x7")}})) ==
          TIDE_EDB);
    CHECK(sqlstate_of(c) == "22P02");
    CHECK(u.result.failed_row == 2);
  }
  CHECK(c.scalar_int("SELECT count(*) FROM " + t) == 1);  // autocommit: the failed statement left nothing
}

TEST_CASE("postgres: upsert errors about the statement are not about a row", "[postgres][upsert]") {
  const Plugin *p = postgres_plugin_or_skip();
  if (!p) return;
  Session s(*p);
  Conn &c = s.conn();
  std::string t = s.table("stmterr");
  c.exec_ok("CREATE TABLE " + t + " (id int, name text)");
  UpsertCall u{unique_prefix() + "stmterr", {"id", "name"}, {"id"}, {"name"}};
  std::vector<tide_value> one = {int_value(1), text_value("a")};
  // A key without a unique index: the server's error, and a hint saying what is needed.
  CHECK(u.run(c, one) == TIDE_EDB);
  CHECK(sqlstate_of(c) == "42P10");
  REQUIRE(c.error().hint != nullptr);
  CHECK(std::string(c.error().hint).find("UNIQUE") != std::string::npos);
  CHECK(u.result.failed_row == -1);
  CHECK(u.result.inserted == 0);
  // The server finds that out when planning, so the statement was prepared (and kept:
  // adding the index makes it work).
  CHECK(prepared_upserts(c) == 1);
  // An unknown column.
  u.columns = {"id", "nosuchcolumn"};
  u.update = {"nosuchcolumn"};
  CHECK(u.run(c, one) == TIDE_EDB);
  CHECK(sqlstate_of(c) == "42703");
  CHECK(std::string(c.error().message).find("nosuchcolumn") != std::string::npos);
  CHECK(u.result.failed_row == -1);
  CHECK(c.error().statement_offset == -1);
  CHECK(c.error().error_position == -1);
  // A table that does not exist.
  u.table = unique_prefix() + "nosuchtable";
  CHECK(u.run(c, one) == TIDE_EDB);
  CHECK(sqlstate_of(c) == "42P01");
  CHECK(u.result.failed_row == -1);
  // Statements that did not parse are not kept, and the connection is fine.
  CHECK(prepared_upserts(c) == 1);
  CHECK(c.scalar_int("SELECT 1") == 1);
}

TEST_CASE("postgres: upsert prepares each shape once, in the host's transaction", "[postgres][upsert]") {
  const Plugin *p = postgres_plugin_or_skip();
  if (!p) return;
  Session s(*p);
  Conn &c = s.conn();
  const tide_driver *d = p->driver;
  std::string t = s.table("shapes");
  std::string name = unique_prefix() + "shapes";
  c.exec_ok("CREATE TABLE " + t + " (id int PRIMARY KEY, doc json, at timestamptz)");
  // A json column has no equality operator: the unchanged check compares text forms.
  UpsertCall u{"public." + name, {"id", "doc", "at"}, {"id"}, {"doc", "at"}};
  std::vector<tide_value> two = {int_value(1),
                                 text_value("{\"a\": 1}"),
                                 text_value("2026-01-02 03:04:05+00"),
                                 int_value(2),
                                 null_value(),
                                 text_value("2026-01-02 03:04:05+00")};
  REQUIRE(d->begin(c.get()) == TIDE_OK);
  REQUIRE(u.run(c, two) == TIDE_OK);
  CHECK(d->in_transaction(c.get()) == 1);
  CHECK(u.result.inserted == 2);
  REQUIRE(u.run(c, two) == TIDE_OK);
  CHECK(u.result.unchanged == 2);
  CHECK(prepared_upserts(c) == 1);  // the same shape twice: one statement
  two[1] = text_value("{\"a\": 2}");
  REQUIRE(u.run(c, two) == TIDE_OK);
  CHECK(u.result.updated == 1);
  CHECK(u.result.unchanged == 1);
  REQUIRE(d->rollback(c.get()) == TIDE_OK);
  CHECK(c.scalar_int("SELECT count(*) FROM " + t) == 0);  // the BEGIN went with the first batch
  // Other row counts and modes are other shapes; the session keeps the 8 most recent.
  for (int64_t rows = 1; rows <= 10; ++rows) {
    std::vector<tide_value> values;
    for (int64_t r = 0; r < rows; ++r) {
      values.push_back(int_value(100 * rows + r));
      values.push_back(null_value());
      values.push_back(null_value());
    }
    u.mode = rows % 2 ? TIDE_UPSERT_IGNORE : TIDE_UPSERT_UPDATE;
    REQUIRE(u.run(c, values) == TIDE_OK);
    CHECK(u.result.inserted == rows);
  }
  CHECK(prepared_upserts(c) == 8);
  CHECK(c.scalar_int("SELECT count(*) FROM " + t) == 55);
  // Statements dropped behind tide's back: that call fails and says why, the next works.
  c.exec_ok("DEALLOCATE ALL");
  u.mode = TIDE_UPSERT_UPDATE;
  CHECK(u.run(c, two) == TIDE_EDB);
  CHECK(sqlstate_of(c) == "26000");
  REQUIRE(c.error().hint != nullptr);
  CHECK(std::string(c.error().hint).find("DEALLOCATE ALL") != std::string::npos);
  CHECK(u.result.failed_row == -1);
  REQUIRE(u.run(c, two) == TIDE_OK);
  CHECK(u.result.inserted == 2);
}

TEST_CASE("postgres: upsert in autocommit keeps the statements before a failing one", "[postgres][upsert]") {
  const Plugin *p = postgres_plugin_or_skip();
  if (!p) return;
  Session s(*p);
  Conn &c = s.conn();
  std::string t = s.table("auto");
  c.exec_ok("CREATE TABLE " + t + " (id int PRIMARY KEY)");
  // One column: 65,535 rows a statement, so row 70,000 is in the second one.
  UpsertCall u{unique_prefix() + "auto", {"id"}, {"id"}, {}};
  u.mode = TIDE_UPSERT_IGNORE;
  std::vector<tide_value> values;
  for (int64_t i = 0; i < 80000; ++i) values.push_back(i == 70000 ? text_value("bad") : int_value(i));
  CHECK(u.run(c, values) == TIDE_EDB);
  CHECK(u.result.inserted == 65535);
  CHECK(u.result.failed_row == 70000);
  CHECK(c.scalar_int("SELECT count(*) FROM " + t) == 65535);
  values[70000] = int_value(70000);
  REQUIRE(u.run(c, values) == TIDE_OK);
  CHECK(u.result.inserted == 80000 - 65535);
  CHECK(u.result.unchanged == 65535);
}

// ---- commit_with ----------------------------------------------------------------------------

TEST_CASE("postgres: commit_with writes a row and commits in one go, or commits nothing", "[postgres][commit]") {
  const Plugin *p = postgres_plugin_or_skip();
  if (!p) return;
  const tide_driver *d = p->driver;
  REQUIRE(d->struct_size >= offsetof(tide_driver, commit_with) + sizeof d->commit_with);
  REQUIRE(d->commit_with != nullptr);
  Session s(*p);
  Conn &c = s.conn();
  std::string t = s.table("cw");
  c.exec_ok("CREATE TABLE " + t + " (id int PRIMARY KEY, note text)");
  std::string insert = "INSERT INTO " + t + " VALUES ($1, $2)";
  auto commit_with = [&](int64_t id, const char *note) {
    tide_value params[] = {int_value(id), note ? text_value(note) : null_value()};
    return d->commit_with(c.get(), insert.data(), insert.size(), params, 2);
  };
  CHECK(commit_with(1, "outside") == TIDE_EMISUSE);  // no transaction
  // With the migration's own work: both commit.
  REQUIRE(d->begin(c.get()) == TIDE_OK);
  c.exec_ok("INSERT INTO " + t + " VALUES (10, 'migration')");
  REQUIRE(commit_with(1, "history") == TIDE_OK);
  CHECK(d->in_transaction(c.get()) == 0);
  // The BEGIN still pending (nothing else ran): it goes in the same pipeline.
  REQUIRE(d->begin(c.get()) == TIDE_OK);
  REQUIRE(commit_with(2, nullptr) == TIDE_OK);
  CHECK(d->in_transaction(c.get()) == 0);
  {
    Conn other(*p);  // committed: another session sees the rows
    CHECK(other.scalar_int("SELECT count(*) FROM " + t) == 3);
  }
  // A failing statement: no COMMIT ran, the transaction is the host's to roll back.
  REQUIRE(d->begin(c.get()) == TIDE_OK);
  c.exec_ok("INSERT INTO " + t + " VALUES (11, 'migration')");
  CHECK(commit_with(1, "duplicate") == TIDE_EDB);
  CHECK(std::string(c.error().sqlstate ? c.error().sqlstate : "") == "23505");
  CHECK(d->in_transaction(c.get()) == 1);
  REQUIRE(d->rollback(c.get()) == TIDE_OK);
  CHECK(c.scalar_int("SELECT count(*) FROM " + t + " WHERE id = 11") == 0);
  // A failing COMMIT (a deferred constraint): the server has rolled back already.
  std::string child = s.table("cw_child");
  c.exec_ok("CREATE TABLE " + child + " (id int REFERENCES " + t + " DEFERRABLE INITIALLY DEFERRED)");
  std::string orphan = "INSERT INTO " + child + " VALUES ($1)";
  REQUIRE(d->begin(c.get()) == TIDE_OK);
  c.exec_ok("INSERT INTO " + t + " VALUES (12, 'migration')");
  tide_value missing = int_value(999);
  CHECK(d->commit_with(c.get(), orphan.data(), orphan.size(), &missing, 1) == TIDE_EDB);
  CHECK(std::string(c.error().sqlstate ? c.error().sqlstate : "") == "23503");
  CHECK(d->in_transaction(c.get()) == 0);
  CHECK(d->rollback(c.get()) == TIDE_OK);
  CHECK(c.scalar_int("SELECT count(*) FROM " + t + " WHERE id = 12") == 0);
}
