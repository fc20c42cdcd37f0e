// Behaviour only the MySQL driver has: its splitter (DELIMITER, stored-program bodies),
// errors with the server's number and SQLSTATE, the per-database GET_LOCK, upsert with
// ON DUPLICATE KEY UPDATE and its counts, dump through mariadb-dump, URL handling. Runs
// only when the plugin under test is the MySQL driver, against a real MariaDB/MySQL.
#include <stdlib.h>

#include <cstring>
#include <string_view>

#include "harness.h"

using namespace conformance;

namespace {

// Another driver under test skips these cases; no driver at all fails them.
const Plugin *mysql_plugin_or_skip() {
  const Plugin &p = configured_plugin();
  return std::string_view(p.driver->name) == "mysql" ? &p : nullptr;
}

std::vector<std::string> stripped(const Split &s) {
  std::vector<std::string> out;
  for (const auto &statement : s.statements) out.push_back(strip_blank(statement));
  return out;
}

using Texts = std::vector<std::string>;

// The URL with its database replaced (for a second database on the same server).
std::string with_database(const std::string &url, const std::string &db) {
  size_t scheme = url.find("://");
  size_t slash = url.find('/', scheme + 3);
  size_t query = url.find('?', scheme + 3);
  std::string base = url.substr(0, slash == std::string::npos ? query : slash);
  return base + "/" + db + (query == std::string::npos ? "" : url.substr(query));
}

std::string with_password(const std::string &url, const std::string &password) {
  size_t scheme = url.find("://") + 3;
  size_t at = url.rfind('@');
  size_t colon = url.find(':', scheme);
  return url.substr(0, colon + 1) + password + url.substr(at);
}

}  // namespace

// ---- the splitter ------------------------------------------------------------------------

TEST_CASE("split/mysql: DELIMITER blocks are the client's, never sent", "[split][mysql]") {
  const Plugin *p = mysql_plugin_or_skip();
  if (!p) return;
  std::string body = "CREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\n  SELECT 2;\nEND";
  Split s = split(p->driver, "DELIMITER //\n" + body + "//\nDELIMITER ;\nSELECT 3;\n");
  CHECK(s.rc == TIDE_OK);
  CHECK(stripped(s) == Texts{body, "SELECT 3"});
  // $$ glued to END, lower-case directive, a trailing statement without delimiter.
  s = split(p->driver,
            "delimiter $$\nCREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN SET NEW.a = 1; END$$\n"
            "SELECT 4$$\ndelimiter ;\nSELECT 5");
  CHECK(s.rc == TIDE_OK);
  CHECK(stripped(s) ==
        Texts{"CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN SET NEW.a = 1; END", "SELECT 4", "SELECT 5"});
}

TEST_CASE("split/mysql: stored programs without DELIMITER stay whole", "[split][mysql]") {
  const Plugin *p = mysql_plugin_or_skip();
  if (!p) return;
  std::string proc =
      "CREATE DEFINER=CURRENT_USER PROCEDURE add_col(IN n INT)\n"
      "BEGIN\n"
      "  DECLARE i INT DEFAULT 0;\n"
      "  IF n > 0 THEN\n"
      "    SET i = IF(n > 10, 10, n);\n"
      "  ELSEIF n < 0 THEN\n"
      "    SET i = 0;\n"
      "  END IF;\n"
      "  lbl: LOOP\n"
      "    SET i = i - 1;\n"
      "    IF i <= 0 THEN LEAVE lbl; END IF;\n"
      "  END LOOP lbl;\n"
      "  WHILE i < 3 DO SET i = i + 1; END WHILE;\n"
      "  REPEAT SET i = i - 1; UNTIL i = 0 END REPEAT;\n"
      "  CASE i WHEN 0 THEN SELECT 'zero;'; ELSE SELECT CASE WHEN i > 1 THEN 'a' ELSE 'b' END; END CASE;\n"
      "  inner_block: BEGIN SELECT 1; END inner_block;\n"
      "END";
  std::string func = "CREATE FUNCTION f(x INT) RETURNS INT DETERMINISTIC\nBEGIN\n  RETURN x + 1;\nEND";
  std::string trigger =
      "CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW\n"
      "IF NEW.a IS NULL THEN SET NEW.a = 0; END IF";
  std::string event = "CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO BEGIN DELETE FROM t; INSERT INTO t VALUES (1); END";
  std::string anonymous = "BEGIN NOT ATOMIC\n  DECLARE x INT;\n  SET x = 1;\nEND";
  Split s = split(p->driver, "CREATE TABLE t (a INT, `end` INT, event INT);\n" + proc + ";\n" + func + ";\n" + trigger +
                                 ";\n" + event + ";\n" + anonymous + ";\nSELECT 9;");
  CHECK(s.rc == TIDE_OK);
  CHECK(stripped(s) ==
        Texts{"CREATE TABLE t (a INT, `end` INT, event INT)", proc, func, trigger, event, anonymous, "SELECT 9"});
  // A transaction's BEGIN is not a block.
  CHECK(stripped(split(p->driver, "BEGIN; INSERT INTO t VALUES (1); COMMIT;")) ==
        Texts{"BEGIN", "INSERT INTO t VALUES (1)", "COMMIT"});
  // A body cut off before END is incomplete.
  s = split(p->driver, "CREATE PROCEDURE x() BEGIN SELECT 1;");
  CHECK(s.rc == TIDE_EMISUSE);
  CHECK(s.statements.size() == 1);
}

