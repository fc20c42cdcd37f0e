// A file replaced all at once: written to a temporary file beside it, synced, then
// renamed over the target, so a reader (or a failed run) never sees it half written.
#pragma once

#include <filesystem>
#include <memory>
#include <string_view>

#include "util/status.h"

namespace tide {

class AtomicFile {
 public:
  // Creates the temporary file in target's folder (the rename must not cross file
  // systems). The target keeps its permissions when it exists.
  static Result<std::unique_ptr<AtomicFile>> create(const std::filesystem::path &target);
  ~AtomicFile();  // removes the temporary file unless commit() succeeded
  AtomicFile(const AtomicFile &) = delete;
  AtomicFile &operator=(const AtomicFile &) = delete;

  // false on failure; error() then says why.
  bool write(std::string_view data);
  // Syncs and renames over the target. After a failed write, fails with that error.
  Status commit();
  const Status &error() const { return error_; }
  size_t bytes() const { return bytes_; }

 private:
  AtomicFile(std::filesystem::path target, std::filesystem::path temp, int fd)
      : target_(std::move(target)), temp_(std::move(temp)), fd_(fd) {}
  Status fail(std::string_view what);
  std::filesystem::path target_, temp_;
  int fd_;
  size_t bytes_ = 0;
  bool committed_ = false;
  Status error_;
};

}  // namespace tide
