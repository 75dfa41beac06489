#include "server/licensing/decide.h"

#include <algorithm>
#include <map>
#include <set>

namespace allot::licensing {
namespace {

struct Candidate {
  int64_t best_priority = INT64_MIN;
  std::set<std::string> sources;
  bool admin = false;
  std::string admin_set_at;  // when the grant override was set
};

const std::string& FamilyOf(const FamilyMap& families, const std::string& sub) {
  static const std::string kNone;
  auto it = families.find(sub);
  return it == families.end() ? kNone : it->second;
}

}  // namespace

std::vector<Wanted> Decide(bool live, std::span<const PolicyGrantIn> grants,
                           std::span<const OverrideIn> overrides, const FamilyMap& families) {
  if (!live) return {};
  std::set<std::string> denied, granted;
  for (const OverrideIn& o : overrides) {
    (o.kind == OverrideKind::kDeny ? denied : granted).insert(o.subscription_id);
  }
  // A grant override and a deny on the same subscription cannot both be
  // stored (one row per user x subscription); if they were, grant wins.
  std::map<std::string, Candidate> candidates;  // ordered: lowest id first
  for (const PolicyGrantIn& g : grants) {
    if (denied.contains(g.subscription_id) && !granted.contains(g.subscription_id)) continue;
    Candidate& c = candidates[g.subscription_id];
    c.best_priority = std::max(c.best_priority, g.priority);
    c.sources.insert("policy:" + g.policy);
  }
  for (const OverrideIn& o : overrides) {
    if (o.kind != OverrideKind::kGrant) continue;
    Candidate& c = candidates[o.subscription_id];
    c.admin = true;
    c.admin_set_at = std::max(c.admin_set_at, o.set_at);
    c.sources.insert("admin");
  }
  // Per family, the winner: an admin grant first (the newest, then the lowest
  // id), else the highest priority (then lowest id). std::map iteration gives
  // lowest id first, so a later candidate replaces the winner only when
  // strictly better.
  std::map<std::string, std::string> winner_of_family;
  for (const auto& [sub, c] : candidates) {
    const std::string& family = FamilyOf(families, sub);
    if (family.empty()) continue;
    auto [it, inserted] = winner_of_family.emplace(family, sub);
    if (inserted) continue;
    const Candidate& w = candidates[it->second];
    const bool better = (c.admin && !w.admin) ||
                        (c.admin && w.admin && c.admin_set_at > w.admin_set_at) ||
                        (!c.admin && !w.admin && c.best_priority > w.best_priority);
    if (better) it->second = sub;
  }
  std::vector<Wanted> out;
  for (const auto& [sub, c] : candidates) {
    const std::string& family = FamilyOf(families, sub);
    if (!family.empty() && winner_of_family[family] != sub) continue;
    out.push_back({sub, std::vector<std::string>(c.sources.begin(), c.sources.end())});
  }
  return out;
}

}  // namespace allot::licensing
