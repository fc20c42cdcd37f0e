// The flock()ed sidecar file that is the SQLite driver's migration lock: one object per
// connection, no SQLite in it. The policy (which file, how long to wait, the messages)
// is take_lock() in connection.cpp.

#ifndef TIDE_PLUGINS_SQLITE_FILE_LOCK_H_
#define TIDE_PLUGINS_SQLITE_FILE_LOCK_H_

#include <string>

namespace tide_sqlite {

// The migration lock: flock() on "<database>-tide.lock". flock, not fcntl, because
// fcntl locks belong to the process (two connections in one process would not exclude
// each other) and closing *any* descriptor of the file drops them, which is also why
// the lock is not taken on the database file itself: SQLite keeps fcntl locks there.
// The kernel drops a flock when its holder dies, so a killed run leaves nothing behind
// but a harmless empty file.
class FileLock {
 public:
  enum class Attempt { kAcquired, kBusy, kStale, kError };

  FileLock() = default;
  FileLock(const FileLock &) = delete;
  FileLock &operator=(const FileLock &) = delete;
  ~FileLock() { release(); }

  bool held() const noexcept { return fd_ >= 0; }

  // One non-blocking try. kStale: we locked a file that a releasing holder had already
  // unlinked (see release()), so the lock guards nothing and the caller retries. On
  // kError, errno says why.
  Attempt try_acquire(const std::string &path);

  // Unlink before close: a waiter that opens the path afterwards gets a fresh file, and
  // one that already opened the old file notices the inode change and retries.
  void release() noexcept;

  // The pid the holder wrote, for the timeout message; empty when unreadable.
  static std::string holder_pid(const std::string &path);

 private:
  void write_pid() noexcept;

  int fd_ = -1;
  std::string path_;
};

}  // namespace tide_sqlite

#endif  // TIDE_PLUGINS_SQLITE_FILE_LOCK_H_
