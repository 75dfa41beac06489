// server/base/random.h — identifiers and secrets from OpenSSL's CSPRNG.
// Thread-safe (RAND_bytes is).
#pragma once

#include <string>

namespace allot {

// A random UUID (version 4), lower-case.
std::string RandomUuid();

// A UUID of version 7 (RFC 9562): the Unix time in milliseconds, then 74
// random bits; lower-case. For row keys that are inserted often (SCIM
// resource ids): ids made close in time sort close together, so inserts
// touch the same few index pages instead of a random page each.
std::string TimeOrderedUuid();

// A bearer token: `prefix` followed by 32 random bytes in base64url (256 bits).
std::string RandomToken(std::string_view prefix);

}  // namespace allot
