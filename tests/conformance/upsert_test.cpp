// Conformance cases for the ABI 1.1 upsert member, through the raw C ABI, for any driver:
// counts of inserted / updated / unchanged rows, idempotence, NULLs and every value
// type, more rows than one statement holds, the IGNORE and INSERT modes, failed_row on
// errors, and an unknown column. A driver without the member skips them with a message.
#include <cstddef>
#include <cstring>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "harness.h"

using namespace conformance;

namespace {

bool has_upsert(const tide_driver *d) {
  return d->struct_size >= offsetof(tide_driver, upsert) + sizeof(d->upsert) && d->upsert != nullptr;
}

// The driver under test when it has upsert; null (with a message) when it does not.
const Plugin *upsert_plugin() {
  const Plugin &p = configured_plugin();
  if (has_upsert(p.driver)) return &p;
  WARN("driver " << p.driver->name << " has no upsert member (ABI " << p.driver->abi_major << "." << p.driver->abi_minor
                 << "): upsert cases skipped");
  return nullptr;
}

// A table (id INT PRIMARY KEY, name TEXT, n INT) and an UpsertCall writing all three columns.
UpsertCall people(Session &s) {
  const Dialect &d = dialect(s.conn().driver());
  std::string quoted = s.table("people");
  s.conn().exec_ok("CREATE TABLE " + quoted + " (id " + d.int_type + " PRIMARY KEY, name " + d.text_type + ", n " +
                   d.int_type + ")");
  UpsertCall call;
  call.table = unique_prefix() + "people";
  call.columns = {"id", "name", "n"};
  call.key = {"id"};
  call.update = {"name", "n"};
  return call;
}

std::vector<tide_value> rows3(const std::vector<std::tuple<int64_t, const char *, int64_t>> &rows) {
  std::vector<tide_value> v;
  for (const auto &[id, name, n] : rows) {
    v.push_back(int_value(id));
    v.push_back(name ? text_value(name) : null_value());
    v.push_back(int_value(n));
  }
  return v;
}

void check_counts(const UpsertCall &c, int64_t inserted, int64_t updated, int64_t unchanged) {
  INFO("inserted " << c.result.inserted << ", updated " << c.result.updated << ", unchanged " << c.result.unchanged);
  CHECK(c.result.inserted == inserted);
  CHECK(c.result.updated == updated);
  CHECK(c.result.unchanged == unchanged);
}

std::string contents(Session &s, const std::string &quoted) {
  std::string out;
  for (const auto &row : s.conn().rows("SELECT id, name, n FROM " + quoted + " ORDER BY id")) {
    std::ostringstream line;
    line << row[0] << "|" << row[1] << "|" << row[2] << "\n";
    out += line.str();
  }
  return out;
}

}  // namespace

TEST_CASE("upsert: counts inserted, updated and unchanged rows", "[conformance][upsert]") {
  const Plugin *p = upsert_plugin();
  if (!p) return;
  Session s(*p);
  UpsertCall call = people(s);
  REQUIRE(call.run(s.conn(), rows3({{1, "ada", 10}, {2, "bob", 20}, {3, "cy", 30}})) == TIDE_OK);
  check_counts(call, 3, 0, 0);
  CHECK(call.result.failed_row == -1);
  // One row as it is, one changed, one new.
  INFO(s.conn().describe_error());
  REQUIRE(call.run(s.conn(), rows3({{1, "ada", 10}, {2, "bob", 21}, {4, "dee", 40}})) == TIDE_OK);
  check_counts(call, 1, 1, 1);
  CHECK(s.conn().scalar_int("SELECT n FROM " + quote_ident(p->driver, call.table) + " WHERE id = 2") == 21);
  CHECK(s.conn().scalar_int("SELECT count(*) FROM " + quote_ident(p->driver, call.table)) == 4);
}

TEST_CASE("upsert: the same rows twice change nothing the second time", "[conformance][upsert]") {
  const Plugin *p = upsert_plugin();
  if (!p) return;
  Session s(*p);
  UpsertCall call = people(s);
  auto rows = rows3({{1, "ada", 10}, {2, nullptr, 20}, {3, "cy", 30}});
  REQUIRE(call.run(s.conn(), rows) == TIDE_OK);
  std::string before = contents(s, quote_ident(p->driver, call.table));
  REQUIRE(call.run(s.conn(), rows) == TIDE_OK);
  check_counts(call, 0, 0, 3);  // the NULL name compares equal to NULL
  CHECK(contents(s, quote_ident(p->driver, call.table)) == before);
}

