// server/policy/facts_batch.h — the facts of one batch of users, in the form
// plugins read them through the host_ callbacks: each user's id, active flag
// and groups, the values of the attribute paths the policies resolved (and
// nothing else of the SCIM resource), and the tenant's subscription ids.
//
// The same object is built on the server (from the database) and, after a
// trip over the plugin host protocol (wire.h), inside the plugin host
// process, so that in-process and out-of-process evaluation read identical
// facts. Strings live in one arena; nothing points outside the object.
//
// Build: AddGroup any time; AddUser, then that user's AddUserGroup and
// AddUserValue (paths in non-decreasing order) or AddUserValues; then the
// next user. Read only once built.
// Thread-safety: immutable once built; reads are reentrant. Movable, not
// copyable.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "server/policy/attribute_path.h"

namespace allot::policy {

class FactsBatch {
 public:
  struct Group {
    std::string_view id, display_name, external_id;
  };

  // `subscriptions` in any order (kept sorted and unique); `paths` are the
  // attribute paths whose values the batch carries, as texts (a path that
  // does not parse simply has no values).
  FactsBatch(std::string tenant, std::vector<std::string> subscriptions,
             std::vector<std::string> paths);
  FactsBatch(FactsBatch&&) noexcept = default;
  FactsBatch& operator=(FactsBatch&&) noexcept = default;
  FactsBatch(const FactsBatch&) = delete;
  FactsBatch& operator=(const FactsBatch&) = delete;

  // ---- building
  // Returns the new group's index.
  uint32_t AddGroup(std::string_view id, std::string_view display_name,
                    std::string_view external_id);
  void AddUser(std::string_view id, bool active);
  // Adds group `group` (< group_count()) to the last user.
  void AddUserGroup(uint32_t group);
  // Adds a value of path `path` (< path_count()) to the last user; the paths
  // of one user come in non-decreasing order.
  void AddUserValue(uint32_t path, std::string_view value);
  // Adds the values of every path found in `resource` (a SCIM User) to the
  // last user.
  void AddUserValues(const nlohmann::json& resource);

  // ---- reading
  std::string_view tenant() const { return tenant_; }
  const std::vector<std::string>& subscriptions() const { return subscriptions_; }
  bool HasSubscription(std::string_view id) const { return subscription_set_.contains(id); }
  const std::vector<std::string>& paths() const { return paths_; }
  uint32_t path_count() const { return static_cast<uint32_t>(paths_.size()); }
  uint32_t group_count() const { return static_cast<uint32_t>(groups_.size()); }
  Group group(uint32_t g) const;
  uint32_t size() const { return static_cast<uint32_t>(users_.size()); }
  std::string_view user_id(uint32_t i) const { return View(users_[i].id); }
  bool user_active(uint32_t i) const { return users_[i].active; }
  uint32_t user_group_count(uint32_t i) const;
  // Index (into group()) of group `g` of user `i`.
  uint32_t user_group(uint32_t i, uint32_t g) const { return user_groups_[users_[i].groups_begin + g]; }
  uint32_t value_count(uint32_t i, uint32_t path) const;
  std::string_view value(uint32_t i, uint32_t path, uint32_t k) const;

 private:
  struct Span {
    uint32_t offset = 0, size = 0;
  };
  struct GroupRow {
    Span id, display_name, external_id;
  };
  struct UserRow {
    Span id;
    bool active = false;
    uint32_t groups_begin = 0;
  };
  Span Keep(std::string_view s);
  std::string_view View(Span s) const { return {arena_.data() + s.offset, s.size}; }
  // First value index of `path` of user `i`; path_count() gives the end.
  uint32_t ValueStart(uint32_t i, uint32_t path) const {
    return value_starts_[static_cast<size_t>(i) * (paths_.size() + 1) + path];
  }

  std::string tenant_;
  std::vector<std::string> subscriptions_;
  std::unordered_set<std::string_view> subscription_set_;  // views into subscriptions_
  std::vector<std::string> paths_;
  std::vector<std::optional<AttributePath>> parsed_paths_;  // for AddUserValues
  std::string arena_;
  std::vector<GroupRow> groups_;
  std::vector<UserRow> users_;
  std::vector<uint32_t> user_groups_;
  // Per user, path_count() + 1 boundaries into values_.
  std::vector<uint32_t> value_starts_;
  std::vector<Span> values_;
};

}  // namespace allot::policy
