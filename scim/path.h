// scim/path.h — PATCH paths (RFC 7644 §3.5.2):
//   attrPath / valuePath [subAttr], e.g. `name.givenName`,
//   `members[value eq "x"]`, `emails[type eq "work"].value`,
//   `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`.
// Thread-safety: plain values (the filter is shared, immutable).
#pragma once

#include <string>
#include <string_view>

#include "scim/attr_path.h"
#include "scim/error.h"
#include "scim/filter.h"

namespace scim {

struct Path {
  // The attribute, and the sub-attribute after the filter (`.value` in
  // `emails[type eq "work"].value`) or of a plain path (`name.givenName`).
  AttrPath attr;
  // The value filter, or nullptr. Its paths name sub-attributes of attr.
  FilterPtr filter;

  // Canonical text (filter in canonical form).
  std::string ToString() const;
};

// Parses a PATCH path. Fails with invalidPath saying what is wrong (a bad
// value filter also gives invalidPath, with the filter parser's detail); a
// path longer than kMaxFilterBytes fails before it is read.
Result<Path> ParsePath(std::string_view text);

}  // namespace scim