TEST_CASE("upsert: NULLs and every value type round-trip and compare NULL-safely", "[conformance][upsert]") {
  const Plugin *p = upsert_plugin();
  if (!p) return;
  Session s(*p);
  const Dialect &d = dialect(p->driver);
  std::string quoted = s.table("types");
  s.conn().exec_ok("CREATE TABLE " + quoted + " (id " + d.int_type + " PRIMARY KEY, i " + d.int_type + ", f " +
                   d.float_type + ", t " + d.text_type + ", b " + d.blob_type + ", ok " + d.bool_type + ")");
  UpsertCall call;
  call.table = unique_prefix() + "types";
  call.columns = {"id", "i", "f", "t", "b", "ok"};
  call.key = {"id"};
  call.update = {"i", "f", "t", "b", "ok"};
  const std::string blob("\x00\x01\xff", 3);
  std::vector<tide_value> values = {int_value(1),     int_value(-7),    float_value(2.5), text_value("été"),
                                    blob_value(blob), bool_value(true), int_value(2),     null_value(),
                                    null_value(),     null_value(),     null_value(),     null_value()};
  REQUIRE(call.run(s.conn(), values) == TIDE_OK);
  check_counts(call, 2, 0, 0);
  auto rows = s.conn().rows("SELECT i, f, t, b, ok FROM " + quoted + " WHERE id = 1");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0][0].i == -7);
  CHECK(rows[0][1].f == 2.5);
  CHECK(rows[0][2].s == "été");
  CHECK(rows[0][3].s == blob);
  CHECK(rows[0][4].i == 1);
  auto nulls = s.conn().rows("SELECT i, f, t, b, ok FROM " + quoted + " WHERE id = 2");
  REQUIRE(nulls.size() == 1);
  for (const Value &v : nulls[0]) CHECK(v.type == TIDE_TYPE_NULL);
  // Unchanged again, NULLs included; then a NULL becomes a value and a value a NULL.
  REQUIRE(call.run(s.conn(), values) == TIDE_OK);
  check_counts(call, 0, 0, 2);
  values[8] = float_value(1.0);  // row 2: f from NULL to 1.0
  values[4] = null_value();      // row 1: b from the blob to NULL
  REQUIRE(call.run(s.conn(), values) == TIDE_OK);
  check_counts(call, 0, 2, 0);
  CHECK(s.conn().scalar_int("SELECT count(*) FROM " + quoted + " WHERE b IS NULL") == 2);
}

TEST_CASE("upsert: more rows than one statement holds, with a composite key", "[conformance][upsert]") {
  const Plugin *p = upsert_plugin();
  if (!p) return;
  Session s(*p);
  const Dialect &d = dialect(p->driver);
  std::string quoted = s.table("many");
  s.conn().exec_ok("CREATE TABLE " + quoted + " (a " + d.int_type + " NOT NULL, b " + d.int_type + " NOT NULL, v " +
                   d.int_type + ", PRIMARY KEY (a, b))");
  UpsertCall call;
  call.table = unique_prefix() + "many";
  call.columns = {"a", "b", "v"};
  call.key = {"a", "b"};
  call.update = {"v"};
  // 25,000 rows of 3 values: more than SQLite's 32,766 and PostgreSQL's 65,535 bound
  // parameters, so the driver has to split them into several statements.
  constexpr int64_t kRows = 25000;
  std::vector<tide_value> values;
  for (int64_t i = 0; i < kRows; ++i) {
    values.push_back(int_value(i % 100));
    values.push_back(int_value(i / 100));
    values.push_back(int_value(i));
  }
  REQUIRE(s.conn().driver()->begin(s.conn().get()) == TIDE_OK);
  REQUIRE(call.run(s.conn(), values) == TIDE_OK);
  check_counts(call, kRows, 0, 0);
  for (int64_t i = 0; i < kRows; i += 2) values[static_cast<size_t>(i * 3 + 2)] = int_value(-i - 1);
  REQUIRE(call.run(s.conn(), values) == TIDE_OK);
  check_counts(call, 0, kRows / 2, kRows / 2);
  REQUIRE(s.conn().driver()->commit(s.conn().get()) == TIDE_OK);
  CHECK(s.conn().scalar_int("SELECT count(*) FROM " + quoted) == kRows);
  CHECK(s.conn().scalar_int("SELECT count(*) FROM " + quoted + " WHERE v < 0") == kRows / 2);
}

