#include "util/atomic_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace fs = std::filesystem;

namespace tide {

namespace {

// The mode a new file gets from open(..., 0666): mkstemp makes 0600.
mode_t default_mode() {
  mode_t mask = umask(0);
  umask(mask);
  return 0666 & ~mask;
}

}  // namespace

Result<std::unique_ptr<AtomicFile>> AtomicFile::create(const fs::path &target) {
  fs::path dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  std::string pattern = (dir / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
  int fd = mkstemp(pattern.data());
  if (fd < 0)
    return Status::fail(Exit::kFailed, fmt::format("{}: cannot create a file in {}: {}", target.string(), dir.string(),
                                                   std::strerror(errno)));
  struct stat st {};
  fchmod(fd, ::stat(target.c_str(), &st) == 0 ? st.st_mode & 07777 : default_mode());
  return std::unique_ptr<AtomicFile>(new AtomicFile(target, pattern, fd));
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(temp_.c_str());
}

Status AtomicFile::fail(std::string_view what) {
  error_ = Status::fail(Exit::kFailed, fmt::format("{}: {}: {}", target_.string(), what, std::strerror(errno)),
                        fmt::format("{} was left as it was", target_.string()));
  return error_;
}

bool AtomicFile::write(std::string_view data) {
  if (!error_.ok()) return false;
  while (!data.empty()) {
    ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return (void)fail("cannot write"), false;
    data.remove_prefix(static_cast<size_t>(n));
    bytes_ += static_cast<size_t>(n);
  }
  return true;
}

Status AtomicFile::commit() {
  if (!error_.ok()) return error_;
  if (::fsync(fd_) != 0) return fail("cannot sync");
  int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) return fail("cannot write");
  if (std::rename(temp_.c_str(), target_.c_str()) != 0) return fail("cannot replace");
  committed_ = true;
  return {};
}

}  // namespace tide
