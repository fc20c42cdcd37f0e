// The drivers' shared pieces in plugins/common: the error record, percent-decoding and
// identifier quoting (driver_glue.h). The drivers' own behaviour is the conformance
// suite's; these are the edges a driver's tests do not reach.
#include <driver_glue.h>
#include <error_record.h>
#include <percent.h>

#include <catch2/catch.hpp>
#include <string>

using tide::driver::ErrorRecord;
using tide::driver::percent_decode;
using tide::driver::StrayPercent;

TEST_CASE("error record: set, parts, static", "[driver_common]") {
  ErrorRecord r;
  CHECK(r.get()->code == TIDE_OK);
  CHECK(std::string(r.get()->message).empty());

  CHECK(r.set(TIDE_EDB, "duplicate key\r\n ", 1062, "23000", 10, 14) == TIDE_EDB);
  const tide_error *e = r.get();
  CHECK(std::string(e->message) == "duplicate key");
  CHECK(std::string(e->sqlstate) == "23000");
  CHECK(e->vendor_code == 1062);
  CHECK(e->statement_offset == 10);
  CHECK(e->error_position == 14);
  CHECK(e->detail == nullptr);
  CHECK(e->hint == nullptr);

  r.set_detail("Key (id)=(1) already exists.");
  r.set_hint("use upsert");
  r.set_message("the connection was lost: duplicate key\n");
  CHECK(std::string(e->detail) == "Key (id)=(1) already exists.");
  CHECK(std::string(e->hint) == "use upsert");
  CHECK(std::string(e->message) == "the connection was lost: duplicate key");

  // A new error forgets every part of the last one.
  r.set(TIDE_EMISUSE, "misuse");
  CHECK(e->sqlstate == nullptr);
  CHECK(e->detail == nullptr);
  CHECK(e->hint == nullptr);
  CHECK(e->statement_offset == -1);

  r.set_detail("stale");
  CHECK(r.set_static(TIDE_ENOMEM, "out of memory") == TIDE_ENOMEM);
  CHECK(std::string(e->message) == "out of memory");
  CHECK(e->detail == nullptr);
  r.set_hint("after static");  // the parts left from before set_static stay gone
  CHECK(e->detail == nullptr);
  CHECK(e->sqlstate == nullptr);
}

TEST_CASE("percent_decode: strict and keeping stray percents", "[driver_common]") {
  std::string out;
  CHECK(percent_decode("p%40ss%3Aw%2frd", out));
  CHECK(out == "p@ss:w/rd");
  CHECK(percent_decode("", out));
  CHECK(out.empty());
  CHECK_FALSE(percent_decode("100%", out));
  CHECK_FALSE(percent_decode("a%4", out));
  CHECK_FALSE(percent_decode("a%zz", out));

  CHECK(percent_decode("my%20db%zz/100%.db%", out, StrayPercent::kKeep));
  CHECK(out == "my db%zz/100%.db%");
}

TEST_CASE("quote_with: doubles the quote, reports the size needed", "[driver_common]") {
  char buf[32];
  CHECK(tide::driver::quote_backtick("a`b", 3, buf, sizeof buf) == 6);
  CHECK(std::string(buf) == "`a``b`");
  CHECK(tide::driver::quote_double("a\"b", 3, buf, sizeof buf) == 6);
  CHECK(std::string(buf) == "\"a\"\"b\"");
  // Too small (the terminating NUL counts): the size needed, and an empty string.
  CHECK(tide::driver::quote_backtick("abc", 3, buf, 5) == 5);
  CHECK(buf[0] == '\0');
  CHECK(tide::driver::quote_backtick(nullptr, 3, buf, sizeof buf) == 2);
  CHECK(std::string(buf) == "``");
}
