// server/policy/text.h — byte-level string checks for what plugins hand back.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace allot::policy {

// True if `s` is well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF).
bool IsValidUtf8(std::string_view s);

// `s` made safe for an error message: printable ASCII kept, other bytes as
// \xNN, cut to `max` input bytes with "..." appended.
std::string Printable(std::string_view s, size_t max);

}  // namespace allot::policy
