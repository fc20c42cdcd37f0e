// Status and Result<T>: how failures travel below main (leveldb's status.h). An Error
// carries everything a diagnostic needs — where (file:line), the database's own message
// and code, a hint — and the exit code the run should end with (SPEC §3).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <variant>

namespace tide {

// Process exit codes, SPEC §3.
enum class Exit : int {
  kOk = 0,
  kFailed = 1,   // a migration, seed or hook failed
  kUsage = 2,    // usage or config error
  kPending = 3,  // status --exit-code: pending migrations
  kLocked = 4,   // lock not acquired in time
  kInvalid = 5,  // validation failed: checksum changed, dirty, missing, out of order
};

struct Error {
  Exit exit = Exit::kFailed;
  std::string where;    // "migrations/0003_users.sql:14", or empty
  std::string message;  // the primary message, one line
  std::string code;     // "SQLSTATE 42P01", "SQLite error 1", or empty
  std::string detail;   // further lines (database DETAIL, the failing statement, ...)
  std::string hint;     // the way out
  std::string traceback;
  // Raw database fields, for callers that map offsets to lines or show JSON.
  std::string sqlstate;
  int64_t vendor_code = 0;
  int64_t statement_offset = -1;
  int64_t error_position = -1;

  // "where: message (code)" — the one-line form, subject first.
  std::string headline() const;
};

// Value semantics: a copy owns its own Error, so editing one (adding a hint on the way
// up) never changes another.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error e) : err_(std::make_unique<Error>(std::move(e))) {}  // NOLINT: implicit on purpose
  Status(const Status &o) : err_(o.err_ ? std::make_unique<Error>(*o.err_) : nullptr) {}
  Status &operator=(const Status &o) {
    if (this != &o) err_ = o.err_ ? std::make_unique<Error>(*o.err_) : nullptr;
    return *this;
  }
  Status(Status &&) noexcept = default;
  Status &operator=(Status &&) noexcept = default;

  static Status fail(Exit exit, std::string message, std::string hint = {}) {
    Error e;
    e.exit = exit;
    e.message = std::move(message);
    e.hint = std::move(hint);
    return Status(std::move(e));
  }

  bool ok() const { return err_ == nullptr; }
  explicit operator bool() const { return ok(); }
  const Error &error() const { return *err_; }
  Error &error() { return *err_; }
  Status status() const { return *this; }

 private:
  std::unique_ptr<Error> err_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}       // NOLINT: implicit on purpose
  Result(Error e) : v_(std::move(e)) {}           // NOLINT
  Result(Status s) : v_(std::move(s.error())) {}  // NOLINT: s must be a failure

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  T &value() { return std::get<T>(v_); }
  const T &value() const { return std::get<T>(v_); }
  T &operator*() { return value(); }
  T *operator->() { return &value(); }
  const Error &error() const { return std::get<Error>(v_); }
  Status status() const { return ok() ? Status() : Status(error()); }

 private:
  std::variant<T, Error> v_;
};

}  // namespace tide

// Propagate a failed Status/Result from the current function.
#define TIDE_TRY(expr)                                  \
  do {                                                  \
    auto tide_try_s_ = (expr);                          \
    if (!tide_try_s_.ok()) return tide_try_s_.status(); \
  } while (0)
