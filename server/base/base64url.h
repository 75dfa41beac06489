// server/base/base64url.h — base64url without padding (RFC 4648 §5), for
// tokens and opaque cursors. Thread-safe (pure functions).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace allot {

std::string Base64UrlEncode(std::string_view bytes);

// nullopt when `text` holds a character outside the base64url alphabet.
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace allot
