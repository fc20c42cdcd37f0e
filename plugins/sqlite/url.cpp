// SQLite database URLs (url.h): scheme check, the optional "//", percent-decoding, and
// the query string, of which only mode=ro means anything.

#include "url.h"

#include <tide/driver.h>

#include <cctype>
#include <cstddef>

#include <percent.h>

namespace tide_sqlite {
namespace {

// The query string is allowed (dbmate and Rails URLs carry one) and ignored, except
// mode=ro.
bool wants_read_only(std::string_view query) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    if (query.substr(0, amp) == "mode=ro") return true;
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
  }
  return false;
}

}  // namespace

int parse_url(std::string_view url, Target &target, std::string &error) {
  size_t colon = url.find(':');
  std::string scheme(url.substr(0, colon));
  for (char &c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (colon == std::string_view::npos || (scheme != "sqlite" && scheme != "sqlite3")) {
    error = "not an SQLite URL (expected sqlite:PATH or sqlite::memory:)";
    return TIDE_EMISUSE;
  }
  std::string_view rest = url.substr(colon + 1);
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    target.read_only = wants_read_only(rest.substr(q + 1));
    rest = rest.substr(0, q);
  }
  if (rest.starts_with("//")) rest.remove_prefix(2);
  // URLs escape spaces and the like as %XX; a lone '%' is part of the file name.
  tide::driver::percent_decode(rest, target.path, tide::driver::StrayPercent::kKeep);
  target.memory = target.path == ":memory:";
  if (target.path.empty()) {
    error = "the SQLite URL names no database file (expected sqlite:PATH)";
    return TIDE_EMISUSE;
  }
  return TIDE_OK;
}

}  // namespace tide_sqlite