TEST_CASE("split/mysql: PREPARE from a string holding ';'", "[split][mysql]") {
  const Plugin *p = mysql_plugin_or_skip();
  if (!p) return;
  std::string set =
      "SET @s = (SELECT IF((SELECT COUNT(*) FROM information_schema.columns WHERE table_name = 't' AND "
      "column_name = 'c') = 0, 'ALTER TABLE t ADD COLUMN c INT;', 'SELECT 1'))";
  Split s = split(p->driver, set + ";\nPREPARE stmt FROM @s;\nEXECUTE stmt;\nDEALLOCATE PREPARE stmt;");
  CHECK(s.rc == TIDE_OK);
  CHECK(stripped(s) == Texts{set, "PREPARE stmt FROM @s", "EXECUTE stmt", "DEALLOCATE PREPARE stmt"});
}

TEST_CASE("split/mysql: quotes, escapes and comments", "[split][mysql]") {
  const Plugin *p = mysql_plugin_or_skip();
  if (!p) return;
  Split s = split(p->driver,
                  "# a hash comment; with a semicolon\n"
                  "SELECT `odd;col`, 'it\\'s; fine', \"dq;\\\"x\" FROM `t``x`;\n"
                  "-- dash comment; here\n"
                  "SELECT 1--1;\n"
                  "/*!40101 SET NAMES utf8mb4 */;\n"
                  "SELECT 2 /* inline; */ + 3;");
  CHECK(s.rc == TIDE_OK);
  REQUIRE(s.statements.size() == 4);
  CHECK(strip_blank(s.statements[0]) == "SELECT `odd;col`, 'it\\'s; fine', \"dq;\\\"x\" FROM `t``x`");
  CHECK(s.statements[1] == "SELECT 1--1");
  CHECK(s.statements[2] == "/*!40101 SET NAMES utf8mb4 */");  // mysqldump's executable comments run
  CHECK(s.statements[3] == "SELECT 2 /* inline; */ + 3");
  for (std::string_view blank : {"", "  \n", "-- only a comment", "# hash\n/* block */\n", ";;", "DELIMITER //\n"}) {
    INFO("script: " << blank);
    Split b = split(p->driver, blank);
    CHECK(b.rc == TIDE_OK);
    CHECK(b.statements.empty());
  }
  std::string script = "# header\n\n  /* note */ SELECT 1;\nSELECT 2 ;";
  s = split(p->driver, script);
  REQUIRE(s.starts.size() == 2);
  CHECK(s.starts[0] == script.find("SELECT 1"));
  CHECK(s.starts[1] == script.find("SELECT 2"));
}

// ---- against the server -------------------------------------------------------------------

TEST_CASE("mysql: errors carry the server's number and SQLSTATE", "[mysql]") {
  const Plugin *p = mysql_plugin_or_skip();
  if (!p) return;
  Conn c(*p);
  CHECK(c.exec("SELECT * FROM tide_no_such_table") == TIDE_EDB);
  CHECK(c.error().vendor_code == 1146);  // ER_NO_SUCH_TABLE
  REQUIRE(c.error().sqlstate != nullptr);
  CHECK(std::string(c.error().sqlstate) == "42S02");
  // A syntax error points into its statement.
  std::string script = "SELECT 1;\nSELECT 1 +* 2;";
  CHECK(c.exec(script) == TIDE_EDB);
  CHECK(c.error().vendor_code == 1064);
  CHECK(c.error().statement_offset == static_cast<int64_t>(script.find("SELECT 1 +*")));
  REQUIRE(c.error().error_position >= 0);
  CHECK(script.substr(c.error().statement_offset + c.error().error_position).starts_with("* 2"));
}

