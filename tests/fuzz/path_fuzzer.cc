// Fuzzes the PATCH path parser. Properties: no crash; an accepted path's
// canonical text parses again to the same text; errors are invalidPath.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "scim/path.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  scim::Result<scim::Path> path = scim::ParsePath(text);
  if (!path) {
    FUZZ_CHECK(path.error().scim_type == "invalidPath", path.error().detail);
    allot_fuzz::CheckErrorRenders(path.error());
    return 0;
  }
  std::string once = path->ToString();
  scim::Result<scim::Path> again = scim::ParsePath(once);
  FUZZ_CHECK(again.has_value(), once);
  FUZZ_CHECK(again->ToString() == once, once + " vs " + again->ToString());
  return 0;
}
