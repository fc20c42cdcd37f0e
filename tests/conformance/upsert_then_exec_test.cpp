// Conformance cases for the ABI 1.3 upsert_then_exec member, through the raw C ABI, for
// any driver that has it: the rows are written before the script runs, a failed upsert
// keeps every statement of the script from running, a failing statement of the script
// is located as exec() locates it (the rows stay written), every value type is written
// as upsert() writes it, and an empty script is the upsert alone. A driver without the
// member (its host makes the two calls itself) skips them with a message.
#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

#include "harness.h"

using namespace conformance;

namespace {

bool has_member(const tide_driver *d) {
  return d->struct_size >= offsetof(tide_driver, upsert_then_exec) + sizeof(d->upsert_then_exec) &&
         d->upsert_then_exec != nullptr;
}

const Plugin *member_plugin() {
  const Plugin &p = configured_plugin();
  if (has_member(p.driver)) return &p;
  WARN("driver " << p.driver->name << " has no upsert_then_exec member (ABI " << p.driver->abi_major << "."
                 << p.driver->abi_minor << "): its cases skipped");
  return nullptr;
}

// One call of upsert_then_exec; result and stage start at values no driver writes.
struct Call {
  UpsertCall upsert;
  int stage = -9;

  int run(Conn &c, const std::vector<tide_value> &values, const std::string &script) {
    tide_upsert spec{};
    spec.struct_size = sizeof spec;
    spec.table = upsert.table.c_str();
    spec.columns = upsert.columns.data();
    spec.ncolumns = upsert.columns.size();
    spec.key = upsert.key.data();
    spec.nkey = upsert.key.size();
    spec.update = upsert.update.data();
    spec.nupdate = upsert.update.size();
    spec.mode = upsert.mode;
    upsert.result = tide_upsert_result{-9, -9, -9, -9};
    stage = -9;
    return c.driver()->upsert_then_exec(c.get(), &spec, values.data(), values.size() / upsert.columns.size(),
                                        &upsert.result, script.data(), script.size(), &stage);
  }
};

// A marks table (id INT PRIMARY KEY, status TEXT), standing in for tide's history, and a
// call writing both columns.
Call marks(Session &s, std::string &quoted, const std::string &base = "marks") {
  const Dialect &d = dialect(s.conn().driver());
  quoted = s.table(base);
  s.conn().exec_ok("CREATE TABLE " + quoted + " (id " + d.int_type + " PRIMARY KEY, status " + d.text_type + ")");
  Call call;
  call.upsert.table = unique_prefix() + base;
  call.upsert.columns = {"id", "status"};
  call.upsert.key = {"id"};
  call.upsert.update = {"status"};
  return call;
}

std::vector<tide_value> two_marks(const char *first, const char *second) {
  return {int_value(1), text_value(first), int_value(2), text_value(second)};
}

// Whether a table exists, asked without failing the case.
bool table_exists(Conn &c, const std::string &quoted) {
  tide_stmt *stmt = nullptr;
  std::string sql = "SELECT 1 FROM " + quoted + " WHERE 1 = 0";
  int rc = c.driver()->query(c.get(), sql.data(), sql.size(), nullptr, 0, &stmt);
  c.driver()->finalize(stmt);
  return rc == TIDE_OK;
}

}  // namespace

TEST_CASE("upsert_then_exec: writes the rows, then runs every statement of the script", "[conformance][upsert]") {
  const Plugin *p = member_plugin();
  if (!p) return;
  Session s(*p);
  std::string m;
  Call call = marks(s, m);
  REQUIRE(call.run(s.conn(), two_marks("applied", "dirty"), "") == TIDE_OK);  // no script: the upsert alone
  CHECK(call.stage == TIDE_STAGE_UPSERT);
  CHECK(call.upsert.result.inserted == 2);

  std::string t = s.table("made");
  const Dialect &d = dialect(p->driver);
  std::string script = "-- the migration\nCREATE TABLE " + t + " (n " + d.int_type + ");\nINSERT INTO " + t +
                       " (n) VALUES (1), (2);\nINSERT INTO " + t + " (n) VALUES (3);\n";
  INFO(s.conn().describe_error());
  REQUIRE(call.run(s.conn(), two_marks("applied", "applied"), script) == TIDE_OK);
  CHECK(call.stage == TIDE_STAGE_UPSERT);
  CHECK(call.upsert.result.inserted == 0);
  CHECK(call.upsert.result.updated == 1);
  CHECK(call.upsert.result.unchanged == 1);
  CHECK(s.conn().scalar_int("SELECT sum(n) FROM " + t) == 6);
  CHECK(s.conn().scalar_int("SELECT count(*) FROM " + m + " WHERE status = 'applied'") == 2);
}