TEST_CASE("mysql: stored programs run through exec, with and without DELIMITER", "[mysql]") {
  const Plugin *p = mysql_plugin_or_skip();
  if (!p) return;
  Session s(*p);
  std::string t = s.table("prog");
  std::string proc = quote_ident(p->driver, unique_prefix() + "fill");
  s.conn().exec_ok("CREATE TABLE " + t + " (n INT)");
  s.conn().exec_ok("DROP PROCEDURE IF EXISTS " + proc + ";\nCREATE PROCEDURE " + proc +
                   "(IN k INT)\nBEGIN\n  DECLARE i INT DEFAULT 0;\n  WHILE i < k DO\n    INSERT INTO " + t +
                   " VALUES (i);\n    SET i = i + 1;\n  END WHILE;\nEND;\nCALL " + proc + "(3);");
  CHECK(s.conn().scalar_int("SELECT COUNT(*) FROM " + t) == 3);
  s.conn().exec_ok("DELIMITER $$\nDROP PROCEDURE " + proc + "$$\nCREATE PROCEDURE " + proc +
                   "() BEGIN SELECT 1; SELECT 2; END$$\nDELIMITER ;\nCALL " + proc + "();\nDROP PROCEDURE " + proc +
                   ";");
  // The server rejects a statement inside a body: the CREATE is the failing statement.
  std::string bad = "SELECT 1;\nCREATE PROCEDURE " + proc + "()\nBEGIN\n  SELECT 1;\n  SELEC 2;\nEND;";
  CHECK(s.conn().exec(bad) == TIDE_EDB);
  INFO(s.conn().describe_error());
  CHECK(s.conn().error().vendor_code == 1064);
  CHECK(s.conn().error().statement_offset == static_cast<int64_t>(bad.find("CREATE PROCEDURE")));
  REQUIRE(s.conn().error().error_position >= 0);
  // The server reports the error at "2" (it reads SELEC as a label-less identifier).
  CHECK(bad.substr(s.conn().error().statement_offset + s.conn().error().error_position).starts_with("2;\nEND"));
}

TEST_CASE("mysql: PREPARE/EXECUTE of a string holding ';'", "[mysql]") {
  const Plugin *p = mysql_plugin_or_skip();
  if (!p) return;
  Session s(*p);
  std::string t = s.table("prep");
  s.conn().exec_ok("CREATE TABLE " + t + " (a INT)");
  std::string script = "SET @s = (SELECT IF(1 = 1, 'ALTER TABLE " + t +
                       " ADD COLUMN c INT;', 'SELECT 1'));\nPREPARE stmt FROM @s;\nEXECUTE stmt;\n"
                       "DEALLOCATE PREPARE stmt;";
  s.conn().exec_ok(script);  // the server accepts the ';' at the end of the prepared text
  CHECK(s.conn().rows("SELECT c FROM " + t).empty());
}

TEST_CASE("mysql: in_transaction follows implicit commits", "[mysql][tx]") {
  const Plugin *p = mysql_plugin_or_skip();
  if (!p) return;
  Session s(*p);
  std::string t = s.table("implicit");
  REQUIRE(p->driver->begin(s.conn().get()) == TIDE_OK);
  CHECK(p->driver->in_transaction(s.conn().get()) == 1);
  s.conn().exec_ok("CREATE TABLE " + t + " (n INT)");  // DDL commits implicitly
  CHECK(p->driver->in_transaction(s.conn().get()) == 0);
  CHECK((p->driver->capabilities & TIDE_CAP_TRANSACTIONAL_DDL) == 0);
}

TEST_CASE("mysql: the migration lock is per database", "[mysql][lock]") {
  const Plugin *p = mysql_plugin_or_skip();
  if (!p) return;
  std::string other_db = unique_prefix() + "other";
  {
    Conn admin(*p);
    admin.exec_ok("CREATE DATABASE IF NOT EXISTS " + quote_ident(p->driver, other_db));
  }
  {
    Conn a(*p), b(*p, with_database(p->url, other_db)), a2(*p);
    REQUIRE(p->driver->lock(a.get(), "tide_history", 0) == TIDE_OK);
    CHECK(p->driver->lock(b.get(), "tide_history", 0) == TIDE_OK);  // another database: its own lock
    CHECK(p->driver->lock(a2.get(), "tide_history", 0) == TIDE_ETIMEOUT);
    CHECK(p->driver->lock(a.get(), "tide_history", 0) == TIDE_OK);  // again on the holder: fine
    CHECK(p->driver->unlock(a.get(), "tide_history") == TIDE_OK);
    CHECK(p->driver->unlock(a.get(), "tide_history") == TIDE_EMISUSE);
    // A key longer than the server's 64-character limit still works.
    std::string longkey(200, 'k');
    CHECK(p->driver->lock(a2.get(), longkey.c_str(), 0) == TIDE_OK);
  }
  Conn admin(*p);
  admin.exec_ok("DROP DATABASE " + quote_ident(p->driver, other_db));
}

