#include "migrate/catalog.h"

#include <catch2/catch.hpp>

#include "temp_dir.h"

using namespace tide;
using tide::test::TempDir;

TEST_CASE("versions compare as numbers") {
  CHECK(compare_versions("9", "10") < 0);
  CHECK(compare_versions("001", "1") == 0);
  CHECK(compare_versions("20261120093000", "20261120094500") < 0);
  CHECK(compare_versions("2", "1") > 0);
}

TEST_CASE("scan finds .lua and .sql migrations in version order with their names") {
  TempDir d;
  d.write("migrations/10_third.sql", "x");
  d.write("migrations/9_second.lua", "x");
  d.write("migrations/001-first.sql", "x");
  d.write("migrations/README.md", "not a migration");
  d.write("migrations/notes.sql", "no version");
  auto cat = scan_migrations(d.path() / "migrations", "migrations");
  REQUIRE(cat.ok());
  REQUIRE(cat->migrations.size() == 3);
  CHECK(cat->migrations[0].version == "001");
  CHECK(cat->migrations[0].name == "first");
  CHECK(cat->migrations[1].format == MigrationFormat::kLua);
  CHECK(cat->migrations[2].display == "migrations/10_third.sql");
  REQUIRE(cat->warnings.size() == 1);
  CHECK(cat->warnings[0].find("notes.sql") != std::string::npos);
  CHECK(cat->find("1") == &cat->migrations[0]);
}

TEST_CASE("two files with one version are an error naming both") {
  TempDir d;
  d.write("migrations/1_a.sql", "x");
  d.write("migrations/001_b.lua", "x");
  auto cat = scan_migrations(d.path() / "migrations", "migrations");
  REQUIRE_FALSE(cat.ok());
  CHECK(cat.error().exit == Exit::kInvalid);
  CHECK(cat.error().message.find("migrations/1_a.sql") != std::string::npos);
  CHECK(cat.error().message.find("migrations/001_b.lua") != std::string::npos);
}

TEST_CASE("a missing migrations folder says how to make one") {
  TempDir d;
  auto cat = scan_migrations(d.path() / "nope", "nope");
  REQUIRE_FALSE(cat.ok());
  CHECK(cat.error().exit == Exit::kUsage);
  CHECK(cat.error().hint.find("tide init") != std::string::npos);
}
