// The overview merges files and history into states; checksums of applied files are
// computed on several threads when there are many, so test with many.
#include "migrate/overview.h"

#include <catch2/catch.hpp>

#include "migrate/checksum.h"
#include "temp_dir.h"

using namespace tide;
using tide::test::TempDir;

TEST_CASE("overview states over hundreds of files: applied, changed, pending, missing, dirty") {
  TempDir d;
  std::vector<HistoryRecord> records;
  for (int i = 1; i <= 400; ++i) {
    std::string text = "CREATE TABLE t" + std::to_string(i) + " (id int);\n";
    d.write("migrations/" + std::to_string(i) + "_t.sql", text);
    if (i > 390) continue;  // 391..400 pending
    HistoryRecord r;
    r.version = std::to_string(i);
    r.name = "t";
    r.checksum = checksum(text);
    records.push_back(r);
  }
  d.write("migrations/250_t.sql", "CREATE TABLE edited (id int);\n");  // changed after applying
  records[99].status = kStatusDirty;                                   // version 100
  HistoryRecord gone;
  gone.version = "999";
  gone.name = "gone";
  gone.checksum = "x";
  records.push_back(gone);

  auto cat = scan_migrations(d.path() / "migrations", "migrations");
  REQUIRE(cat.ok());
  auto ov = build_overview(*cat, records);
  REQUIRE(ov.ok());
  CHECK(ov->with(State::kApplied).size() == 388);
  REQUIRE(ov->with(State::kChanged).size() == 1);
  CHECK(ov->with(State::kChanged)[0]->version == "250");
  REQUIRE(ov->with(State::kDirty).size() == 1);
  CHECK(ov->with(State::kDirty)[0]->version == "100");
  CHECK(ov->with(State::kPending).size() == 10);
  REQUIRE(ov->with(State::kMissing).size() == 1);
  CHECK(ov->with(State::kMissing)[0]->name == "gone");
  CHECK(ov->latest_applied == "999");
}

TEST_CASE("an applied file that cannot be read is an error naming it") {
  TempDir d;
  d.write("migrations/1_a.sql", "CREATE TABLE a (id int);\n");
  auto cat = scan_migrations(d.path() / "migrations", "migrations");
  REQUIRE(cat.ok());
  std::filesystem::remove(d.path() / "migrations/1_a.sql");
  HistoryRecord r;
  r.version = "1";
  r.name = "a";
  r.checksum = "x";
  auto ov = build_overview(*cat, {r});
  REQUIRE_FALSE(ov.ok());
  CHECK(ov.error().message.find("1_a.sql") != std::string::npos);
}
