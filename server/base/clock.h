// server/base/clock.h — wall-clock timestamps as RFC 3339 UTC strings.
// Thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace allot {

// e.g. "2026-11-22T09:45:17.123Z"; millisecond precision, always UTC, so
// timestamps compare correctly as strings (the database sorts them as text).
std::string NowRfc3339();

// `at` in the same format as NowRfc3339.
std::string TimeRfc3339(std::chrono::system_clock::time_point at);

// Parses "YYYY-MM-DDTHH:MM:SS[.fff…]Z" or a date "YYYY-MM-DD" (midnight
// UTC); nullopt for anything else (offsets other than Z are refused).
std::optional<std::chrono::system_clock::time_point> ParseRfc3339(std::string_view text);

}  // namespace allot
