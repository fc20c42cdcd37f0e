// dump() on PostgreSQL: pg_dump --schema-only of the connected database, streamed to the
// host's writer. pg_dump gets the session's own connection parameters (PQconninfo) as
// --dbname without the password; the password goes in the child's environment
// (PGPASSWORD), never on a command line other users can read in ps.
//
// Which pg_dump: $TIDE_PG_DUMP when set, else the newest Debian-style
// /usr/lib/postgresql/N/bin/pg_dump, else pg_dump on PATH. One older than the server
// cannot dump it (pg_dump refuses), so that is checked first, with a message saying
// what to install.

#include <fcntl.h>
#include <libpq-fe.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <tide/driver.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "connection.h"

extern char **environ;

namespace tide_pg {
namespace {

namespace fs = std::filesystem;

bool executable(const std::string &path) { return !path.empty() && access(path.c_str(), X_OK) == 0; }

std::string find_pg_dump() {
  if (const char *forced = std::getenv("TIDE_PG_DUMP")) return executable(forced) ? forced : "";
  std::string best;
  int best_version = -1;
  std::error_code ec;
  for (const auto &entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    std::string candidate = (entry.path() / "bin" / "pg_dump").string();
    int version = std::atoi(entry.path().filename().c_str());
    if (version > best_version && executable(candidate)) {
      best = candidate;
      best_version = version;
    }
  }
  if (!best.empty()) return best;
  const char *path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  for (size_t at = 0; at <= dirs.size();) {
    size_t colon = dirs.find(':', at);
    std::string dir = dirs.substr(at, colon == std::string::npos ? std::string::npos : colon - at);
    std::string candidate = (dir.empty() ? std::string(".") : dir) + "/pg_dump";
    if (executable(candidate)) return candidate;
    if (colon == std::string::npos) break;
    at = colon + 1;
  }
  return {};
}

// A child process with its stdout and stderr on pipes.
struct Child {
  pid_t pid = -1;
  int out = -1, err = -1;
};

int spawn(const std::vector<std::string> &args, const std::vector<std::string> &env, Child &child) {
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0) return errno;
  if (pipe2(err, O_CLOEXEC) != 0) {
    int e = errno;
    close(out[0]);
    close(out[1]);
    return e;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  std::vector<char *> argv, envp;
  for (const auto &a : args) argv.push_back(const_cast<char *>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto &e : env) envp.push_back(const_cast<char *>(e.c_str()));
  envp.push_back(nullptr);
  int rc = posix_spawn(&child.pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  close(err[1]);
  if (rc != 0) {
    close(out[0]);
    close(err[0]);
    return rc;
  }
  child.out = out[0];
  child.err = err[0];
  return 0;
}

// Reads the child's stdout into on_out and its stderr into err_text until both close;
// on_out returning false stops reading (the child is then killed). Returns the exit
// status from waitpid.
template <class OnOut>
int collect(Child &child, OnOut &&on_out, std::string &err_text) {
  char buffer[1 << 16];
  bool stopped = false;
  pollfd fds[2] = {{child.out, POLLIN, 0}, {child.err, POLLIN, 0}};
  int open_fds = 2;
  while (open_fds > 0) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (pollfd &p : fds) {
      if (p.fd < 0 || !(p.revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = read(p.fd, buffer, sizeof buffer);
      if (n <= 0) {
        close(p.fd);
        p.fd = -1;
        --open_fds;
      } else if (p.fd == child.err) {
        err_text.append(buffer, static_cast<size_t>(n));
      } else if (!stopped && !on_out(buffer, static_cast<size_t>(n))) {
        stopped = true;
        kill(child.pid, SIGTERM);
      }
    }
  }
  for (pollfd &p : fds)
    if (p.fd >= 0) close(p.fd);
  int status = 0;
  while (waitpid(child.pid, &status, 0) < 0 && errno == EINTR) {
  }
  return stopped ? -1 : status;
}

// Runs args to completion; its stdout, or nothing when it fails.
std::string output_of(const std::vector<std::string> &args) {
  Child child;
  std::vector<std::string> env;
  for (char **e = environ; *e; ++e) env.emplace_back(*e);
  if (spawn(args, env, child) != 0) return {};
  std::string out, err;
  int status = collect(
      child,
      [&](const char *data, size_t n) {
        out.append(data, n);
        return true;
      },
      err);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? out : std::string();
}

// The major version in "pg_dump (PostgreSQL) 15.4 (Debian 15.4-1)", or 0.
int major_of(const std::string &version_text) {
  size_t at = version_text.find(") ");
  return at == std::string::npos ? 0 : std::atoi(version_text.c_str() + at + 2);
}

// The session's connection parameters as a conninfo string, without the password.
std::string conninfo_without_password(PGconn *pg) {
  std::string out;
  PQconninfoOption *options = PQconninfo(pg);
  for (PQconninfoOption *o = options; o && o->keyword; ++o) {
    if (!o->val || !*o->val || std::strcmp(o->keyword, "password") == 0) continue;
    std::string value;
    for (const char *c = o->val; *c; ++c) {
      if (*c == '\\' || *c == '\'') value += '\\';
      value += *c;
    }
    out += std::string(out.empty() ? "" : " ") + o->keyword + "='" + value + "'";
  }
  PQconninfoFree(options);
  return out;
}

std::vector<std::string> child_environment(PGconn *pg) {
  std::vector<std::string> env;
  for (char **e = environ; *e; ++e) {
    if (std::strncmp(*e, "PGPASSWORD=", 11) != 0) env.emplace_back(*e);
  }
  const char *password = PQpass(pg);
  if (password && *password) env.push_back(std::string("PGPASSWORD=") + password);
  return env;
}

}  // namespace

int dump_schema(tide_conn &conn, tide_write_fn fn, void *user) {
  if (!fn) return conn.fail(TIDE_EMISUSE, "dump: the writer is NULL");
  if (int rc = conn.require_idle("dump"); rc != TIDE_OK) return rc;
  PGconn *pg = conn.pg_.get();
  const int server_major = PQserverVersion(pg) / 10000;
  const std::string server = "PostgreSQL " + std::to_string(server_major);
  const std::string install = "install postgresql-client-" + std::to_string(server_major) +
                              " (or set TIDE_PG_DUMP to a pg_dump of version " + std::to_string(server_major) +
                              " or newer)";
  const std::string tool = find_pg_dump();
  if (tool.empty()) {
    return conn.fail(TIDE_EUNSUPPORTED, "dump: pg_dump was not found (looked at $TIDE_PG_DUMP, "
                                        "/usr/lib/postgresql/*/bin and PATH); " + install);
  }
  const int tool_major = major_of(output_of({tool, "--version"}));
  if (tool_major == 0) {
    return conn.fail(TIDE_EUNSUPPORTED, "dump: " + tool + " --version did not say its version; " + install);
  }
  if (tool_major < server_major) {
    return conn.fail(TIDE_EUNSUPPORTED, "dump: " + tool + " is pg_dump " + std::to_string(tool_major) +
                                            ", older than the server (" + server + "), which it cannot dump; " +
                                            install);
  }
  Child child;
  std::vector<std::string> args = {tool, "--schema-only", "--no-owner", "--no-privileges",
                                   "--dbname=" + conninfo_without_password(pg)};
  if (int e = spawn(args, child_environment(pg), child); e != 0) {
    return conn.fail(TIDE_EUNSUPPORTED, "dump: cannot run " + tool + ": " + std::strerror(e));
  }
  std::string err;
  int status = collect(
      child, [&](const char *data, size_t n) { return fn(user, data, n) == 0; }, err);
  if (status == -1) return conn.fail(TIDE_EINTERNAL, "dump: the writer failed; pg_dump was stopped");
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return TIDE_OK;
  std::string why = WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                      : "signal " + std::to_string(WTERMSIG(status));
  return conn.fail(TIDE_EDB, "dump: pg_dump failed (" + why + "): " + err);
}

}  // namespace tide_pg
