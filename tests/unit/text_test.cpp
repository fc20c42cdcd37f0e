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

  SECTION("userinfo, with unencoded '@' and '/' in the password") {
    CHECK(redact_url("postgres://user:secret@host/db") == "postgres://user:***@host/db");
    CHECK(redact_url("postgres://user:p@ss@host/db") == "postgres://user:***@host/db");
    CHECK(redact_url("postgres://user:pa/ss@host/db") == "postgres://user:***@host/db");
    CHECK(redact_url("postgres://user:p@s/s@host:5432/db?sslmode=require") ==
          "postgres://user:***@host:5432/db?sslmode=require");
    CHECK(redact_url("postgres://user:@host/db") == "postgres://user:***@host/db");
  }
  SECTION("scheme-less URLs") {
    CHECK(redact_url("user:secret@localhost/db") == "user:***@localhost/db");
    CHECK(redact_url("//user:secret@host/db") == "//user:***@host/db");
  }
  SECTION("password parameters, any case, in query strings and keyword strings") {
    CHECK(redact_url("postgres://h/db?user=u&Password=secret") == "postgres://h/db?user=u&Password=***");
    CHECK(redact_url("postgres://h/db?pass=a&PWD=b&passwd=c&sslpassword=d&x=1") ==
          "postgres://h/db?pass=***&PWD=***&passwd=***&sslpassword=***&x=1");
    CHECK(redact_url("host=h PASSWORD=secret dbname=x") == "host=h PASSWORD=*** dbname=x");
    CHECK(redact_url("host=h password='quoted secret' dbname=x") == "host=h password=*** dbname=x");
    CHECK(redact_url("host=h password = 'it\\'s' dbname=x") == "host=h password = *** dbname=x");
    CHECK(redact_url("host=h password=p@ss dbname=x") == "host=h password=*** dbname=x");
    CHECK(redact_url("Server=h;Pwd=secret;Database=x") == "Server=h;Pwd=***;Database=x");
    // Only whole keys: these are not passwords.
    CHECK(redact_url("postgres://h/db?passes=2&mypassword_hint=x") == "postgres://h/db?passes=2&mypassword_hint=x");
  }
  SECTION("userinfo and parameter together") {
    CHECK(redact_url("mysql://u:p%40ss@h/db?password=again&x=1") == "mysql://u:***@h/db?password=***&x=1");
  }
  SECTION("SQLite paths are not userinfo") {
    CHECK(redact_url("sqlite:///abs/path@weird/name.db") == "sqlite:///abs/path@weird/name.db");
    CHECK(redact_url("sqlite:/abs/us:er@weird/name.db") == "sqlite:/abs/us:er@weird/name.db");
    CHECK(redact_url("sqlite::memory:") == "sqlite::memory:");
    CHECK(redact_url("postgres://host/path@weird") == "postgres://host/path@weird");
  }
}

TEST_CASE("url_password gives the password as written and decoded") {
  using V = std::vector<std::string>;
  CHECK(url_password("postgres://user:secret@host/db") == V{"secret"});
  CHECK(url_password("postgres://user:p@ss@host/db") == V{"p@ss"});
  CHECK(url_password("postgres://user:pa/ss@host/db") == V{"pa/ss"});
  CHECK(url_password("user:secret@localhost/db") == V{"secret"});
  CHECK(url_password("//user:secret@host/db") == V{"secret"});
  CHECK(url_password("postgres://h/db?user=u&Password=secret") == V{"secret"});
  CHECK(url_password("host=h PASSWORD=secret dbname=x") == V{"secret"});
  CHECK(url_password("host=h password='quoted secret'") == V{"quoted secret"});
  CHECK(url_password("mysql://u:p%40ss@h/db?password=again&x=1") == V{"p%40ss", "p@ss", "again"});
  CHECK(url_password("postgres://app@db/x").empty());
  CHECK(url_password("sqlite:db/dev.sqlite3").empty());
  CHECK(url_password("sqlite:///abs/path@weird/name.db").empty());
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
