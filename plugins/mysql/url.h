// Parsing mysql:// and mariadb:// URLs into what mysql_real_connect needs.
//
//   mysql://user:password@host:port/database?param=value&...
//   mysql://user@localhost/db?socket=/run/mysqld/mysqld.sock
//
// User, password, database and parameter values are percent-decoded. Parameters:
//   socket            unix socket path (the host part may then be empty or localhost)
//   connect_timeout   "10", "10s", "500ms", "1m" (default: 10 s)
//   read_timeout      the same; how long one read from the server may block (default none)
//   write_timeout     the same, for writes
//   ssl-mode          disabled (default) | required | verify-ca | verify-identity
//                     (also sslmode, tls; true = required, false = disabled)
//   ssl-ca            the CA file for verify-ca / verify-identity
//   multi-statements  true (default) | false: whether a migration's history write may
//                     share a message with its first statement (for servers and proxies
//                     that refuse multi-statement messages: TiDB by default, Vitess)
// Any other parameter is an error: a misspelt option must not be silently ignored.
#ifndef TIDE_PLUGINS_MYSQL_URL_H_
#define TIDE_PLUGINS_MYSQL_URL_H_

#include <cstdint>
#include <string>

namespace tide_mysql {

enum class SslMode { kDisabled, kRequired, kVerifyCa, kVerifyIdentity };

struct Target {
  std::string host;   // empty: localhost (the default socket)
  unsigned port = 0;  // 0: the default, 3306
  std::string user;
  std::string password;
  bool has_password = false;
  std::string database;
  std::string socket;
  int64_t connect_timeout_ms = 0;
  int64_t read_timeout_ms = 0;
  int64_t write_timeout_ms = 0;
  SslMode ssl = SslMode::kDisabled;
  std::string ssl_ca;
  bool multi_statements = true;
};

// Returns true and fills target, or false with a message (never containing the password).
bool parse_url(const std::string &url, Target &target, std::string &error);

// "10", "10s", "500ms", "2m" → milliseconds; -1 when malformed.
int64_t parse_duration_ms(const std::string &text);

}  // namespace tide_mysql

#endif  // TIDE_PLUGINS_MYSQL_URL_H_
