#include "plugin/session.h"

#include <fmt/format.h>

namespace tide {

Status Session::disconnect() {
  return Status::fail(Exit::kFailed, "this connection cannot be closed and opened again");
}

Status Session::reconnect() { return disconnect(); }

std::string Dialect::placeholder(int n) const {
  return param_style() == TIDE_PARAM_DOLLAR ? fmt::format("${}", n) : std::string("?");
}

Status Session::commit_with(std::string_view sql, std::span<const tide_value> params) {
  auto cursor = query(sql, params);
  if (!cursor) return cursor.status();
  auto more = (*cursor)->step();
  while (more && *more) more = (*cursor)->step();
  if (!more) return more.status();
  (*cursor).reset();  // finalized before the COMMIT
  return commit();
}

Status Session::upsert_then_exec(const UpsertSpec &spec, std::span<const tide_value> values, size_t nrows,
                                 UpsertCounts &counts, std::string_view script, Stage &stage) {
  stage = Stage::kNone;
  TIDE_TRY(upsert(spec, values, nrows, counts));
  stage = Stage::kUpsert;
  return exec(script);
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
