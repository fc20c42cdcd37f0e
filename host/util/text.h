// Small text helpers shared by the catalog, the runner and the CLI: durations, line
// numbers from byte offsets, URL redaction, file reading.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace tide {

// "500ms", "10s", "5m", "1h", or a bare number of seconds. nullopt when malformed.
std::optional<int64_t> parse_duration_ms(std::string_view text);

// 1-based line number of byte offset in text.
int line_of(std::string_view text, size_t offset);

// The URL with every password replaced by "***": the userinfo's (user:secret@host, the
// userinfo ending at the last '@' before the query, so "p@ss" and "pa/ss" are covered;
// also scheme-less user:secret@host and //user:secret@host), and the value of any
// password, pass, pwd, passwd or sslpassword parameter in any case, in a query string
// or a libpq keyword string (password='quoted secret'). SQLite URLs have no userinfo:
// their paths are left alone even when they hold '@'.
std::string redact_url(std::string_view url);

// The passwords redact_url hides, each as written and percent-decoded (without
// duplicates), for Output::add_secret. Empty when the URL holds none.
std::vector<std::string> url_password(std::string_view url);

// text with every occurrence of each secret replaced by "***", longer secrets first so
// that "secret" does not leave "***1" of "secret1". Secrets shorter than 3 characters
// are ignored: masking "a" would mask every message.
std::string mask_secrets(std::string_view text, std::vector<std::string> secrets);

// The scheme of a URL in lower case ("sqlite" of "SQLite:db/x.sqlite3"), empty when
// there is none.
std::string url_scheme(std::string_view url);

// Whole file into a string; fails with a message naming the path.
Result<std::string> read_file(const std::filesystem::path &path);

// First line of a statement, trimmed and shortened, for messages.
std::string statement_summary(std::string_view sql, size_t max = 80);

// Current UTC time as "YYYY-MM-DD HH:MM:SS".
std::string utc_now();

// Quote a string as a JSON string literal.
std::string json_quote(std::string_view s);

}  // namespace tide
