#include "migrate/checksum.h"

#include <catch2/catch.hpp>

using tide::checksum;

TEST_CASE("checksum is SHA-256 in lower-case hex") {
  CHECK(checksum("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(checksum("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("checksum reads CRLF and lone CR as LF") {
  std::string lf = "CREATE TABLE a (id int);\nDROP TABLE a;\n";
  CHECK(checksum("CREATE TABLE a (id int);\r\nDROP TABLE a;\r\n") == checksum(lf));
  CHECK(checksum("CREATE TABLE a (id int);\rDROP TABLE a;\r") == checksum(lf));
  CHECK(checksum("CREATE TABLE a (id int);\n\nDROP TABLE a;\n") != checksum(lf));
  CHECK(checksum("x\r") == checksum("x\n"));
}
