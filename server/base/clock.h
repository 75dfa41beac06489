// server/base/clock.h — wall-clock timestamps as RFC 3339 UTC strings.
// Thread-safe.
#pragma once

#include <chrono>
#include <string>

namespace allot {

// e.g. "2026-11-22T09:45:17.123Z"; millisecond precision, always UTC, so
// timestamps compare correctly as strings (the database sorts them as text).
std::string NowRfc3339();
// The same form for any time point (leases, deadlines stored as text).
std::string Rfc3339(std::chrono::system_clock::time_point t);

}  // namespace allot
