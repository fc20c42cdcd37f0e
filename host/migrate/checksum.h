// SHA-256 checksums of migration files, with line endings normalised so that a checkout
// on Windows (CRLF) and on Linux (LF) of the same file agree.
#pragma once

#include <string>
#include <string_view>

namespace tide {

// Lower-case hex SHA-256 of text with "\r\n" and lone "\r" read as "\n".
std::string checksum(std::string_view text);

}  // namespace tide
