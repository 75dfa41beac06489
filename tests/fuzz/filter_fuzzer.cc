// Fuzzes the filter parser. Properties: no crash; an accepted filter's
// canonical text parses again to the same canonical text; evaluation and
// resolution against a User never crash; errors render.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "scim/filter.h"
#include "scim/filter_eval.h"
#include "scim/schema.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  scim::Result<scim::FilterPtr> filter = scim::ParseFilter(text);
  if (!filter) {
    FUZZ_CHECK(filter.error().scim_type == "invalidFilter", filter.error().detail);
    allot_fuzz::CheckErrorRenders(filter.error());
    return 0;
  }
  std::string once = scim::ToString(**filter);
  scim::Result<scim::FilterPtr> again = scim::ParseFilter(once);
  FUZZ_CHECK(again.has_value(), once);
  FUZZ_CHECK(scim::ToString(**again) == once, once + " vs " + scim::ToString(**again));

  static const nlohmann::json user = nlohmann::json::parse(R"({"id":"1","userName":"bjensen","active":true,
      "name":{"givenName":"B"},"emails":[{"value":"b@x","type":"work","primary":true}],
      "meta":{"lastModified":"2024-01-01T00:00:00Z"},
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Sales"}})");
  const scim::ResourceType& type = *scim::DefaultRegistry().FindResourceType("User");
  bool matches = scim::Matches(**filter, user, type);
  FUZZ_CHECK(matches == scim::Matches(**again, user, type), once);
  if (auto resolved = scim::ResolveFilter(**filter, type); !resolved) allot_fuzz::CheckErrorRenders(resolved.error());
  return 0;
}
