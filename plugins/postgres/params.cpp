// tide_values as libpq parameters (params.h).

#include "params.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <string>

#include "connection.h"

namespace tide_pg {

std::string float_text(double f) {
  if (std::isnan(f)) return "NaN";
  if (std::isinf(f)) return f > 0 ? "Infinity" : "-Infinity";
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, f);  // shortest exact form
  return std::string(buffer, ec == std::errc() ? end : buffer);
}

int build_params(tide_conn &conn, const char *what, const tide_value *params, size_t n, bool typed, Params &p) {
  p.text.resize(n);
  p.values.assign(n, nullptr);
  p.lengths.assign(n, 0);
  p.formats.assign(n, 0);
  p.types.assign(n, 0);
  auto type = [typed](Oid oid) { return typed ? oid : Oid{0}; };
  for (size_t i = 0; i < n; ++i) {
    const tide_value &v = params[i];
    const char *ptr = v.u.s.ptr ? v.u.s.ptr : kEmpty;
    switch (v.type) {
      case TIDE_TYPE_NULL:
        continue;
      case TIDE_TYPE_INT:
        p.text[i] = std::to_string(v.u.i);
        p.types[i] = type(kInt8);
        break;
      case TIDE_TYPE_FLOAT:
        p.text[i] = float_text(v.u.f);
        p.types[i] = type(kFloat8);
        break;
      case TIDE_TYPE_BOOL:
        p.text[i] = v.u.i ? "t" : "f";
        p.types[i] = type(kBool);
        break;
      case TIDE_TYPE_TEXT:
        if (std::memchr(ptr, '\0', v.u.s.len)) {
          return conn.fail(TIDE_EMISUSE, std::string(what) + ": parameter " + std::to_string(i + 1) +
                                             " is text with a NUL byte, which PostgreSQL text cannot hold; "
                                             "bind it as a blob (bytea)");
        }
        p.text[i].assign(ptr, v.u.s.len);
        break;
      case TIDE_TYPE_BLOB:
        p.values[i] = ptr;
        p.lengths[i] = static_cast<int>(v.u.s.len);
        p.formats[i] = 1;
        p.types[i] = type(kBytea);
        continue;
      default:
        return conn.fail(TIDE_EMISUSE, std::string(what) + ": parameter " + std::to_string(i + 1) +
                                           " has unknown type " + std::to_string(v.type));
    }
    p.values[i] = p.text[i].c_str();
  }
  return TIDE_OK;
}

}  // namespace tide_pg
