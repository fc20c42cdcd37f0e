// mysql:// URLs (url.h). Hand-written because the grammar is tiny and the one rule that
// matters most — the password never appears in an error — is easiest to keep here.
#include "url.h"

#include <cctype>
#include <cstdlib>
#include <string_view>

#include <percent.h>

namespace tide_mysql {
namespace {

using tide::driver::percent_decode;

bool parse_ssl_mode(std::string value, SslMode &mode) {
  for (char &c : value) c = c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (value == "disabled" || value == "disable" || value == "false" || value == "0") {
    mode = SslMode::kDisabled;
  } else if (value == "required" || value == "require" || value == "true" || value == "1") {
    mode = SslMode::kRequired;
  } else if (value == "verify-ca") {
    mode = SslMode::kVerifyCa;
  } else if (value == "verify-identity" || value == "verify-full") {
    mode = SslMode::kVerifyIdentity;
  } else {
    return false;
  }
  return true;
}

bool apply_param(Target &t, const std::string &key, const std::string &value, std::string &error) {
  auto duration = [&](int64_t &out) {
    out = parse_duration_ms(value);
    if (out >= 0) return true;
    error = "bad " + key + " \"" + value + "\" in the URL (write 10, 10s, 500ms or 1m)";
    return false;
  };
  if (key == "socket") {
    t.socket = value;
  } else if (key == "connect_timeout") {
    return duration(t.connect_timeout_ms);
  } else if (key == "read_timeout") {
    return duration(t.read_timeout_ms);
  } else if (key == "write_timeout") {
    return duration(t.write_timeout_ms);
  } else if (key == "ssl-mode" || key == "sslmode" || key == "ssl_mode" || key == "tls" || key == "ssl") {
    if (!parse_ssl_mode(value, t.ssl)) {
      error = "bad " + key + " \"" + value + "\" in the URL (disabled, required, verify-ca or verify-identity)";
      return false;
    }
  } else if (key == "ssl-ca" || key == "sslca" || key == "ssl_ca" || key == "sslrootcert") {
    t.ssl_ca = value;
  } else if (key == "multi-statements" || key == "multi_statements" || key == "multiStatements") {
    if (value == "true" || value == "1" || value == "on") {
      t.multi_statements = true;
    } else if (value == "false" || value == "0" || value == "off") {
      t.multi_statements = false;
    } else {
      error = "bad " + key + " \"" + value + "\" in the URL (true or false)";
      return false;
    }
  } else {
    error = "unknown URL parameter \"" + key +
            "\" (known: socket, connect_timeout, read_timeout, write_timeout, ssl-mode, ssl-ca, multi-statements)";
    return false;
  }
  return true;
}

bool parse_query(std::string_view query, Target &t, std::string &error) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string key, value;
    if (!percent_decode(pair.substr(0, eq), key) ||
        !percent_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), value)) {
      error = "bad percent-encoding in the URL's parameters";
      return false;
    }
    if (!apply_param(t, key, value, error)) return false;
  }
  return true;
}

// host[:port], or [v6]:port.
bool parse_host_port(std::string_view hp, Target &t, std::string &error) {
  std::string_view port;
  if (hp.starts_with('[')) {
    size_t close = hp.find(']');
    if (close == std::string_view::npos) {
      error = "unclosed '[' in the URL's host";
      return false;
    }
    t.host = std::string(hp.substr(1, close - 1));
    std::string_view rest = hp.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(':')) {
      error = "unexpected text after the URL's host";
      return false;
    }
    port = rest.empty() ? rest : rest.substr(1);
  } else {
    size_t colon = hp.rfind(':');
    if (!percent_decode(hp.substr(0, colon), t.host)) {
      error = "bad percent-encoding in the URL's host";
      return false;
    }
    if (colon != std::string_view::npos) port = hp.substr(colon + 1);
  }
  if (port.empty()) return true;
  unsigned long value = 0;
  for (char c : port) {
    if (c < '0' || c > '9' || value > 65535) {
      error = "bad port \"" + std::string(port) + "\" in the URL";
      return false;
    }
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value == 0 || value > 65535) {
    error = "bad port \"" + std::string(port) + "\" in the URL";
    return false;
  }
  t.port = static_cast<unsigned>(value);
  return true;
}

}  // namespace

int64_t parse_duration_ms(const std::string &text) {
  if (text.empty()) return -1;
  char *end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  std::string_view unit(end);
  if (end == text.c_str() || value < 0) return -1;
  double scale = unit.empty() || unit == "s" ? 1000 : unit == "ms" ? 1 : unit == "m" ? 60000 : -1;
  if (scale < 0 || value * scale > 1e12) return -1;
  return static_cast<int64_t>(value * scale);
}

bool parse_url(const std::string &url, Target &t, std::string &error) {
  std::string_view rest(url);
  size_t scheme_end = rest.find("://");
  if (scheme_end == std::string_view::npos) {
    error = "a MySQL URL looks like mysql://user:password@host:port/database";
    return false;
  }
  std::string scheme(rest.substr(0, scheme_end));
  for (char &c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "mysql" && scheme != "mariadb") {
    error = "the MySQL driver does not handle \"" + scheme + "://\" URLs (use mysql:// or mariadb://)";
    return false;
  }
  rest.remove_prefix(scheme_end + 3);
  size_t q = rest.find('?');
  std::string_view query = q == std::string_view::npos ? std::string_view() : rest.substr(q + 1);
  rest = rest.substr(0, q);
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);

  // The password may itself hold '@' when not encoded: the host starts after the last one.
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    size_t colon = userinfo.find(':');
    if (!percent_decode(userinfo.substr(0, colon), t.user)) {
      error = "bad percent-encoding in the URL's user name";
      return false;
    }
    if (colon != std::string_view::npos) {
      t.has_password = true;
      if (!percent_decode(userinfo.substr(colon + 1), t.password)) {
        error = "bad percent-encoding in the URL's password";  // never the password itself
        return false;
      }
    }
    authority.remove_prefix(at + 1);
  }
  if (!parse_host_port(authority, t, error)) return false;
  while (path.ends_with('/')) path.remove_suffix(1);
  if (path.find('/') != std::string_view::npos) {
    error = "the URL's path must be just the database name";
    return false;
  }
  if (!percent_decode(path, t.database)) {
    error = "bad percent-encoding in the URL's database name";
    return false;
  }
  return parse_query(query, t, error);
}

}  // namespace tide_mysql
