// AtomicFile: the target changes only on commit, all at once, and keeps its mode.
#include "util/atomic_file.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "temp_dir.h"

using namespace tide;
using tide::test::TempDir;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path &p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

size_t entries(const fs::path &dir) {
  size_t n = 0;
  for (auto it = fs::directory_iterator(dir); it != fs::directory_iterator(); ++it) ++n;
  return n;
}

}  // namespace

TEST_CASE("AtomicFile replaces the target only on commit", "[util][atomic_file]") {
  TempDir dir;
  fs::path target = dir.path() / "schema.sql";
  std::ofstream(target) << "old";
  ::chmod(target.c_str(), 0640);
  {
    auto f = AtomicFile::create(target);
    REQUIRE(f.ok());
    REQUIRE((*f)->write("new "));
    REQUIRE((*f)->write("schema"));
    CHECK(slurp(target) == "old");  // untouched until commit
    CHECK(entries(dir.path()) == 2);
    REQUIRE((*f)->commit().ok());
    CHECK((*f)->bytes() == 10);
  }
  CHECK(slurp(target) == "new schema");
  CHECK(entries(dir.path()) == 1);  // no temporary file left
  struct stat st {};
  REQUIRE(::stat(target.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0640);
}

TEST_CASE("AtomicFile without commit leaves the target and no temporary file", "[util][atomic_file]") {
  TempDir dir;
  fs::path target = dir.path() / "schema.sql";
  std::ofstream(target) << "old";
  {
    auto f = AtomicFile::create(target);
    REQUIRE(f.ok());
    REQUIRE((*f)->write("half a sche"));
  }  // a failed dump returns before commit
  CHECK(slurp(target) == "old");
  CHECK(entries(dir.path()) == 1);
}

TEST_CASE("AtomicFile in a missing folder fails with the path", "[util][atomic_file]") {
  TempDir dir;
  auto f = AtomicFile::create(dir.path() / "no" / "such" / "schema.sql");
  REQUIRE_FALSE(f.ok());
  CHECK(f.error().message.find("no/such/schema.sql: cannot create a file in") != std::string::npos);
}
