// Percent-decoding of the parts of a database URL (user, password, path, parameters),
// shared by the drivers that parse their own URLs.
#pragma once

#include <string>
#include <string_view>

namespace tide::driver {

// What a '%' not followed by two hex digits means.
enum class StrayPercent {
  kError,  // bad encoding: percent_decode returns false (credentials must be exact)
  kKeep,   // kept as written (an SQLite file path such as "100%.db")
};

// Decodes %XX escapes of in into out. Returns false only for a stray '%' under kError.
bool percent_decode(std::string_view in, std::string &out, StrayPercent stray = StrayPercent::kError);

}  // namespace tide::driver
