// scim/json_parse.h — parses request bodies with a bound on how deeply they
// nest (CONTRACT.md, "Limits and hostile clients": 64 levels).
//
// nlohmann::json parses without recursion, but copies, comparisons and
// dumps of a document recurse once per level: a body nested 100,000 levels
// deep parses fine and then overflows the stack in the first copy. Every
// request body, SCIM and admin alike, is parsed here, so no document deeper
// than the limit ever exists in the server. The depth is counted while
// parsing (nlohmann's own DOM builder, driven through its SAX interface), so
// the check costs one counter per array/object and a too-deep body is
// refused at its 65th opening bracket, before the rest is read.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace scim {

// Levels of arrays/objects a body may nest: `[]` is 1 level, `{"a":[1]}` 2.
inline constexpr int kMaxJsonDepth = 64;

enum class JsonParseStatus {
  kOk,
  kInvalid,  // not one JSON document (syntax, encoding, trailing text)
  kTooDeep,  // arrays/objects nest deeper than the limit
};

// Parses `text` into *out. On failure *out holds an unspecified partial
// document, which the caller must not use.
JsonParseStatus ParseJsonBounded(std::string_view text, nlohmann::json* out,
                                 int max_depth = kMaxJsonDepth);

// What a client is told for kTooDeep, naming the limit.
std::string JsonTooDeepMessage(int max_depth = kMaxJsonDepth);

}  // namespace scim
