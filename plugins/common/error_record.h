// The error record a driver connection carries (driver.h's last_error): a tide_error
// plus the strings its pointers refer to, so they stay valid until the next call on the
// connection. Shared by the C++ drivers; a driver with more to say (PostgreSQL's server
// position) derives from it.
#pragma once

#include <tide/driver.h>

#include <cstdint>
#include <string>

namespace tide::driver {

class ErrorRecord {
 public:
  ErrorRecord() noexcept { set_static(TIDE_OK, ""); }
  ErrorRecord(const ErrorRecord &) = delete;
  ErrorRecord &operator=(const ErrorRecord &) = delete;

  // A new error: every field is replaced. Trailing line breaks and blanks are trimmed
  // from the message; an empty sqlstate is NULL in the tide_error. Returns code.
  int set(int code, std::string message, int64_t vendor_code = 0, std::string sqlstate = {},
          int64_t statement_offset = -1, int64_t error_position = -1);
  // For out-of-memory paths: points at a literal, allocates nothing.
  int set_static(int code, const char *message) noexcept;

  // Parts of the error last set; empty detail / hint are NULL.
  void set_message(std::string message);
  void set_detail(std::string detail);
  void set_hint(std::string hint);
  void set_offsets(int64_t statement_offset, int64_t error_position) noexcept;

  const tide_error *get() const noexcept { return &error_; }
  const std::string &message() const noexcept { return message_; }

 private:
  void refresh() noexcept;

  std::string message_, sqlstate_, detail_, hint_;
  tide_error error_{};
};

}  // namespace tide::driver
