// The plugin ABI from the host's side: a real plugin loads; a wrong major and a library
// that is not a tide plugin are refused with the path in the message.
#include "plugin/loader.h"

#include <catch2/catch.hpp>

#include "plugin/plugin_session.h"
#include "temp_dir.h"

using namespace tide;

TEST_CASE("the SQLite plugin loads and serves its schemes") {
  auto p = Plugin::load(TIDE_TEST_SQLITE_PLUGIN);
  REQUIRE(p.ok());
  CHECK((*p)->handles("sqlite"));
  CHECK_FALSE((*p)->handles("postgres"));
  CHECK((*p)->table().abi_major == TIDE_ABI_MAJOR);
}

TEST_CASE("a plugin built for another ABI major is refused, naming the file") {
  auto p = Plugin::load(TIDE_TEST_BAD_PLUGIN_DIR "/tide-driver-badmajor.so");
  REQUIRE_FALSE(p.ok());
  CHECK(p.error().message.find("tide-driver-badmajor.so") != std::string::npos);
  CHECK(p.error().message.find("ABI 2.") != std::string::npos);
  CHECK(p.error().hint.find("driver.h") != std::string::npos);
}

TEST_CASE("a shared library that is not a tide plugin is refused") {
  auto p = Plugin::load(TIDE_TEST_BAD_PLUGIN_DIR "/tide-driver-notaplugin.so");
  REQUIRE_FALSE(p.ok());
  CHECK(p.error().message.find("tide-driver-notaplugin.so: not a tide plugin") != std::string::npos);
}

TEST_CASE("a missing file reports dlerror and the path") {
  auto p = Plugin::load("/nonexistent/tide-driver-x.so");
  REQUIRE_FALSE(p.ok());
  CHECK(p.error().message.find("/nonexistent/tide-driver-x.so: cannot load plugin") != std::string::npos);
}

TEST_CASE("the finder picks the plugin by scheme and lists where it looked otherwise") {
  PluginFinder finder({TIDE_TEST_BAD_PLUGIN_DIR});
  auto sqlite = finder.for_scheme("sqlite");
  REQUIRE(sqlite.ok());
  auto none = finder.for_scheme("nosuchdb");
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().exit == Exit::kUsage);
  CHECK(none.error().message.find("\"nosuchdb:\"") != std::string::npos);
  CHECK(none.error().detail.find(TIDE_TEST_BAD_PLUGIN_DIR) != std::string::npos);
}

TEST_CASE("connect errors come back as errors, not crashes") {
  auto p = Plugin::load(TIDE_TEST_SQLITE_PLUGIN);
  REQUIRE(p.ok());
  // The driver creates missing parent folders, but none can be made under a regular file,
  // whoever runs the test (root included).
  test::TempDir dir;
  auto blocker = dir.write("blocker", "not a folder");
  auto s = PluginSession::connect(*p, "sqlite:" + (blocker / "x" / "y.db").string(), {});
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().exit == Exit::kFailed);
  const std::string &message = s.error().message;
  CHECK(message.rfind("cannot connect: ", 0) == 0);
  CHECK(message.find("cannot create directory " + (blocker / "x").string()) != std::string::npos);
  CHECK(message.find("Not a directory") != std::string::npos);
  auto ok = PluginSession::connect(*p, "sqlite::memory:", {});
  REQUIRE(ok.ok());
  CHECK_FALSE((*ok)->server_version().empty());
}
