#include "plugin/session.h"

#include <fmt/format.h>

namespace tide {

Status Session::upsert(const tide_upsert &, std::span<const tide_value>) {
  return Status::fail(Exit::kFailed, "this database driver has no upsert");
}

std::string Dialect::placeholder(int n) const {
  return param_style() == TIDE_PARAM_DOLLAR ? fmt::format("${}", n) : std::string("?");
}

tide_value text_value(std::string_view s) {
  tide_value v{};
  v.type = TIDE_TYPE_TEXT;
  v.u.s.ptr = s.data();
  v.u.s.len = s.size();
  return v;
}

tide_value int_value(int64_t i) {
  tide_value v{};
  v.type = TIDE_TYPE_INT;
  v.u.i = i;
  return v;
}

tide_value null_value() {
  tide_value v{};
  v.type = TIDE_TYPE_NULL;
  return v;
}

std::string value_to_string(const tide_value &v) {
  switch (v.type) {
    case TIDE_TYPE_INT:
      return std::to_string(v.u.i);
    case TIDE_TYPE_BOOL:
      return v.u.i ? "true" : "false";
    case TIDE_TYPE_FLOAT:
      return fmt::format("{}", v.u.f);
    case TIDE_TYPE_TEXT:
    case TIDE_TYPE_BLOB:
      return std::string(v.u.s.ptr, v.u.s.len);
    default:
      return {};
  }
}

}  // namespace tide
