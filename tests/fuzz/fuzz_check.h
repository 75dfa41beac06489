// tests/fuzz/fuzz_check.h — property checks for the fuzz harnesses: a
// failed property prints what broke and aborts, which libFuzzer (and the
// ctest corpus replay) reports as a finding.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "scim/error.h"
#include "scim/messages.h"

#include "tests/fuzz/fuzz_assert.h"

namespace allot_fuzz {

// Every error must render as a body that serialises (no exception).
inline void CheckErrorRenders(const scim::Error& e) {
  nlohmann::json body = scim::ErrorBody(e);
  std::string text = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
  FUZZ_CHECK(!e.scim_type.empty() || e.status != 400, "a 400 error without scimType: " + e.detail);
  FUZZ_CHECK(!text.empty(), "empty error body");
}

}  // namespace allot_fuzz