TEST_CASE("mysql: a wrong password is an error without the password", "[mysql][connect]") {
  const Plugin *p = mysql_plugin_or_skip();
  if (!p) return;
  std::string secret = "tide-wrong-secret-4711";
  tide_conn *conn = nullptr;
  int rc = p->driver->connect(with_password(p->url, secret).c_str(), nullptr, &conn);
  CHECK(rc == TIDE_ECONNECT);
  REQUIRE(conn != nullptr);
  const tide_error *e = p->driver->last_error(conn);
  CHECK(e->vendor_code == 1045);  // ER_ACCESS_DENIED_ERROR
  REQUIRE(e->message != nullptr);
  CHECK(std::string(e->message).find("Access denied") != std::string::npos);
  CHECK(std::string(e->message).find(secret) == std::string::npos);
  p->driver->close(conn);
  // Unknown database, and an unknown URL parameter.
  rc = p->driver->connect(with_database(p->url, "tide_no_such_db").c_str(), nullptr, &conn);
  CHECK(rc == TIDE_ECONNECT);
  CHECK(p->driver->last_error(conn)->vendor_code == 1049);  // ER_BAD_DB_ERROR
  p->driver->close(conn);
  rc = p->driver->connect((p->url + (p->url.find('?') == std::string::npos ? "?" : "&") + "sslmod=1").c_str(), nullptr,
                          &conn);
  CHECK(rc == TIDE_EMISUSE);
  CHECK(std::string(p->driver->last_error(conn)->message).find("sslmod") != std::string::npos);
  p->driver->close(conn);
}

TEST_CASE("mysql: percent-encoded user and password, unix socket", "[mysql][connect]") {
  const Plugin *p = mysql_plugin_or_skip();
  if (!p) return;
  std::string user = unique_prefix() + "u";
  {
    Conn admin(*p);
    admin.exec_ok("DROP USER IF EXISTS '" + user + "'@'%', '" + user + "'@'localhost'");
    admin.exec_ok("CREATE USER '" + user + "'@'%' IDENTIFIED BY 'p@ss:w/rd?#%'");
    admin.exec_ok("CREATE USER '" + user + "'@'localhost' IDENTIFIED BY 'p@ss:w/rd?#%'");
    admin.exec_ok("GRANT SELECT ON *.* TO '" + user + "'@'%'");
    admin.exec_ok("GRANT SELECT ON *.* TO '" + user + "'@'localhost'");
  }
  std::string url = p->url;
  size_t host = url.rfind('@');
  std::string encoded = "mysql://" + user + ":p%40ss%3Aw%2Frd%3F%23%25" + url.substr(host);
  {
    Conn c(*p, encoded);
    CHECK(c.scalar_int("SELECT 41 + 1") == 42);
  }
  if (const char *socket = std::getenv("TIDE_TEST_MYSQL_SOCKET"); socket && *socket) {
    size_t slash = url.find('/', url.find("://") + 3);
    std::string db = url.substr(slash + 1, url.find('?', slash) - slash - 1);
    Conn c(*p, "mysql://" + user + ":p%40ss%3Aw%2Frd%3F%23%25@localhost/" + db + "?socket=" + socket);
    CHECK(c.rows("SELECT @@socket").at(0).at(0).s == socket);
  }
  Conn admin(*p);
  admin.exec_ok("DROP USER '" + user + "'@'%', '" + user + "'@'localhost'");
}

TEST_CASE("mysql: column types come back typed", "[mysql][query]") {
  const Plugin *p = mysql_plugin_or_skip();
  if (!p) return;
  Conn c(*p);
  auto rows = c.rows(
      "SELECT CAST(18446744073709551615 AS UNSIGNED), CAST(1.50 AS DECIMAL(5,2)), DATE '2026-01-02', "
      "TIMESTAMP '2026-01-02 03:04:05', SUM(5), REPEAT('x', 5000), CAST('ab' AS BINARY), NULL, 7");
  REQUIRE(rows.size() == 1);
  const auto &r = rows[0];
  CHECK(r[0].type == TIDE_TYPE_TEXT);  // beyond int64: exact, as text
  CHECK(r[0].s == "18446744073709551615");
  CHECK(r[1].s == "1.50");
  CHECK(r[2].s == "2026-01-02");
  CHECK(r[3].s == "2026-01-02 03:04:05");
  CHECK(r[4].type == TIDE_TYPE_INT);  // DECIMAL(n,0), as SUM gives: an integer when it fits
  CHECK(r[4].i == 5);
  CHECK(r[5].s == std::string(5000, 'x'));  // longer than the first buffer
  CHECK(r[6].type == TIDE_TYPE_BLOB);
  CHECK(r[7].type == TIDE_TYPE_NULL);
  CHECK(r[8].i == 7);
  Session s(*p);
  std::string t = s.table("bits");
  s.conn().exec_ok("CREATE TABLE " + t + " (b BIT(12))");
  s.conn().exec_ok("INSERT INTO " + t + " VALUES (b'101000000101')");
  auto bits = s.conn().rows("SELECT b FROM " + t);
  CHECK(bits.at(0).at(0).type == TIDE_TYPE_INT);
  CHECK(bits.at(0).at(0).i == 0xA05);
}

