#include "util/process.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

extern char **environ;

namespace tide {

namespace {

using Clock = std::chrono::steady_clock;

struct Fd {
  int fd = -1;
  Fd() = default;
  Fd(const Fd &) = delete;
  Fd &operator=(const Fd &) = delete;
  ~Fd() { close(); }
  void close() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

bool make_pipe(Fd &r, Fd &w) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) return false;
  r.fd = p[0];
  w.fd = p[1];
  return true;
}

// The inherited environment with spec.env applied, as KEY=VALUE strings.
std::vector<std::string> environment_for(const ProcessSpec &spec) {
  std::vector<std::string> out;
  for (char **e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    std::string_view key = kv.substr(0, kv.find('='));
    bool replaced = false;
    for (const auto &[k, v] : spec.env) replaced = replaced || k == key;
    if (!replaced) out.emplace_back(kv);
  }
  for (const auto &[k, v] : spec.env) out.push_back(k + "=" + v);
  return out;
}

std::vector<char *> c_strings(std::vector<std::string> &v) {
  std::vector<char *> out;
  for (auto &s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

Status spawn_error(const std::string &cmd, int rc) {
  if (rc == ENOENT) {
    const char *path = std::getenv("PATH");
    return Status::fail(Exit::kFailed, fmt::format("command not found: {}", cmd),
                        fmt::format("install {} or put it on PATH (PATH={})", cmd, path ? path : ""));
  }
  if (rc == EACCES) return Status::fail(Exit::kFailed, fmt::format("{}: permission denied (not executable)", cmd));
  return Status::fail(Exit::kFailed, fmt::format("{}: cannot start: {}", cmd, std::strerror(rc)));
}

// Reads what is there; closes fd at end of file or on error.
void drain(Fd &fd, std::string &into) {
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd.fd, buf, sizeof buf);
    if (n > 0) {
      into.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    fd.close();
    return;
  }
}

// Writes what the pipe takes; closes fd when all is written or the reader has gone.
void feed(Fd &fd, const std::string &input, size_t &written) {
  while (written < input.size()) {
    ssize_t n = ::write(fd.fd, input.data() + written, input.size() - written);
    if (n > 0) {
      written += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    break;  // EPIPE: the command does not read its input
  }
  fd.close();
}

// SIGTERM to the group, SIGKILL after the grace period if it is still there; reaps pid.
int terminate_group(pid_t pid, int64_t grace_ms) {
  kill(-pid, SIGTERM);
  int status = 0;
  auto until = Clock::now() + std::chrono::milliseconds(grace_ms);
  while (Clock::now() < until) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      kill(-pid, SIGKILL);  // children it left behind
      return status;
    }
    timespec ts{0, 10'000'000};
    nanosleep(&ts, nullptr);
  }
  kill(-pid, SIGKILL);
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

}  // namespace

Result<ProcessResult> run_process(const ProcessSpec &spec) {
  if (spec.argv.empty() || spec.argv[0].empty()) return Status::fail(Exit::kFailed, "exec: no command given");
  // A command that closes its stdin early must not kill tide with SIGPIPE: the write
  // fails with EPIPE instead. (The child gets the default action back below.)
  signal(SIGPIPE, SIG_IGN);

  Fd out_r, out_w, err_r, err_w, in_r, in_w;
  if (!make_pipe(out_r, out_w) || !make_pipe(err_r, err_w) || (spec.input && !make_pipe(in_r, in_w)))
    return Status::fail(Exit::kFailed, fmt::format("{}: cannot create pipes: {}", spec.argv[0], std::strerror(errno)));

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  if (spec.input)
    posix_spawn_file_actions_adddup2(&fa, in_r.fd, 0);
  else
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, out_w.fd, 1);
  posix_spawn_file_actions_adddup2(&fa, err_w.fd, 2);

  // Its own process group, so a timeout kills what it started too; default signals.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);

  std::vector<std::string> args = spec.argv, env = environment_for(spec);
  std::vector<char *> argv = c_strings(args), envp = c_strings(env);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, argv[0], &fa, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return spawn_error(spec.argv[0], rc);

  out_w.close();
  err_w.close();
  in_r.close();
  for (Fd *f : {&out_r, &err_r, &in_w})
    if (f->fd >= 0) fcntl(f->fd, F_SETFL, fcntl(f->fd, F_GETFL) | O_NONBLOCK);

  ProcessResult res;
  size_t written = 0;
  auto deadline = Clock::now() + std::chrono::milliseconds(spec.timeout_ms);
  while (out_r.fd >= 0 || err_r.fd >= 0 || in_w.fd >= 0) {
    int wait_ms = -1;
    if (spec.timeout_ms > 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) {
        res.timed_out = true;
        break;
      }
      wait_ms = static_cast<int>(std::min<int64_t>(left, 1 << 30));
    }
    pollfd fds[3];
    Fd *which[3];
    nfds_t n = 0;
    for (Fd *f : {&out_r, &err_r}) {
      if (f->fd < 0) continue;
      fds[n] = {f->fd, POLLIN, 0};
      which[n++] = f;
    }
    if (in_w.fd >= 0) {
      fds[n] = {in_w.fd, POLLOUT, 0};
      which[n++] = &in_w;
    }
    int ready = poll(fds, n, wait_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) break;
    for (nfds_t i = 0; i < n; ++i) {
      if (fds[i].revents == 0) continue;
      if (which[i] == &in_w)
        feed(in_w, *spec.input, written);
      else
        drain(*which[i], which[i] == &out_r ? res.out : res.err);
    }
  }

  int status = 0;
  if (res.timed_out) {
    status = terminate_group(pid, spec.kill_grace_ms);
  } else {
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (WIFEXITED(status)) res.code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) res.signal = WTERMSIG(status);
  return res;
}

}  // namespace tide
