#include "util/text.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>

namespace tide {

std::optional<int64_t> parse_duration_ms(std::string_view text) {
  size_t i = 0;
  int64_t n = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    n = n * 10 + (text[i] - '0');
    if (n > (int64_t{1} << 40)) return std::nullopt;
    ++i;
  }
  if (i == 0) return std::nullopt;
  std::string_view unit = text.substr(i);
  if (unit.empty() || unit == "s") return n * 1000;
  if (unit == "ms") return n;
  if (unit == "m") return n * 60 * 1000;
  if (unit == "h") return n * 3600 * 1000;
  return std::nullopt;
}

int line_of(std::string_view text, size_t offset) {
  if (offset > text.size()) offset = text.size();
  int line = 1;
  for (size_t i = 0; i < offset; ++i)
    if (text[i] == '\n') ++line;
  return line;
}

std::string redact_url(std::string_view url) {
  std::string out(url);
  // scheme://user:password@host
  size_t scheme_end = out.find("://");
  if (scheme_end != std::string::npos) {
    size_t auth_start = scheme_end + 3;
    size_t at = out.find('@', auth_start);
    size_t slash = out.find('/', auth_start);
    if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
      size_t colon = out.find(':', auth_start);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  // key=value parameters: password=..., sslpassword=...
  for (std::string key : {"password=", "sslpassword="}) {
    size_t pos = 0;
    while ((pos = out.find(key, pos)) != std::string::npos) {
      size_t start = pos + key.size();
      size_t end = out.find_first_of("& ", start);
      if (end == std::string::npos) end = out.size();
      out.replace(start, end - start, "***");
      pos = start + 3;
    }
  }
  return out;
}

std::string url_scheme(std::string_view url) {
  size_t colon = url.find(':');
  if (colon == std::string_view::npos || colon == 0) return {};
  for (size_t i = 0; i < colon; ++i) {
    char c = url[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
    if (!ok) return {};
  }
  std::string scheme(url.substr(0, colon));
  for (char &c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return scheme;  // schemes are case-insensitive (RFC 3986)
}

Result<std::string> read_file(const std::filesystem::path &path) {
  // Plain POSIX reads: `status` reads every applied migration, and iostreams cost more
  // than the reading itself for files this small.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  auto fail = [&](int err) {
    return Status::fail(Exit::kFailed, fmt::format("{}: cannot read file: {}", path.string(), std::strerror(err)));
  };
  if (fd < 0) return fail(errno);
  // Read the size fstat reports in one go (a file that grows meanwhile is read as it was).
  struct stat st {};
  size_t expect = ::fstat(fd, &st) == 0 && st.st_size > 0 ? static_cast<size_t>(st.st_size) : 0;
  std::string out(expect > 0 ? expect : 16384, '\0');
  size_t have = 0;
  for (;;) {
    if (have == out.size()) {
      if (expect > 0 && have == expect) break;  // all of it, as fstat said
      out.resize(out.size() * 2);
    }
    ssize_t n = ::read(fd, out.data() + have, out.size() - have);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return fail(err);
    }
    have += static_cast<size_t>(n);
  }
  ::close(fd);
  out.resize(have);
  return out;
}

std::string statement_summary(std::string_view sql, size_t max) {
  size_t b = sql.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  sql = sql.substr(b);
  std::string out;
  for (char c : sql) {
    if (c == '\n' || c == '\r') {
      if (!out.empty() && out.back() != ' ') out += ' ';
      continue;
    }
    out += c;
    if (out.size() >= max) {
      out += "...";
      break;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string utc_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

std::string json_quote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20)
          out += fmt::format("\\u{:04x}", c);
        else
          out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

}  // namespace tide
