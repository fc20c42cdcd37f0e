// dump() for MySQL and MariaDB: the schema as the server's own tool writes it,
// `mariadb-dump` (or `mysqldump`) --no-data with routines, triggers and events.
//
// The password never reaches a command line (where `ps` shows it): it goes into a
// temporary option file (mode 0600, removed when the tool ends) passed with
// --defaults-extra-file. Output is streamed to the caller; " AUTO_INCREMENT=N" is dropped
// from table options so the dump does not change each time a row is inserted.
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <regex>
#include <string>
#include <vector>

#include "connection.h"

extern char **environ;

namespace tide_mysql {
namespace {

// The first of names found on PATH, or empty.
std::string find_tool(std::initializer_list<const char *> names) {
  const char *path = std::getenv("PATH");
  std::string dirs = path && *path ? path : "/usr/local/bin:/usr/bin:/bin";
  for (const char *name : names) {
    size_t from = 0;
    while (from <= dirs.size()) {
      size_t colon = dirs.find(':', from);
      std::string dir = dirs.substr(from, colon == std::string::npos ? std::string::npos : colon - from);
      std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
      if (access(candidate.c_str(), X_OK) == 0) return candidate;
      if (colon == std::string::npos) break;
      from = colon + 1;
    }
  }
  return {};
}

// A value for an option file: quoted, with the escapes the client's parser knows.
std::string option_value(const std::string &v) {
  std::string out = "\"";
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

// Writes the [client] section to a new 0600 file; returns its path, or empty.
std::string write_option_file(const Target &t) {
  const char *tmp = std::getenv("TMPDIR");
  std::string path = std::string(tmp && *tmp ? tmp : "/tmp") + "/tide-mysql-dump-XXXXXX";
  int fd = mkstemp(path.data());  // created 0600
  if (fd < 0) return {};
  std::string text = "[client]\n";
  if (!t.user.empty()) text += "user=" + option_value(t.user) + "\n";
  if (t.has_password) text += "password=" + option_value(t.password) + "\n";
  if (!t.host.empty()) text += "host=" + option_value(t.host) + "\n";
  if (t.port) text += "port=" + std::to_string(t.port) + "\n";
  if (!t.socket.empty()) text += "socket=" + option_value(t.socket) + "\n";
  bool ok = fchmod(fd, 0600) == 0 && write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  close(fd);
  if (!ok) {
    unlink(path.c_str());
    return {};
  }
  return path;
}

// Line-wise filter and writer: drops " AUTO_INCREMENT=N" from table options.
class Output {
 public:
  Output(tide_write_fn fn, void *user) : fn_(fn), user_(user) {}
  bool feed(const char *data, size_t len) {
    pending_.append(data, len);
    size_t nl;
    while ((nl = pending_.find('\n')) != std::string::npos) {
      if (!emit(pending_.substr(0, nl + 1))) return false;
      pending_.erase(0, nl + 1);
    }
    return true;
  }
  bool finish() { return pending_.empty() || emit(pending_); }

 private:
  bool emit(std::string line) {
    static const std::regex auto_increment(" AUTO_INCREMENT=[0-9]+");
    if (line.starts_with(") ENGINE=")) line = std::regex_replace(line, auto_increment, "");
    return fn_(user_, line.data(), line.size()) == 0;
  }
  tide_write_fn fn_;
  void *user_;
  std::string pending_;
};

std::string read_all(int fd) {
  std::string out;
  char buf[4096];
  lseek(fd, 0, SEEK_SET);
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

}  // namespace

int run_dump(tide_conn &conn, tide_write_fn fn, void *user) {
  if (int rc = conn.require_idle("dump"); rc != TIDE_OK) return rc;
  if (!fn) return conn.fail(TIDE_EMISUSE, "dump: no writer");
  const Target &t = conn.target_;
  if (t.database.empty()) return conn.fail(TIDE_EMISUSE, "dump: the database URL names no database");
  std::string tool = find_tool({"mariadb-dump", "mysqldump"});
  if (tool.empty())
    return conn.fail(TIDE_EUNSUPPORTED,
                     "dump needs mariadb-dump or mysqldump, and neither is on PATH (Debian: apt-get install "
                     "mariadb-client; elsewhere the MySQL or MariaDB client tools)");
  std::string options = write_option_file(t);
  if (options.empty())
    return conn.fail(TIDE_EINTERNAL,
                     std::string("dump: cannot write a temporary option file: ") + std::strerror(errno));

  std::vector<std::string> args = {tool,
                                   "--defaults-extra-file=" + options,
                                   "--no-data",
                                   "--routines",
                                   "--triggers",
                                   "--events",
                                   "--skip-dump-date",
                                   "--skip-comments",
                                   "--skip-add-drop-table",
                                   "--single-transaction",
                                   "--default-character-set=utf8mb4"};
  if (t.ssl != SslMode::kDisabled) args.push_back("--ssl");
  if (!t.ssl_ca.empty()) args.push_back("--ssl-ca=" + t.ssl_ca);
  if (t.ssl == SslMode::kVerifyCa || t.ssl == SslMode::kVerifyIdentity) args.push_back("--ssl-verify-server-cert");
  if (!t.socket.empty()) args.push_back("--protocol=socket");
  args.push_back("--");
  args.push_back(t.database);
  std::vector<char *> argv;
  for (std::string &a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) {
    unlink(options.c_str());
    return conn.fail(TIDE_EINTERNAL, std::string("dump: pipe: ") + std::strerror(errno));
  }
  std::string err_path = options + ".err";
  int err = open(err_path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  unlink(err_path.c_str());
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  if (err >= 0) posix_spawn_file_actions_adddup2(&actions, err, STDERR_FILENO);
  pid_t pid = 0;
  int spawned = posix_spawn(&pid, tool.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  if (spawned != 0) {
    close(out[0]);
    if (err >= 0) close(err);
    unlink(options.c_str());
    return conn.fail(TIDE_EINTERNAL, "dump: cannot run " + tool + ": " + std::strerror(spawned));
  }

  Output writer(fn, user);
  bool writer_ok = true;
  char buf[65536];
  for (ssize_t n; (n = read(out[0], buf, sizeof buf)) != 0;) {
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (writer_ok && !writer.feed(buf, static_cast<size_t>(n))) writer_ok = false;  // keep draining
  }
  close(out[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  unlink(options.c_str());
  std::string messages = err >= 0 ? read_all(err) : std::string();
  if (err >= 0) close(err);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string how = WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status)) : "killed by a signal";
    return conn.fail(TIDE_EDB, tool + " failed (" + how + ")" + (messages.empty() ? "" : ": " + messages));
  }
  if (!writer_ok || !writer.finish()) return conn.fail(TIDE_EINTERNAL, "dump: the writer failed");
  return TIDE_OK;
}

}  // namespace tide_mysql
