// server/policy/batch_result.h — what one policy made of one batch of users:
// grants index-aligned with the batch, or an error (and then no grants: the
// caller keeps the policy's previous ones).
// Thread-safety: plain values.
#pragma once

#include <string>
#include <vector>

namespace allot::policy {

struct Grant {
  std::string subscription_id;
  std::string reason;
  bool operator==(const Grant&) const = default;
};

// On success, grants index-aligned with the batch; on failure, an error and
// no grants (keep the previous ones).
struct BatchResult {
  bool ok = false;
  std::string error;
  std::vector<std::vector<Grant>> grants_by_user;
};

}  // namespace allot::policy
