// server/licensing/decide.h — the decision function of PRODUCT.md: which
// subscriptions a user should hold, from the policies' grants and the
// administrator's overrides. Pure: no database, no clock, no I/O, so it is
// tested table-driven and the engine only feeds it and applies its answer.
//
//   desired(user) = ∅ if inactive or deleted; else
//                   (∪ policy grants − deny overrides) ∪ grant overrides
// Within an exclusive family only one license survives: a grant override beats
// any policy (among several grant overrides the most recently set, then the
// lowest subscription id: while a user waits for a new license type, the
// grant of the one they hold stays as a fallback until the new one is
// active); else the grant of the highest-priority policy, then the lowest
// subscription id.
//
// Thread-safety: pure function.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

namespace allot::licensing {

struct PolicyGrantIn {
  std::string policy;  // policy name; its source is "policy:<name>"
  int64_t priority = 0;
  std::string subscription_id;
};

enum class OverrideKind { kGrant, kDeny };

struct OverrideIn {
  std::string subscription_id;
  OverrideKind kind = OverrideKind::kGrant;
  std::string set_at;  // RFC 3339 UTC; orders grant overrides of one family
};

struct Wanted {
  std::string subscription_id;
  std::vector<std::string> sources;  // sorted, unique: "admin", "policy:<name>"
  bool operator==(const Wanted&) const = default;
};

// subscription id -> exclusive family; subscriptions without a family are absent
// (or map to "").
using FamilyMap = std::unordered_map<std::string, std::string>;

// The subscriptions `user` should hold, sorted by subscription id.
std::vector<Wanted> Decide(bool live, std::span<const PolicyGrantIn> grants,
                           std::span<const OverrideIn> overrides, const FamilyMap& families);


}  // namespace allot::licensing
