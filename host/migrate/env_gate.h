// Environment gates (SPEC §5): "production", "development, test" (any of), or an
// expression with `!`, `and`, `or` and parentheses ("!production and !staging").
#pragma once

#include <string>
#include <string_view>

#include "util/status.h"

namespace tide {

// Whether environment passes gate. A malformed gate is a config error (exit 2) whose
// message says what was expected where.
Result<bool> env_matches(std::string_view gate, std::string_view environment);

}  // namespace tide
