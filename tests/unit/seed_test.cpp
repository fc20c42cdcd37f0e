// Unit tests of the seeds' parts that need no database: the CSV reader (line numbers,
// quoting, CRLF, a byte order mark), the detection of deleting SQL, the row writer's
// batching over the fake session, the options' column checks, and the seed catalog.
#include "seed/seed.h"

#include <catch2/catch.hpp>

#include "fake_session.h"
#include "seed/csv_reader.h"
#include "seed/deletes.h"
#include "seed/row_writer.h"
#include "temp_dir.h"

using namespace tide;
using tide::test::TempDir;

namespace {

struct Read {
  Status status;
  std::vector<std::vector<std::string>> records;  // fields; "<null>" for an empty unquoted one
  std::vector<int64_t> lines;
};

Read read_csv(const std::string &text, char delimiter = ',') {
  TempDir dir;
  auto path = dir.write("x.csv", text);
  Read out;
  CsvReader reader(path.string(), "x.csv", delimiter);
  out.status = reader.read([&](const CsvRecord &r) {
    std::vector<std::string> fields;
    for (size_t i = 0; i < r.size; ++i) fields.push_back(r.fields[i].empty_unquoted ? "<null>" : r.fields[i].text);
    out.records.push_back(fields);
    out.lines.push_back(r.line);
    return Status();
  });
  return out;
}

}  // namespace

TEST_CASE("csv: RFC 4180 fields, with the line each record ends on") {
  Read r = read_csv("a,b,c\r\n1,\"x, \"\"y\"\"\",\r\n2,\"multi\nline\",\"\"\n\n3,  spaced ,z");
  REQUIRE(r.status.ok());
  REQUIRE(r.records.size() == 4);
  CHECK(r.records[1] == std::vector<std::string>{"1", "x, \"y\"", "<null>"});
  CHECK(r.records[2] == std::vector<std::string>{"2", "multi\nline", ""});
  CHECK(r.records[3] == std::vector<std::string>{"3", "  spaced ", "z"});
  CHECK(r.lines == std::vector<int64_t>{1, 2, 4, 6});
}

TEST_CASE("csv: a byte order mark and another delimiter") {
  Read r = read_csv("\xEF\xBB\xBFid\tname\n1\tAda\n", '\t');
  REQUIRE(r.status.ok());
  CHECK(r.records[0] == std::vector<std::string>{"id", "name"});
  CHECK(r.records[1] == std::vector<std::string>{"1", "Ada"});
}

TEST_CASE("csv: malformed quoting names the file and line") {
  Read r = read_csv("a,b\n1,2\n3,\"x\"y\n");
  REQUIRE_FALSE(r.status.ok());
  CHECK(r.status.error().message.rfind("x.csv:3: malformed CSV", 0) == 0);
  Read open = read_csv("a,b\n1,\"never closed\n2,3\n");
  REQUIRE_FALSE(open.status.ok());
  CHECK(open.status.error().message.find("x.csv:2: malformed CSV: a quoted field is never closed") == 0);
}

TEST_CASE("csv: a record callback's failure stops the reading") {
  TempDir dir;
  auto path = dir.write("x.csv", "a\n1\n2\n3\n");
  int seen = 0;
  Status s = CsvReader(path.string(), "x.csv").read([&](const CsvRecord &) {
    return ++seen == 2 ? Status::fail(Exit::kFailed, "stop") : Status();
  });
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message == "stop");
  CHECK(seen == 2);
}

TEST_CASE("deletes: statements that delete rows, and text that only mentions it") {
  CHECK(deleting_statement("DELETE FROM users", "sqlite") == "DELETE FROM users");
  CHECK(deleting_statement("insert into a values (1);\n  truncate table b;", "postgres") == "truncate table b");
  CHECK(deleting_statement("DROP TABLE x", "mysql") == "DROP TABLE x");
  CHECK(deleting_statement("REPLACE INTO roles VALUES (1)", "mysql") == "REPLACE INTO roles VALUES (1)");
  CHECK(deleting_statement("WITH gone AS (SELECT 1) DELETE FROM t", "postgres") ==
        "WITH gone AS (SELECT 1) DELETE FROM t");
  CHECK(deleting_statement("INSERT INTO a VALUES ('DELETE FROM b'); -- DELETE FROM c", "sqlite").empty());
  CHECK(deleting_statement("/* TRUNCATE x */ UPDATE t SET \"delete\" = 1", "postgres").empty());
  CHECK(deleting_statement("CREATE TABLE c (p INTEGER REFERENCES p ON DELETE CASCADE)", "sqlite").empty());
  CHECK(deleting_statement("WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x", "postgres").empty() == false);
}

