// server/webhooks/signature.h — Standard Webhooks signing
// (https://www.standardwebhooks.com): a secret "whsec_" + base64 of random
// bytes; each request carries webhook-id, webhook-timestamp (Unix seconds)
// and webhook-signature "v1,<base64 of HMAC-SHA256(key, id.timestamp.body)>",
// where key is the base64 decoding of the secret after "whsec_".
// Thread-safety: pure functions (OpenSSL's HMAC and RAND are thread-safe).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace allot::webhooks {

inline constexpr std::string_view kSecretPrefix = "whsec_";

// A new secret: "whsec_" + base64 of 32 random bytes (OpenSSL's CSPRNG).
std::string NewSecret();

// The HMAC key of `secret` (the bytes after "whsec_", base64-decoded), or
// nullopt when it is not of that form.
std::optional<std::string> SecretKey(std::string_view secret);

// "v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>".
std::string Sign(std::string_view key, std::string_view id, std::string_view timestamp,
                 std::string_view body);

// Standard base64 with padding (RFC 4648 §4), and back (nullopt for
// malformed text).
std::string Base64Encode(std::string_view bytes);
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace allot::webhooks
