#include "migrate/env_gate.h"

#include <catch2/catch.hpp>

using tide::env_matches;

static bool gate(const char *expr, const char *env) {
  auto r = env_matches(expr, env);
  REQUIRE(r.ok());
  return *r;
}

TEST_CASE("a name, a list, negation") {
  CHECK(gate("production", "production"));
  CHECK_FALSE(gate("production", "development"));
  CHECK(gate("development, test", "test"));
  CHECK_FALSE(gate("development, test", "production"));
  CHECK(gate("!production", "staging"));
  CHECK_FALSE(gate("not production", "production"));
}

TEST_CASE("and binds tighter than or; parentheses group") {
  CHECK(gate("!production and !staging", "development"));
  CHECK_FALSE(gate("!production and !staging", "staging"));
  CHECK(gate("test or staging and production", "test"));
  CHECK_FALSE(gate("(test or staging) and production", "test"));
  CHECK(gate("!(production or staging)", "dev"));
}

TEST_CASE("malformed gates are usage errors that say where") {
  for (const char *bad : {"", "production and", "(production", "production)", "and", "!"}) {
    auto r = env_matches(bad, "production");
    INFO(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().exit == tide::Exit::kUsage);
    CHECK(r.error().message.find("column") != std::string::npos);
  }
}
