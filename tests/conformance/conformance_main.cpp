// The conformance executable's main(): Catch2's, after one check. The cases live in
// *_test.cpp.
//
// A server's URL is only known once scripts/db-servers has started it, so ctest cannot
// bake it in: TIDE_CONFORMANCE_URL_FROM names the variable that holds it at test time
// (TIDE_TEST_MYSQL_URL). When that is unset the run is skipped (exit 77, ctest's
// SKIP_RETURN_CODE), unless TIDE_REQUIRE_SERVERS=1 (scripts/test), where it fails.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <string_view>

int main(int argc, char **argv) {
  const char *from = std::getenv("TIDE_CONFORMANCE_URL_FROM");
  const char *url = std::getenv("TIDE_CONFORMANCE_URL");
  if (from && *from && !(url && *url)) {
    url = std::getenv(from);
    if (!url || !*url) {
      const char *required = std::getenv("TIDE_REQUIRE_SERVERS");
      if (required && std::string_view(required) == "1") {
        std::fprintf(stderr, "%s is not set, and TIDE_REQUIRE_SERVERS=1: start the server first\n", from);
        return 1;
      }
      std::printf("skipped: %s is not set (eval \"$(scripts/db-servers start)\" first)\n", from);
      return 77;
    }
    setenv("TIDE_CONFORMANCE_URL", url, 1);
  }
  return Catch::Session().run(argc, argv);
}
