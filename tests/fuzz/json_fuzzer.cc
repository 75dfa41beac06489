// Fuzzes the bounded JSON parser every request body goes through. Properties:
// no crash; it agrees with nlohmann's own parser on every input whose nesting
// is within the limit (same verdict, same document); it refuses exactly the
// inputs that nest deeper; an accepted document is never deeper than the
// limit.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "scim/json_parse.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using nlohmann::json;

// Levels of arrays/objects, counted without recursion.
int Depth(const json& root) {
  int deepest = 0;
  std::vector<std::pair<const json*, int>> todo = {{&root, 0}};
  while (!todo.empty()) {
    auto [v, depth] = todo.back();
    todo.pop_back();
    if (!v->is_structured()) continue;
    deepest = std::max(deepest, depth + 1);
    for (const json& child : *v) todo.emplace_back(&child, depth + 1);
  }
  return deepest;
}

// The deepest bracket nesting reached before the first syntax error, as the
// parser sees it: brackets inside strings do not count.
int BracketDepth(std::string_view text) {
  int depth = 0, deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  json bounded;
  const scim::JsonParseStatus status = scim::ParseJsonBounded(text, &bounded);
  const json plain = json::parse(text, nullptr, false);
  const int limit = scim::kMaxJsonDepth;
  switch (status) {
    case scim::JsonParseStatus::kOk:
      FUZZ_CHECK(!plain.is_discarded(), "accepted what json::parse refuses");
      FUZZ_CHECK(bounded == plain, "a different document than json::parse");
      FUZZ_CHECK(Depth(bounded) <= limit, "accepted a document deeper than the limit");
      break;
    case scim::JsonParseStatus::kInvalid:
      FUZZ_CHECK(plain.is_discarded(), "refused as invalid what json::parse accepts");
      break;
    case scim::JsonParseStatus::kTooDeep:
      FUZZ_CHECK(BracketDepth(text) > limit, "too deep, yet no bracket nests past the limit");
      FUZZ_CHECK(plain.is_discarded() || Depth(plain) > limit, "too deep, yet json::parse's document is not");
      break;
  }
  if (!plain.is_discarded() && Depth(plain) <= limit) {
    FUZZ_CHECK(status == scim::JsonParseStatus::kOk, "refused a valid document within the limit");
  }
  return 0;
}
