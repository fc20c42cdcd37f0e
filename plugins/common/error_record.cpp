#include "error_record.h"

#include <utility>

namespace tide::driver {

namespace {

void trim_end(std::string &s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
}

}  // namespace

int ErrorRecord::set(int code, std::string message, int64_t vendor_code, std::string sqlstate, int64_t statement_offset,
                     int64_t error_position) {
  trim_end(message);
  message_ = std::move(message);
  sqlstate_ = std::move(sqlstate);
  detail_.clear();
  hint_.clear();
  error_ = tide_error{code, nullptr, nullptr, vendor_code, nullptr, nullptr, statement_offset, error_position};
  refresh();
  return code;
}

int ErrorRecord::set_static(int code, const char *message) noexcept {
  message_.clear();
  sqlstate_.clear();
  detail_.clear();
  hint_.clear();
  error_ = tide_error{code, message, nullptr, 0, nullptr, nullptr, -1, -1};
  return code;
}

void ErrorRecord::set_message(std::string message) {
  trim_end(message);
  message_ = std::move(message);
  refresh();
}

void ErrorRecord::set_detail(std::string detail) {
  detail_ = std::move(detail);
  refresh();
}

void ErrorRecord::set_hint(std::string hint) {
  hint_ = std::move(hint);
  refresh();
}

void ErrorRecord::set_offsets(int64_t statement_offset, int64_t error_position) noexcept {
  error_.statement_offset = statement_offset;
  error_.error_position = error_position;
}

void ErrorRecord::refresh() noexcept {
  auto opt = [](const std::string &s) { return s.empty() ? nullptr : s.c_str(); };
  error_.message = message_.c_str();
  error_.sqlstate = opt(sqlstate_);
  error_.detail = opt(detail_);
  error_.hint = opt(hint_);
}

}  // namespace tide::driver
