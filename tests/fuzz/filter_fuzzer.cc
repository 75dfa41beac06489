// Fuzzes the filter parser. Properties: no crash; an accepted filter is
// within the limits (length, comparisons, tree depth) and flat (no and/or
// node holds one of the same op); its canonical text parses again to the
// same canonical text (when it fits the length limit); evaluation and
// resolution against a User never crash; errors render.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "scim/filter.h"
#include "scim/filter_eval.h"
#include "scim/schema.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

struct Shape {
  int depth = 0;
  int comparisons = 0;
  bool flat = true;
};

// Walks the tree (recursion is bounded by the property it checks).
void Measure(const scim::FilterNode& f, int depth, Shape* shape) {
  shape->depth = std::max(shape->depth, depth);
  if (const auto* l = std::get_if<scim::Logical>(&f.node)) {
    if (l->operands.size() < 2) shape->flat = false;
    for (const scim::FilterPtr& o : l->operands) {
      if (const auto* inner = std::get_if<scim::Logical>(&o->node); inner && inner->op == l->op) {
        shape->flat = false;
      }
      Measure(*o, depth + 1, shape);
    }
  } else if (const auto* n = std::get_if<scim::Negation>(&f.node)) {
    Measure(*n->operand, depth + 1, shape);
  } else if (const auto* v = std::get_if<scim::ValuePath>(&f.node)) {
    Measure(*v->filter, depth + 1, shape);
  } else {
    ++shape->comparisons;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  scim::Result<scim::FilterPtr> filter = scim::ParseFilter(text);
  if (!filter) {
    FUZZ_CHECK(filter.error().scim_type == "invalidFilter", filter.error().detail);
    allot_fuzz::CheckErrorRenders(filter.error());
    return 0;
  }
  FUZZ_CHECK(text.size() <= scim::kMaxFilterBytes, "accepted a filter over the length limit");
  Shape shape;
  Measure(**filter, 1, &shape);
  FUZZ_CHECK(shape.depth <= scim::kMaxFilterTreeDepth, "tree deeper than kMaxFilterTreeDepth");
  FUZZ_CHECK(shape.comparisons <= scim::kMaxFilterComparisons, "more comparisons than the limit");
  FUZZ_CHECK(shape.flat, "an and/or chain is not one flat node");

  std::string once = scim::ToString(**filter);
  if (once.size() <= scim::kMaxFilterBytes) {
    scim::Result<scim::FilterPtr> again = scim::ParseFilter(once);
    FUZZ_CHECK(again.has_value(), once + ": " + again.error().detail);
    FUZZ_CHECK(scim::ToString(**again) == once, once + " vs " + scim::ToString(**again));
  }

  static const nlohmann::json user = nlohmann::json::parse(R"({"id":"1","userName":"bjensen","active":true,
      "name":{"givenName":"B"},"emails":[{"value":"b@x","type":"work","primary":true}],
      "meta":{"lastModified":"2024-01-01T00:00:00Z"},
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Sales"}})");
  const scim::ResourceType& type = *scim::DefaultRegistry().FindResourceType("User");
  bool matches = scim::Matches(**filter, user, type);
  if (auto again = scim::ParseFilter(once); again) {
    FUZZ_CHECK(matches == scim::Matches(**again, user, type), once);
  }
  if (auto resolved = scim::ResolveFilter(**filter, type); !resolved) allot_fuzz::CheckErrorRenders(resolved.error());
  return 0;
}