// ---- upsert -------------------------------------------------------------------------------

namespace {

struct UpsertRun {
  int rc;
  tide_upsert_result result;
};

UpsertRun upsert(Conn &c, const std::string &table, int mode, const std::vector<std::vector<tide_value>> &rows,
                 std::vector<const char *> columns = {"id", "name", "n"}) {
  UpsertCall call{table, columns, {"id"}, {columns.begin() + 1, columns.end()}, mode};
  std::vector<tide_value> values;
  for (const auto &row : rows) values.insert(values.end(), row.begin(), row.end());
  int rc = call.run(c, values);
  return {rc, call.result};
}

}  // namespace

TEST_CASE("mysql upsert: inserted, updated and unchanged counts", "[mysql][upsert]") {
  const Plugin *p = mysql_plugin_or_skip();
  if (!p) return;
  Session s(*p);
  std::string bare = unique_prefix() + "up";
  std::string t = s.table("up");
  s.conn().exec_ok("CREATE TABLE " + t + " (id INT PRIMARY KEY, name VARCHAR(50), n INT)");
  auto first = upsert(s.conn(), bare, TIDE_UPSERT_UPDATE,
                      {{int_value(1), text_value("a"), int_value(10)}, {int_value(2), text_value("b"), int_value(20)}});
  INFO(s.conn().describe_error());
  REQUIRE(first.rc == TIDE_OK);
  CHECK(first.result.inserted == 2);
  CHECK(first.result.updated == 0);
  CHECK(first.result.unchanged == 0);
  // 1 unchanged, 2 updated, 3 new.
  auto second = upsert(s.conn(), bare, TIDE_UPSERT_UPDATE,
                       {{int_value(1), text_value("a"), int_value(10)},
                        {int_value(2), text_value("B"), int_value(21)},
                        {int_value(3), text_value("c"), int_value(30)}});
  REQUIRE(second.rc == TIDE_OK);
  CHECK(second.result.inserted == 1);
  CHECK(second.result.updated == 1);
  CHECK(second.result.unchanged == 1);
  CHECK(s.conn().scalar_int("SELECT n FROM " + t + " WHERE id = 2") == 21);
  // One row at a time: counted from the affected rows alone.
  auto single = upsert(s.conn(), bare, TIDE_UPSERT_UPDATE, {{int_value(3), text_value("c"), int_value(31)}});
  REQUIRE(single.rc == TIDE_OK);
  CHECK(single.result.updated == 1);
  single = upsert(s.conn(), bare, TIDE_UPSERT_UPDATE, {{int_value(3), text_value("c"), int_value(31)}});
  CHECK(single.result.unchanged == 1);
  // IGNORE leaves existing rows alone.
  auto ignore =
      upsert(s.conn(), bare, TIDE_UPSERT_IGNORE,
             {{int_value(1), text_value("zzz"), int_value(0)}, {int_value(4), text_value("d"), int_value(40)}});
  REQUIRE(ignore.rc == TIDE_OK);
  CHECK(ignore.result.inserted == 1);
  CHECK(ignore.result.unchanged == 1);
  CHECK(s.conn().rows("SELECT name FROM " + t + " WHERE id = 1").at(0).at(0).s == "a");
  // INSERT: a duplicate is the database's error, naming the batch's first row.
  auto insert =
      upsert(s.conn(), bare, TIDE_UPSERT_INSERT,
             {{int_value(9), text_value("x"), int_value(0)}, {int_value(1), text_value("dup"), int_value(0)}});
  CHECK(insert.rc == TIDE_EDB);
  CHECK(s.conn().error().vendor_code == 1062);  // ER_DUP_ENTRY
  CHECK(insert.result.failed_row == 0);
}

