// scim/attr_path.h — an attribute path: optional schema URN, attribute name,
// optional sub-attribute (RFC 7644 §3.10 `[URI ":"] ATTRNAME ["." subAttr]`).
//
// Shared by filters, PATCH paths, projections and sorting. Parsing is purely
// syntactic; which schema attribute a path names is decided by
// ResourceType::Resolve (scim/schema.h).
// Thread-safety: plain values.
#pragma once

#include <string>
#include <string_view>

#include "scim/error.h"

namespace scim {

struct AttrPath {
  std::string urn;   // "" or a schema URN, e.g. "urn:…:enterprise:2.0:User".
  std::string attr;  // attribute name as written, e.g. "name".
  std::string sub;   // "" or sub-attribute name as written, e.g. "givenName".

  // Canonical text: "urn:attr.sub" with the parts that are present.
  std::string ToString() const;
  bool operator==(const AttrPath&) const = default;
};

// Parses a whole attribute path such as "name.givenName" or
// "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value".
// A text that is only a schema URN ("urn:…:2.0:User") parses with attr equal
// to its last segment; Resolve recognises it. Fails with invalidPath naming
// the offending text.
Result<AttrPath> ParseAttrPath(std::string_view text);

// True for the characters RFC 7644 allows in an attribute path token
// (ALPHA, DIGIT, "-", "_", "$", ":", ".").
bool IsAttrPathChar(char c);

// ASCII case-insensitive equality, the rule for attribute names (RFC 7643 §2.1).
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// True when `text` starts with "urn:" in any case.
bool StartsWithUrn(std::string_view text);

}  // namespace scim
