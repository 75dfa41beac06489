// server/base/ascii.h — case folding of ASCII letters only, for protocol
// names (HTTP paths and headers, SCIM attribute names, filter keywords) and
// for the lower-cased columns that SQL compares. Other bytes, UTF-8 included,
// are left as they are, on purpose: SQLite's LOWER() does the same, so the
// stored columns and the values compared with them fold alike.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace allot {

char AsciiLower(char c);
std::string AsciiLower(std::string_view s);
bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b);
bool StartsWithIgnoreAsciiCase(std::string_view text, std::string_view prefix);

}  // namespace allot