TEST_CASE("upsert_then_exec: a failed upsert runs nothing of the script", "[conformance][upsert]") {
  const Plugin *p = member_plugin();
  if (!p) return;
  Session s(*p);
  std::string m;
  Call call = marks(s, m);
  call.upsert.columns = {"id", "no_such_column"};
  std::string t = s.table("never");
  const Dialect &d = dialect(p->driver);
  int rc = call.run(s.conn(), two_marks("applied", "dirty"), "CREATE TABLE " + t + " (n " + d.int_type + ");");
  CHECK(rc == TIDE_EDB);
  CHECK(call.stage == TIDE_STAGE_NONE);
  CHECK(s.conn().error().statement_offset == -1);  // not about the script
  CHECK_FALSE(table_exists(s.conn(), t));
  CHECK(s.conn().scalar_int("SELECT count(*) FROM " + m) == 0);

  // A row the table refuses (a duplicate key in INSERT mode) is the upsert's failure too.
  Call plain = marks(s, m, "plain_marks");
  plain.upsert.mode = TIDE_UPSERT_INSERT;
  REQUIRE(plain.run(s.conn(), {int_value(2), text_value("there")}, "") == TIDE_OK);
  CHECK(plain.run(s.conn(), two_marks("new", "duplicate"), "CREATE TABLE " + t + " (n " + d.int_type + ");") ==
        TIDE_EDB);
  CHECK(plain.stage == TIDE_STAGE_NONE);
  CHECK(plain.upsert.result.failed_row >= 0);
  CHECK_FALSE(table_exists(s.conn(), t));
  CHECK(s.conn().scalar_int("SELECT count(*) FROM " + m) == 1);  // the statement wrote no row
}

TEST_CASE("upsert_then_exec: a failing statement is located as exec() locates it, the rows stay",
          "[conformance][upsert]") {
  const Plugin *p = member_plugin();
  if (!p) return;
  Session s(*p);
  std::string m;
  Call call = marks(s, m);
  std::string t = s.table("half");
  const Dialect &d = dialect(p->driver);
  // The first statement fails.
  std::string first =
      "-- note\nINSERT INTO tide_no_such_table (n) VALUES (1);\nCREATE TABLE " + t + " (n " + d.int_type + ");";
  CHECK(call.run(s.conn(), two_marks("applied", "dirty"), first) == TIDE_EDB);
  CHECK(call.stage == TIDE_STAGE_UPSERT);
  CHECK(s.conn().error().statement_offset == static_cast<int64_t>(first.find("INSERT")));
  CHECK(s.conn().scalar_int("SELECT count(*) FROM " + m + " WHERE status = 'dirty'") == 1);
  CHECK_FALSE(table_exists(s.conn(), t));  // the statements after it did not run

  // The second one fails, on a syntax error whose position is found as exec() finds it.
  std::string second = "CREATE TABLE " + t + " (n " + d.int_type + ");\nINSERT INTO " + t + " VALUES (1) WHERE;";
  CHECK(call.run(s.conn(), two_marks("applied", "applied"), second) == TIDE_EDB);
  CHECK(call.stage == TIDE_STAGE_UPSERT);
  const tide_error &e = s.conn().error();
  CHECK(e.statement_offset == static_cast<int64_t>(second.find("INSERT")));
  if (e.error_position >= 0) CHECK(second.substr(e.statement_offset + e.error_position).starts_with("WHERE"));
  CHECK(table_exists(s.conn(), t));
  CHECK(s.conn().scalar_int("SELECT count(*) FROM " + m + " WHERE status = 'applied'") == 2);
}