// mysql_info() is worded in the session's lc_messages language; the counts must not be.
TEST_CASE("mysql upsert: counts with the server's messages in another language", "[mysql][upsert]") {
  const Plugin *p = mysql_plugin_or_skip();
  if (!p) return;
  Session s(*p);
  std::string bare = unique_prefix() + "upde";
  std::string t = s.table("upde");
  s.conn().exec_ok("CREATE TABLE " + t + " (id INT PRIMARY KEY, name VARCHAR(50), n INT)");
  s.conn().exec_ok("SET SESSION lc_messages = 'de_DE'");
  REQUIRE(s.conn().rows("SELECT @@lc_messages").at(0).at(0).s == "de_DE");
  auto first = upsert(s.conn(), bare, TIDE_UPSERT_UPDATE,
                      {{int_value(1), text_value("a"), int_value(10)},
                       {int_value(2), text_value("b"), int_value(20)},
                       {int_value(3), text_value("c"), int_value(30)}});
  REQUIRE(first.rc == TIDE_OK);
  // 1 unchanged, 2 and 3 updated, 4 new: "Datensätze: 4  Duplikate: 2  Warnungen: 0",
  // 5 affected rows (the affected count alone cannot tell 2 updates from 1 update and 2
  // inserts).
  auto second = upsert(s.conn(), bare, TIDE_UPSERT_UPDATE,
                       {{int_value(1), text_value("a"), int_value(10)},
                        {int_value(2), text_value("B"), int_value(21)},
                        {int_value(3), text_value("C"), int_value(31)},
                        {int_value(4), text_value("d"), int_value(40)}});
  INFO(s.conn().describe_error());
  REQUIRE(second.rc == TIDE_OK);
  CHECK(second.result.inserted == 1);
  CHECK(second.result.updated == 2);
  CHECK(second.result.unchanged == 1);
}

TEST_CASE("mysql upsert: a refused row is found by replaying its batch in a transaction", "[mysql][upsert]") {
  const Plugin *p = mysql_plugin_or_skip();
  if (!p) return;
  Session s(*p);
  std::string bare = unique_prefix() + "strict";
  std::string t = s.table("strict");
  s.conn().exec_ok("CREATE TABLE " + t + " (id INT PRIMARY KEY, name VARCHAR(50) NOT NULL, n INT)");
  std::vector<std::vector<tide_value>> rows = {{int_value(1), text_value("a"), int_value(1)},
                                               {int_value(2), text_value("b"), int_value(2)},
                                               {int_value(3), null_value(), int_value(3)},
                                               {int_value(4), text_value("d"), int_value(4)}};
  REQUIRE(s.conn().driver()->begin(s.conn().get()) == TIDE_OK);
  s.conn().exec_ok("INSERT INTO " + t + " VALUES (100, 'before', 0)");
  auto run = upsert(s.conn(), bare, TIDE_UPSERT_UPDATE, rows);
  CHECK(run.rc == TIDE_EDB);
  CHECK(run.result.failed_row == 2);
  CHECK(s.conn().error().vendor_code == 1048);  // ER_BAD_NULL_ERROR, the row's own error
  // The replay left nothing behind, and the transaction is still the caller's.
  CHECK(s.conn().driver()->in_transaction(s.conn().get()) == 1);
  CHECK(s.conn().scalar_int("SELECT COUNT(*) FROM " + t) == 1);
  REQUIRE(s.conn().driver()->rollback(s.conn().get()) == TIDE_OK);
  // Outside a transaction there is no replay (it would commit rows): the batch's first row.
  run = upsert(s.conn(), bare, TIDE_UPSERT_UPDATE, rows);
  CHECK(run.rc == TIDE_EDB);
  CHECK(run.result.failed_row == 0);
  CHECK(s.conn().scalar_int("SELECT COUNT(*) FROM " + t) == 0);
}

TEST_CASE("mysql upsert: batches past the 65,535-parameter limit", "[mysql][upsert]") {
  const Plugin *p = mysql_plugin_or_skip();
  if (!p) return;
  Session s(*p);
  std::string bare = unique_prefix() + "big";
  std::string t = s.table("big");
  s.conn().exec_ok("CREATE TABLE " + t + " (id INT PRIMARY KEY, name VARCHAR(50), n INT)");
  const int n = 50000;  // 150,000 parameters: three statements at least
  std::vector<std::vector<tide_value>> rows;
  std::vector<std::string> names(n);
  for (int i = 0; i < n; ++i) {
    names[i] = "name" + std::to_string(i);
    rows.push_back({int_value(i), text_value(names[i]), int_value(i)});
  }
  auto run = upsert(s.conn(), bare, TIDE_UPSERT_UPDATE, rows);
  INFO(s.conn().describe_error());
  REQUIRE(run.rc == TIDE_OK);
  CHECK(run.result.inserted == n);
  for (int i = 0; i < n; i += 2) rows[i][2] = int_value(-i - 1);
  run = upsert(s.conn(), bare, TIDE_UPSERT_UPDATE, rows);
  REQUIRE(run.rc == TIDE_OK);
  CHECK(run.result.updated == n / 2);
  CHECK(run.result.unchanged == n / 2);
  CHECK(run.result.inserted == 0);
  CHECK(s.conn().scalar_int("SELECT COUNT(*) FROM " + t + " WHERE n < 0") == n / 2);
}

