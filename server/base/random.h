// server/base/random.h — identifiers and secrets from OpenSSL's CSPRNG.
// Thread-safe (RAND_bytes is).
#pragma once

#include <string>

namespace allot {

// A random UUID (version 4), lower-case, e.g. for SCIM resource ids.
std::string RandomUuid();

// A bearer token: `prefix` followed by 32 random bytes in base64url (256 bits).
std::string RandomToken(std::string_view prefix);

}  // namespace allot
