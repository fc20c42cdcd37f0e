#include "percent.h"

namespace tide::driver {

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool percent_decode(std::string_view in, std::string &out, StrayPercent stray) {
  out.clear();
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    int high = in[i] == '%' && i + 2 < in.size() ? hex_digit(in[i + 1]) : -1;
    int low = high >= 0 ? hex_digit(in[i + 2]) : -1;
    if (low >= 0) {
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else if (in[i] == '%' && stray == StrayPercent::kError) {
      return false;
    } else {
      out += in[i];
    }
  }
  return true;
}

}  // namespace tide::driver