// ---- upsert_then_exec (ABI 1.3) --------------------------------------------------------------

namespace {

// A session counter (SHOW SESSION STATUS works on MySQL 5.7/8 and MariaDB alike).
int64_t session_counter(Conn &c, const char *name) {
  auto rows = c.rows(std::string("SHOW SESSION STATUS LIKE '") + name + "'");
  REQUIRE(rows.size() == 1);
  return std::stoll(rows[0][1].s);
}

// Prepared executes on the session since `before`, less the ones reading the counter
// itself took (`per_read` each; the reads in between are counted by `reads`).
struct Executes {
  Conn &c;
  int64_t per_read = 0, before = 0;
  explicit Executes(Conn &conn) : c(conn) {
    int64_t a = session_counter(c, "Com_stmt_execute");
    per_read = session_counter(c, "Com_stmt_execute") - a;
    before = session_counter(c, "Com_stmt_execute");
  }
  int64_t since() { return session_counter(c, "Com_stmt_execute") - before - per_read; }
};

int upsert_then_exec(Conn &c, const std::string &table, const std::vector<tide_value> &values,
                     const std::string &script, int &stage) {
  const char *columns[] = {"id", "name"};
  const char *key[] = {"id"};
  const char *update[] = {"name"};
  tide_upsert spec{sizeof(tide_upsert), table.c_str(), columns, 2, key, 1, update, 1, TIDE_UPSERT_UPDATE};
  tide_upsert_result result{};
  return c.driver()->upsert_then_exec(c.get(), &spec, values.data(), values.size() / 2, &result, script.data(),
                                      script.size(), &stage);
}

}  // namespace

TEST_CASE("mysql upsert_then_exec: plain values go as text with the statement, not prepared", "[mysql][upsert]") {
  const Plugin *p = mysql_plugin_or_skip();
  if (!p) return;
  Session s(*p);
  std::string bare = unique_prefix() + "one_message";
  std::string t = s.table("one_message");
  std::string made = s.table("one_message_made");
  s.conn().exec_ok("CREATE TABLE " + t + " (id INT PRIMARY KEY, name VARCHAR(50))");
  Executes executes(s.conn());
  int64_t inserts = session_counter(s.conn(), "Com_insert");
  int64_t creates = session_counter(s.conn(), "Com_create_table");
  int stage = -9;
  REQUIRE(upsert_then_exec(s.conn(), bare, {int_value(1), text_value("applied"), int_value(2), text_value("dirty")},
                           "CREATE TABLE " + made + " (n INT)", stage) == TIDE_OK);
  CHECK(stage == TIDE_STAGE_UPSERT);
  // Reading Com_insert and Com_create_table took two executes of their own.
  CHECK(executes.since() == 2 * executes.per_read);
  CHECK(session_counter(s.conn(), "Com_insert") - inserts == 1);
  CHECK(session_counter(s.conn(), "Com_create_table") - creates == 1);
  CHECK(s.conn().scalar_int("SELECT COUNT(*) FROM " + t) == 2);
}

TEST_CASE("mysql upsert_then_exec: text that would need escaping is bound, in every sql_mode", "[mysql][upsert]") {
  const Plugin *p = mysql_plugin_or_skip();
  if (!p) return;
  Session s(*p);
  std::string bare = unique_prefix() + "escapes";
  std::string t = s.table("escapes");
  s.conn().exec_ok("CREATE TABLE " + t + " (id INT PRIMARY KEY, name VARCHAR(50))");
  const std::string tricky = "a\\'b\\\\' OR 1=1; -- é";
  for (const char *mode : {"", "NO_BACKSLASH_ESCAPES"}) {
    INFO("sql_mode " << mode);
    s.conn().exec_ok(std::string("SET SESSION sql_mode = '") + mode + "'");
    Executes executes(s.conn());
    int stage = -9;
    REQUIRE(upsert_then_exec(s.conn(), bare, {int_value(1), text_value(tricky)}, "DELETE FROM " + t + " WHERE id = 2",
                             stage) == TIDE_OK);
    CHECK(stage == TIDE_STAGE_UPSERT);
    CHECK(executes.since() == 1);  // the upsert, prepared with its values bound
    CHECK(s.conn().rows("SELECT name FROM " + t + " WHERE id = 1").at(0).at(0).s == tricky);
    s.conn().exec_ok("DELETE FROM " + t);
  }
}

