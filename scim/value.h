// scim/value.h — checks and coerces client-supplied values against an
// attribute definition; shared by resource validation and PATCH.
//
// Coercions done (for real clients): booleans given as strings "true"/"false"
// in any case (Entra ID) become booleans; a single value given for a
// multi-valued attribute becomes a one-element array; a plain value given for
// a complex attribute with a "value" sub-attribute becomes {"value": …}
// (Entra sends the enterprise manager that way); sub-attribute names are
// canonicalised; unknown and readOnly sub-attributes are dropped; null
// sub-attributes and elements that end up empty are dropped.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "scim/error.h"
#include "scim/schema.h"

namespace scim {

// Returns the coerced value of `attr` (an array when attr.multi_valued), or
// JSON null meaning "unassigned" (null input, empty array, empty object).
// Fails with invalidValue naming `path` when the type is wrong or a required
// sub-attribute is missing.
Result<nlohmann::json> CoerceValue(const Attribute& attr, const nlohmann::json& value,
                                   std::string_view path);

// Coerces one value of `attr` ignoring attr.multi_valued: one element of a
// multi-valued attribute, or the value of a single-valued one.
Result<nlohmann::json> CoerceSingleValue(const Attribute& attr, const nlohmann::json& value,
                                         std::string_view path);

// A dateTime (xsd:dateTime as RFC 7643 §2.3.5 uses it:
// YYYY-MM-DDThh:mm:ss[.fraction](Z|±hh:mm)) as microseconds since the epoch
// in UTC, or nullopt when the text is not one. Microseconds, not
// nanoseconds: int64 nanoseconds end in 2262, and every year up to 9999 must
// compare (a fuzzer found the overflow).
std::optional<int64_t> ParseDateTime(std::string_view text);

// True for null, "", [] and {}: values RFC 7644 treats as unassigned.
bool IsUnassigned(const nlohmann::json& value);

}  // namespace scim
