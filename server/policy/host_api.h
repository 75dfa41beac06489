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
#include <vector>

#include "allot_plugin.h"
#include "server/policy/facts_batch.h"
#include "server/policy/batch_result.h"

namespace allot::policy {

// An attribute path resolved by host_attr_path_resolve: its text (which the
// server reads the values of), and its position among the paths of its
// instance (which maps it to a column of the batch, see allot_batch).
struct ResolvedPath {
  std::string text;
  uint32_t index = 0;
};

}  // namespace allot::policy

// The opaque handles live in the global namespace, as the C header declares
// them. `allot_config` is never defined: it is a `const nlohmann::json*` cast;
// `allot_attr_path` is a `const ResolvedPath*` cast.
struct allot_error {
  bool set = false;
  std::string message;
};

struct allot_create_ctx {
  // Where resolved paths live: owned by the instance, freed after on_destroy.
  std::vector<std::unique_ptr<allot::policy::ResolvedPath>>* paths;
};

// One evaluation of one instance.
struct allot_batch {
  const allot::policy::FactsBatch* facts;
  // For each path the instance resolved (ResolvedPath::index), its column in
  // `facts`, or -1 when the batch carries no values for it.
  std::span<const int32_t> columns;
};

struct allot_grant_sink {
  const allot_batch* batch;
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

// Names the tenant in every plugin log line of this process (the plugin host
// process serves one tenant). Call before any plugin is loaded.
void SetLogTenant(std::string tenant);

// Limits the host enforces on a grant.
inline constexpr size_t kMaxSubscriptionIdLen = 64;
inline constexpr size_t kMaxReasonLen = 1024;

// Why user `i` may not be granted subscription `sub` for `reason` in
// `facts` (index, id, length, UTF-8, the tenant's subscriptions), or "" when
// the grant is valid. The plugin host checks each grant as it is emitted,
// and the server checks again what a host sends back.
std::string CheckGrant(const FactsBatch& facts, uint32_t i, std::string_view sub,
                       std::string_view reason);

}  // namespace allot::policy
