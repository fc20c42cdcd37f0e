#include "util/text.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
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

namespace {

// Where a secret sits in a URL or libpq keyword string: [begin, end) is what redaction
// replaces (quotes included), value the secret itself (unquoted, unescaped).
struct SecretSpan {
  size_t begin = 0, end = 0;
  std::string value;
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

bool is_password_key(std::string_view key) {
  std::string k;
  for (char c : key) k += lower(c);
  return k == "password" || k == "pass" || k == "pwd" || k == "passwd" || k == "sslpassword";
}

// The value after "key=" at pos. It ends where the next parameter of the same kind begins:
// at '&' in a query string, ';' in "k=v;k=v", whitespace in a libpq keyword string. A
// libpq value may be quoted: 'it''s' is not valid libpq, but \' and \\ are.
SecretSpan value_at(std::string_view text, size_t pos, char before) {
  SecretSpan span{pos, pos, {}};
  if (pos < text.size() && text[pos] == '\'') {
    size_t i = pos + 1;
    for (; i < text.size() && text[i] != '\''; ++i) {
      if (text[i] == '\\' && i + 1 < text.size()) ++i;
      span.value += text[i];
    }
    span.end = i < text.size() ? i + 1 : i;
    return span;
  }
  size_t i = pos;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if ((before == '?' || before == '&') ? c == '&' : before == ';' ? c == ';' : is_space(c)) break;
  }
  span.end = i;
  span.value = std::string(text.substr(pos, i - pos));
  return span;
}

// password=..., PWD=..., sslpassword = '...': a key at a parameter boundary (start, '?',
// '&', ';', whitespace), any case, optional spaces around '='.
void keyword_secrets(std::string_view text, std::vector<SecretSpan> &out) {
  for (size_t i = 0; i < text.size(); ++i) {
    char before = i == 0 ? ' ' : text[i - 1];
    if (!(i == 0 || before == '?' || before == '&' || before == ';' || is_space(before))) continue;
    size_t k = i;
    while (k < text.size() && (std::isalnum(static_cast<unsigned char>(text[k])) || text[k] == '_')) ++k;
    if (k == i || !is_password_key(text.substr(i, k - i))) continue;
    size_t eq = k;
    while (eq < text.size() && is_space(text[eq])) ++eq;
    if (eq >= text.size() || text[eq] != '=') continue;
    size_t v = eq + 1;
    while (v < text.size() && is_space(text[v]) && !(before == '?' || before == '&')) ++v;
    SecretSpan span = value_at(text, v, before);
    if (span.end > span.begin) out.push_back(std::move(span));
    i = span.end > i ? span.end - 1 : i;
  }
}

// user:password@host. The authority starts after "scheme://", after a leading "//", or at
// the start of a URL without either (user:secret@localhost/db). The userinfo ends at the
// LAST '@' before the query, so an unencoded '@' or '/' in a password is still covered;
// the password is everything after the userinfo's first ':'. SQLite URLs have no
// userinfo, only a path, which may contain '@' and ':' and is left alone.
void userinfo_secret(std::string_view url, std::vector<SecretSpan> &out) {
  std::string scheme = url_scheme(url);
  if (scheme == "sqlite" || scheme == "sqlite3" || scheme == "file") return;
  size_t auth = 0;
  if (!scheme.empty() && url.substr(scheme.size()).starts_with("://"))
    auth = scheme.size() + 3;
  else if (url.starts_with("//"))
    auth = 2;
  size_t query = url.find_first_of("?#", auth);
  std::string_view head = url.substr(auth, query == std::string_view::npos ? std::string_view::npos : query - auth);
  size_t at = head.rfind('@');
  if (at == std::string_view::npos) return;
  std::string_view userinfo = head.substr(0, at);
  // Whitespace means a keyword string ("host=h password=p@ss"), not a URL.
  for (char c : userinfo)
    if (is_space(c)) return;
  size_t colon = userinfo.find(':');
  if (colon == std::string_view::npos) return;
  out.push_back({auth + colon + 1, auth + at, std::string(userinfo.substr(colon + 1))});
}

std::vector<SecretSpan> secret_spans(std::string_view url) {
  std::vector<SecretSpan> spans;
  keyword_secrets(url, spans);
  userinfo_secret(url, spans);
  std::sort(spans.begin(), spans.end(), [](const SecretSpan &a, const SecretSpan &b) { return a.begin < b.begin; });
  return spans;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    int high = i + 2 < text.size() && text[i] == '%' ? hex_digit(text[i + 1]) : -1;
    int low = high >= 0 ? hex_digit(text[i + 2]) : -1;
    if (low >= 0) {
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace

std::string redact_url(std::string_view url) {
  std::string out;
  size_t pos = 0;
  for (const SecretSpan &s : secret_spans(url)) {
    if (s.end <= pos) continue;  // inside a span already redacted
    if (s.begin >= pos) {
      out += url.substr(pos, s.begin - pos);
      out += "***";
    }
    pos = s.end;  // an overlapping span only widens the redacted part
  }
  out += url.substr(std::min(pos, url.size()));
  return out;
}

std::vector<std::string> url_password(std::string_view url) {
  std::vector<std::string> out;
  auto add = [&out](std::string s) {
    if (!s.empty() && std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
  };
  for (const SecretSpan &s : secret_spans(url)) {
    add(s.value);
    add(percent_decode(s.value));
  }
  return out;
}

std::string mask_secrets(std::string_view text, std::vector<std::string> secrets) {
  std::stable_sort(secrets.begin(), secrets.end(),
                   [](const std::string &a, const std::string &b) { return a.size() > b.size(); });
  std::string out(text);
  for (const std::string &secret : secrets) {
    if (secret.size() < 3) continue;
    for (size_t pos = 0; (pos = out.find(secret, pos)) != std::string::npos; pos += 3)
      out.replace(pos, secret.size(), "***");
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