TEST_CASE("mysql upsert_then_exec: a value without a literal takes the two-call path", "[mysql][upsert]") {
  const Plugin *p = mysql_plugin_or_skip();
  if (!p) return;
  Session s(*p);
  std::string bare = unique_prefix() + "no_literal";
  std::string t = s.table("no_literal");
  std::string made = s.table("no_literal_made");
  s.conn().exec_ok("SET SESSION sql_mode = 'STRICT_ALL_TABLES'");
  s.conn().exec_ok("CREATE TABLE " + t + " (id INT PRIMARY KEY, name DOUBLE)");
  // An infinite double has no SQL literal: bound as a parameter, the server refuses it.
  int stage = -9;
  CHECK(upsert_then_exec(s.conn(), bare, {int_value(1), float_value(1.0 / 0.0)}, "CREATE TABLE " + made + " (n INT)",
                         stage) != TIDE_OK);
  CHECK(stage == TIDE_STAGE_NONE);
  CHECK(s.conn().exec("SELECT 1 FROM " + made) == TIDE_EDB);  // the script did not run
  // A finite one goes as text with the statement again.
  Executes executes(s.conn());
  REQUIRE(upsert_then_exec(s.conn(), bare, {int_value(1), float_value(0.5)}, "CREATE TABLE " + made + " (n INT)",
                           stage) == TIDE_OK);
  CHECK(stage == TIDE_STAGE_UPSERT);
  CHECK(executes.since() == 0);
  s.conn().exec_ok("SELECT 1 FROM " + made);
}

TEST_CASE("mysql upsert_then_exec: multi-statements=false in the URL sends the two on their own", "[mysql][upsert]") {
  const Plugin *p = mysql_plugin_or_skip();
  if (!p) return;
  std::string url = p->url + (p->url.find('?') == std::string::npos ? "?" : "&") + "multi-statements=false";
  Conn c(*p, url);
  Session s(*p);  // makes and drops the tables
  std::string bare = unique_prefix() + "single";
  std::string t = s.table("single");
  std::string made = s.table("single_made");
  s.conn().exec_ok("CREATE TABLE " + t + " (id INT PRIMARY KEY, name VARCHAR(50))");
  Executes executes(c);
  int stage = -9;
  REQUIRE(upsert_then_exec(c, bare, {int_value(1), text_value("dirty")}, "CREATE TABLE " + made + " (n INT)", stage) ==
          TIDE_OK);
  CHECK(stage == TIDE_STAGE_UPSERT);
  CHECK(executes.since() == 1);  // the upsert, prepared
  c.exec_ok("SELECT 1 FROM " + made);
  // A misspelt value is refused when connecting, naming the parameter.
  tide_conn *bad = nullptr;
  std::string wrong = p->url + (p->url.find('?') == std::string::npos ? "?" : "&") + "multi-statements=maybe";
  CHECK(p->driver->connect(wrong.c_str(), nullptr, &bad) == TIDE_EMISUSE);
  CHECK(std::string(p->driver->last_error(bad)->message).find("multi-statements") != std::string::npos);
  p->driver->close(bad);
}

// ---- dump ---------------------------------------------------------------------------------

TEST_CASE("mysql dump: the schema through mariadb-dump, without the password on argv", "[mysql][dump]") {
  const Plugin *p = mysql_plugin_or_skip();
  if (!p) return;
  Session s(*p);
  std::string t = s.table("dumped");
  s.conn().exec_ok("CREATE TABLE " + t + " (id INT AUTO_INCREMENT PRIMARY KEY, v TEXT)");
  s.conn().exec_ok("INSERT INTO " + t + " (v) VALUES ('row data must not be dumped')");
  std::string out;
  auto writer = [](void *user, const char *data, size_t len) -> int {
    static_cast<std::string *>(user)->append(data, len);
    return 0;
  };
  int rc = p->driver->dump(s.conn().get(), writer, &out);
  INFO(s.conn().describe_error());
  REQUIRE(rc == TIDE_OK);
  CHECK(out.find("CREATE TABLE " + t) != std::string::npos);
  CHECK(out.find("row data must not be dumped") == std::string::npos);
  CHECK(out.find("AUTO_INCREMENT=") == std::string::npos);
  // Without the tool on PATH: a clear TIDE_EUNSUPPORTED naming it.
  std::string saved = std::getenv("PATH") ? std::getenv("PATH") : "";
  setenv("PATH", "/nonexistent", 1);
  rc = p->driver->dump(s.conn().get(), writer, &out);
  setenv("PATH", saved.c_str(), 1);
  CHECK(rc == TIDE_EUNSUPPORTED);
  CHECK(std::string(s.conn().error().message).find("mariadb-dump") != std::string::npos);
}
