// server/policy/facts_batch.cc — see facts_batch.h.
#include "server/policy/facts_batch.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace allot::policy {

FactsBatch::FactsBatch(std::string tenant, std::vector<std::string> subscriptions,
                       std::vector<std::string> paths)
    : tenant_(std::move(tenant)), subscriptions_(std::move(subscriptions)), paths_(std::move(paths)) {
  std::sort(subscriptions_.begin(), subscriptions_.end());
  subscriptions_.erase(std::unique(subscriptions_.begin(), subscriptions_.end()),
                       subscriptions_.end());
  subscription_set_.reserve(subscriptions_.size());
  for (const std::string& s : subscriptions_) subscription_set_.insert(s);
  for (const std::string& p : paths_) {
    auto parsed = AttributePath::Parse(p);
    parsed_paths_.push_back(parsed ? std::optional<AttributePath>(std::move(*parsed)) : std::nullopt);
  }
}

FactsBatch::Span FactsBatch::Keep(std::string_view s) {
  if (arena_.size() + s.size() > std::numeric_limits<uint32_t>::max()) {
    throw std::length_error("facts batch larger than 4 GiB");
  }
  Span span{static_cast<uint32_t>(arena_.size()), static_cast<uint32_t>(s.size())};
  arena_.append(s);
  return span;
}

uint32_t FactsBatch::AddGroup(std::string_view id, std::string_view display_name,
                              std::string_view external_id) {
  groups_.push_back({Keep(id), Keep(display_name), Keep(external_id)});
  return static_cast<uint32_t>(groups_.size() - 1);
}

void FactsBatch::AddUser(std::string_view id, bool active) {
  users_.push_back({Keep(id), active, static_cast<uint32_t>(user_groups_.size())});
  value_starts_.insert(value_starts_.end(), paths_.size() + 1,
                       static_cast<uint32_t>(values_.size()));
}

void FactsBatch::AddUserGroup(uint32_t group) { user_groups_.push_back(group); }

void FactsBatch::AddUserValue(uint32_t path, std::string_view value) {
  values_.push_back(Keep(value));
  // The later paths of this user now start after this value.
  const size_t base = (users_.size() - 1) * (paths_.size() + 1);
  for (size_t p = path + 1; p <= paths_.size(); ++p) {
    value_starts_[base + p] = static_cast<uint32_t>(values_.size());
  }
}

void FactsBatch::AddUserValues(const nlohmann::json& resource) {
  for (uint32_t p = 0; p < parsed_paths_.size(); ++p) {
    if (!parsed_paths_[p]) continue;
    parsed_paths_[p]->Visit(resource, [&](std::string_view v) {
      AddUserValue(p, v);
      return true;
    });
  }
}

FactsBatch::Group FactsBatch::group(uint32_t g) const {
  const GroupRow& r = groups_[g];
  return {View(r.id), View(r.display_name), View(r.external_id)};
}

uint32_t FactsBatch::user_group_count(uint32_t i) const {
  const uint32_t end =
      i + 1 < users_.size() ? users_[i + 1].groups_begin : static_cast<uint32_t>(user_groups_.size());
  return end - users_[i].groups_begin;
}

uint32_t FactsBatch::value_count(uint32_t i, uint32_t path) const {
  return ValueStart(i, path + 1) - ValueStart(i, path);
}

std::string_view FactsBatch::value(uint32_t i, uint32_t path, uint32_t k) const {
  return View(values_[ValueStart(i, path) + k]);
}

}  // namespace allot::policy
