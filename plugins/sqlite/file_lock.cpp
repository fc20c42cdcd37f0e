// The flock()ed sidecar lock file (file_lock.h): open, lock, check the inode, write the
// pid; unlink and close to release.

#include "file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>

namespace tide_sqlite {

FileLock::Attempt FileLock::try_acquire(const std::string &path) {
  // O_CLOEXEC: a hook's child process (tide.exec) must not inherit and keep the lock.
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Attempt::kError;
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int saved = errno;
    ::close(fd);
    errno = saved;
    return saved == EWOULDBLOCK ? Attempt::kBusy : Attempt::kError;
  }
  struct stat held_file {};
  struct stat named_file {};
  if (::fstat(fd, &held_file) != 0 || ::stat(path.c_str(), &named_file) != 0 || held_file.st_ino != named_file.st_ino ||
      held_file.st_dev != named_file.st_dev) {
    ::close(fd);
    return Attempt::kStale;
  }
  fd_ = fd;
  path_ = path;
  write_pid();
  return Attempt::kAcquired;
}

void FileLock::release() noexcept {
  if (fd_ < 0) return;
  ::unlink(path_.c_str());
  ::close(fd_);
  fd_ = -1;
}

std::string FileLock::holder_pid(const std::string &path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  char buf[32] = {};
  ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  std::string pid(buf, n > 0 ? static_cast<size_t>(n) : 0);
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  return pid;
}

// Diagnostics only (the flock is the lock), so failures are ignored.
void FileLock::write_pid() noexcept {
  char pid[32];
  int len = std::snprintf(pid, sizeof pid, "%ld\n", static_cast<long>(::getpid()));
  if (len > 0 && ::ftruncate(fd_, 0) == 0) {
    [[maybe_unused]] ssize_t n = ::pwrite(fd_, pid, static_cast<size_t>(len), 0);
  }
}

}  // namespace tide_sqlite