TEST_CASE("upsert: IGNORE keeps existing rows as they are", "[conformance][upsert]") {
  const Plugin *p = upsert_plugin();
  if (!p) return;
  Session s(*p);
  UpsertCall call = people(s);
  REQUIRE(call.run(s.conn(), rows3({{1, "ada", 10}})) == TIDE_OK);
  call.mode = TIDE_UPSERT_IGNORE;
  call.update.clear();
  REQUIRE(call.run(s.conn(), rows3({{1, "changed", 99}, {2, "bob", 20}})) == TIDE_OK);
  check_counts(call, 1, 0, 1);
  auto rows = s.conn().rows("SELECT name, n FROM " + quote_ident(p->driver, call.table) + " WHERE id = 1");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0][0].s == "ada");
  CHECK(rows[0][1].i == 10);
}

TEST_CASE("upsert: INSERT mode fails on a conflict and names the row", "[conformance][upsert]") {
  const Plugin *p = upsert_plugin();
  if (!p) return;
  Session s(*p);
  UpsertCall call = people(s);
  REQUIRE(call.run(s.conn(), rows3({{3, "cy", 30}})) == TIDE_OK);
  call.mode = TIDE_UPSERT_INSERT;
  call.update.clear();
  REQUIRE(s.conn().driver()->begin(s.conn().get()) == TIDE_OK);
  int rc = call.run(s.conn(), rows3({{1, "ada", 10}, {2, "bob", 20}, {3, "again", 30}, {4, "dee", 40}}));
  CHECK(rc < 0);
  const tide_error &e = s.conn().error();
  REQUIRE(e.message != nullptr);
  CHECK(std::strlen(e.message) > 0);
  // The conflicting row (index 2) when the driver can tell, else the first row of the
  // statement that failed.
  CHECK(call.result.failed_row >= 0);
  CHECK(call.result.failed_row <= 2);
  REQUIRE(s.conn().driver()->rollback(s.conn().get()) == TIDE_OK);
  CHECK(s.conn().scalar_int("SELECT count(*) FROM " + quote_ident(p->driver, call.table)) == 1);
}

TEST_CASE("upsert: a row the database refuses is named by failed_row", "[conformance][upsert]") {
  const Plugin *p = upsert_plugin();
  if (!p) return;
  Session s(*p);
  const Dialect &d = dialect(p->driver);
  std::string quoted = s.table("strict");
  s.conn().exec_ok("CREATE TABLE " + quoted + " (id " + d.int_type + " PRIMARY KEY, name " + d.text_type +
                   " NOT NULL)");
  UpsertCall call;
  call.table = unique_prefix() + "strict";
  call.columns = {"id", "name"};
  call.key = {"id"};
  call.update = {"name"};
  std::vector<tide_value> values = {int_value(1), text_value("a"), int_value(2), text_value("b"),
                                    int_value(3), null_value(),    int_value(4), text_value("d")};
  REQUIRE(s.conn().driver()->begin(s.conn().get()) == TIDE_OK);
  CHECK(call.run(s.conn(), values) < 0);
  CHECK(call.result.failed_row >= 0);
  CHECK(call.result.failed_row <= 2);
  // SQLite and MySQL replay the batch to find it.
  if (std::string_view(p->driver->name) == "sqlite" || std::string_view(p->driver->name) == "mysql")
    CHECK(call.result.failed_row == 2);
  REQUIRE(s.conn().driver()->rollback(s.conn().get()) == TIDE_OK);
}

TEST_CASE("upsert: a column that does not exist is the database's error", "[conformance][upsert]") {
  const Plugin *p = upsert_plugin();
  if (!p) return;
  Session s(*p);
  UpsertCall call = people(s);
  call.columns = {"id", "nosuchcolumn", "n"};
  call.update = {"nosuchcolumn", "n"};
  CHECK(call.run(s.conn(), rows3({{1, "ada", 10}})) < 0);
  const tide_error &e = s.conn().error();
  REQUIRE(e.message != nullptr);
  CHECK(std::string(e.message).find("nosuchcolumn") != std::string::npos);
  CHECK(call.result.inserted == 0);
}

TEST_CASE("upsert: bad arguments are TIDE_EMISUSE, not a crash", "[conformance][upsert]") {
  const Plugin *p = upsert_plugin();
  if (!p) return;
  Session s(*p);
  UpsertCall call = people(s);
  call.key.clear();  // UPDATE without a conflict target
  CHECK(call.run(s.conn(), rows3({{1, "ada", 10}})) == TIDE_EMISUSE);
  tide_upsert_result result{};
  CHECK(p->driver->upsert(s.conn().get(), nullptr, nullptr, 0, &result) == TIDE_EMISUSE);
}