TEST_CASE("upsert_then_exec: every value type is written as upsert() writes it", "[conformance][upsert]") {
  const Plugin *p = member_plugin();
  if (!p) return;
  Session s(*p);
  const Dialect &d = dialect(p->driver);
  std::string quoted = s.table("literals");
  s.conn().exec_ok("CREATE TABLE " + quoted + " (id " + d.int_type + " PRIMARY KEY, i " + d.int_type + ", f " +
                   d.float_type + ", t " + d.text_type + ", b " + d.blob_type + ", ok " + d.bool_type + ")");
  Call call;
  call.upsert.table = unique_prefix() + "literals";
  call.upsert.columns = {"id", "i", "f", "t", "b", "ok"};
  call.upsert.key = {"id"};
  call.upsert.update = {"i", "f", "t", "b", "ok"};
  // Quotes, backslashes, a NUL-free control byte, multi-byte UTF-8, a statement
  // separator and a comment opener inside text; every byte value in the blob.
  const std::string text = "it's \\' \\\\ \"q\" \t; -- /* été 𝄞 ?";
  std::string blob;
  for (int b = 0; b < 256; ++b) blob += static_cast<char>(b);
  std::vector<tide_value> values = {
      int_value(1), int_value(INT64_MIN), float_value(0.1),      text_value(text), blob_value(blob), bool_value(true),
      int_value(2), int_value(INT64_MAX), float_value(-1.5e300), text_value(""),   blob_value(""),   bool_value(false),
      int_value(3), null_value(),         null_value(),          null_value(),     null_value(),     null_value()};
  REQUIRE(call.run(s.conn(), values, "SELECT 1;") == TIDE_OK);
  CHECK(call.upsert.result.inserted == 3);
  auto rows = s.conn().rows("SELECT i, f, t, b, ok FROM " + quoted + " ORDER BY id");
  REQUIRE(rows.size() == 3);
  CHECK(rows[0][0].i == INT64_MIN);
  CHECK(rows[0][1].f == 0.1);
  CHECK(rows[0][2].s == text);
  CHECK(rows[0][3].s == blob);
  CHECK(rows[0][4].i == 1);
  CHECK(rows[1][0].i == INT64_MAX);
  CHECK(rows[1][1].f == -1.5e300);
  CHECK(rows[1][2].s.empty());
  CHECK(rows[1][2].type == TIDE_TYPE_TEXT);
  CHECK(rows[1][3].s.empty());
  CHECK(rows[1][4].i == 0);
  for (const Value &v : rows[2]) CHECK(v.type == TIDE_TYPE_NULL);
  // The same rows again: unchanged, as upsert() would count them.
  REQUIRE(call.run(s.conn(), values, "") == TIDE_OK);
  CHECK(call.upsert.result.unchanged == 3);
}

TEST_CASE("upsert_then_exec: inside a transaction both roll back with it", "[conformance][upsert]") {
  const Plugin *p = member_plugin();
  if (!p) return;
  Session s(*p);
  std::string m;
  Call call = marks(s, m);
  std::string t = s.table("rows");
  const Dialect &d = dialect(p->driver);
  s.conn().exec_ok("CREATE TABLE " + t + " (n " + d.int_type + ")");
  REQUIRE(p->driver->begin(s.conn().get()) == TIDE_OK);
  REQUIRE(call.run(s.conn(), two_marks("applied", "dirty"), "INSERT INTO " + t + " (n) VALUES (7);") == TIDE_OK);
  CHECK(p->driver->in_transaction(s.conn().get()) == 1);
  REQUIRE(p->driver->rollback(s.conn().get()) == TIDE_OK);
  CHECK(s.conn().scalar_int("SELECT count(*) FROM " + m) == 0);
  CHECK(s.conn().scalar_int("SELECT count(*) FROM " + t) == 0);
}
