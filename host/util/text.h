// Small text helpers shared by the catalog, the runner and the CLI: durations, line
// numbers from byte offsets, URL redaction, file reading.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "util/status.h"

namespace tide {

// "500ms", "10s", "5m", "1h", or a bare number of seconds. nullopt when malformed.
std::optional<int64_t> parse_duration_ms(std::string_view text);

// 1-based line number of byte offset in text.
int line_of(std::string_view text, size_t offset);

// The URL with any password replaced by "***" (user:secret@host, password=secret).
std::string redact_url(std::string_view url);

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
