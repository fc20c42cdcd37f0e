// The conformance runner's main(): Catch2's session, plus --plugin PATH and --url URL
// (the same as TIDE_CONFORMANCE_PLUGIN / TIDE_CONFORMANCE_URL, which harness.cpp reads),
// so the installed tide-conformance runs against any plugin:
//   tide-conformance --plugin ./tide-driver-x.so --url x://localhost/test "[abi]"
// The cases live in *_test.cpp.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>

int main(int argc, char *argv[]) {
  Catch::Session session;
  std::string plugin, url;
  using Catch::clara::Opt;
  session.cli(session.cli() |
              Opt(plugin, "path")["--plugin"]("the driver plugin to test (default: $TIDE_CONFORMANCE_PLUGIN)") |
              Opt(url, "url")["--url"]("a database the cases may create and drop tables in "
                                       "(default: $TIDE_CONFORMANCE_URL)"));
  if (int rc = session.applyCommandLine(argc, argv); rc != 0) return rc;
  if (!plugin.empty()) setenv("TIDE_CONFORMANCE_PLUGIN", plugin.c_str(), 1);
  if (!url.empty()) setenv("TIDE_CONFORMANCE_URL", url.c_str(), 1);
  return session.run();
}
