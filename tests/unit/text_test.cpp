#include "util/text.h"

#include <catch2/catch.hpp>

using namespace tide;

TEST_CASE("durations") {
  CHECK(parse_duration_ms("500ms") == 500);
  CHECK(parse_duration_ms("10s") == 10000);
  CHECK(parse_duration_ms("10") == 10000);
  CHECK(parse_duration_ms("5m") == 300000);
  CHECK(parse_duration_ms("1h") == 3600000);
  CHECK_FALSE(parse_duration_ms("soon"));
  CHECK_FALSE(parse_duration_ms("10x"));
  CHECK_FALSE(parse_duration_ms(""));
}

TEST_CASE("passwords never survive redaction") {
  CHECK(redact_url("postgres://app:s3cret@db:5432/x") == "postgres://app:***@db:5432/x");
  CHECK(redact_url("postgres://app@db/x") == "postgres://app@db/x");
  CHECK(redact_url("mysql://u:p%40ss@h/db?password=again&x=1") == "mysql://u:***@h/db?password=***&x=1");
  CHECK(redact_url("sqlite:db/dev.sqlite3") == "sqlite:db/dev.sqlite3");
}

TEST_CASE("url schemes and line numbers") {
  CHECK(url_scheme("sqlite:db/x") == "sqlite");
  CHECK(url_scheme("postgresql://h/db") == "postgresql");
  CHECK(url_scheme("no-scheme-here") == "");
  CHECK(url_scheme("/abs/path") == "");
  CHECK(line_of("a\nb\nc", 0) == 1);
  CHECK(line_of("a\nb\nc", 2) == 2);
  CHECK(line_of("a\nb\nc", 99) == 3);
}