TEST_CASE("row writer: batches of kBatchRows, counts, and the row an error is about") {
  test::FakeDb db;
  test::FakeSession session(db);
  UpsertSpec spec;
  spec.table = "t";
  spec.columns = {"id", "name"};
  spec.key = {"id"};
  spec.update = {"name"};
  spec.mode = TIDE_UPSERT_UPDATE;
  RowWriter w(
      session, spec, nullptr, "t", [](int64_t i) { return "row " + std::to_string(i); }, 2500);
  std::string name = "n";
  for (int64_t i = 1; i <= 2500; ++i) {
    tide_value row[2] = {int_value(i), text_value(name)};
    REQUIRE(w.add(row, i).ok());
  }
  REQUIRE(w.finish().ok());
  CHECK(db.state.upserts == std::vector<std::string>{"t 1 1000", "t 1 1000", "t 1 500"});
  CHECK(w.counts().inserted == 2500);
  CHECK(w.rows_written() == 2500);
}

TEST_CASE("row writer: a key repeated in a batch starts a new batch") {
  test::FakeDb db;
  test::FakeSession session(db);
  UpsertSpec spec;
  spec.table = "t";
  spec.columns = {"id"};
  spec.key = {"id"};
  spec.mode = TIDE_UPSERT_UPDATE;
  RowWriter w(
      session, spec, nullptr, "t", [](int64_t i) { return std::to_string(i); }, -1);
  for (int64_t id : {1, 2, 1, 3}) {
    tide_value row[1] = {int_value(id)};
    REQUIRE(w.add(row, id).ok());
  }
  REQUIRE(w.finish().ok());
  CHECK(db.state.upserts == std::vector<std::string>{"t 1 2", "t 1 2"});
}

TEST_CASE("row writer: a failed batch names the row") {
  test::FakeDb db;
  test::FakeSession session(db);
  UpsertSpec spec;
  spec.table = "FAIL";
  spec.columns = {"id"};
  RowWriter w(
      session, spec, nullptr, "FAIL", [](int64_t i) { return "data.csv:" + std::to_string(i + 1); }, -1);
  tide_value row[1] = {int_value(1)};
  REQUIRE(w.add(row, 7).ok());
  Status s = w.finish();
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message == "insert into FAIL: data.csv:8: fake upsert failure");
}

TEST_CASE("rows options: key and update columns are checked against the columns") {
  RowsOptions o;
  o.spec.columns = {"id", "name", "level"};
  o.spec.key = {"id"};
  o.spec.mode = TIDE_UPSERT_UPDATE;
  o.update_all = true;
  CHECK(resolve_columns(o).empty());
  CHECK(o.spec.update == std::vector<std::string>{"name", "level"});

  RowsOptions only_key;
  only_key.spec.columns = {"id"};
  only_key.spec.key = {"id"};
  only_key.spec.mode = TIDE_UPSERT_UPDATE;
  only_key.update_all = true;
  CHECK(resolve_columns(only_key).empty());
  CHECK(only_key.spec.mode == TIDE_UPSERT_IGNORE);  // nothing to update

  RowsOptions bad;
  bad.spec.columns = {"id", "name"};
  bad.spec.key = {"code"};
  bad.spec.mode = TIDE_UPSERT_UPDATE;
  CHECK(resolve_columns(bad) == "key column \"code\" is not one of the rows' columns (id, name)");
  bad.spec.key = {"id"};
  bad.spec.update = {"id"};
  CHECK(resolve_columns(bad) == "update column \"id\" is a key column; a key is never updated");
}

TEST_CASE("seed catalog: file-name order, data files ignored, one name per seed") {
  TempDir dir;
  dir.write("seeds/020_users.sql", "SELECT 1;");
  dir.write("seeds/010_roles.lua", "return {run = function() end}");
  dir.write("seeds/data/countries.csv", "a\n");
  dir.write("seeds/README.md", "notes");
  auto seeds = scan_seeds(dir.path() / "seeds", "seeds");
  REQUIRE(seeds);
  REQUIRE(seeds->size() == 2);
  CHECK((*seeds)[0].name == "010_roles");
  CHECK((*seeds)[0].display == "seeds/010_roles.lua");
  CHECK((*seeds)[1].name == "020_users");
  CHECK(scan_seeds(dir.path() / "none", "none")->empty());
  dir.write("seeds/010_roles.sql", "SELECT 1;");
  auto twice = scan_seeds(dir.path() / "seeds", "seeds");
  REQUIRE_FALSE(twice);
  CHECK(twice.error().message.find("the seed name \"010_roles\" is also used by") != std::string::npos);
}
