// server/policy/host_api.h — the host side of the plugin ABI: the definitions
// of the opaque handles of plugins/allot_plugin.h and the table of host_
// callbacks handed to every plugin.
// Thread-safety: the table is immutable. Each handle belongs to one call
// (init, create or evaluate) and is used by one thread at a time, except
// allot_batch, which is read-only.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "allot_plugin.h"
#include "server/policy/attribute_path.h"
#include "server/policy/policy.h"

// The opaque handles live in the global namespace, as the C header declares
// them. `allot_config` is never defined: it is a `const nlohmann::json*` cast.
struct allot_error {
  bool set = false;
  std::string message;
};

struct allot_create_ctx {
  // Where resolved paths live: owned by the policy, freed after on_destroy.
  std::vector<std::unique_ptr<allot::policy::AttributePath>>* paths;
};

struct allot_batch {
  std::string_view tenant;
  std::span<const allot::policy::UserFacts> users;
  std::span<const std::string_view> subscriptions;  // sorted
};

struct allot_grant_sink {
  const allot_batch* batch;
  const std::unordered_set<std::string_view>* subscriptions;
  std::vector<std::vector<allot::policy::Grant>>* grants_by_user;
  std::string error;  // the first invalid grant; empty while all are valid
};

namespace allot::policy {

// The host table: struct_size = sizeof(allot_host_api), current ABI version.
const allot_host_api& HostApi();

inline const allot_config* ToConfig(const nlohmann::json& j) {
  return reinterpret_cast<const allot_config*>(&j);
}

// Sets, for the calling thread, the policy that host_log attributes
// messages to; restores the previous one on destruction.
class LogScope {
 public:
  explicit LogScope(const std::string* policy_name);
  ~LogScope();
  LogScope(const LogScope&) = delete;
  LogScope& operator=(const LogScope&) = delete;

 private:
  const std::string* previous_;
};

// Limits the host enforces on a grant.
inline constexpr size_t kMaxSubscriptionIdLen = 64;
inline constexpr size_t kMaxReasonLen = 1024;

}  // namespace allot::policy
