#include "server/scim_api/statement_cache.h"

#include <soci/soci.h>

namespace allot::scim_api {

CachedStatement* StatementCache::Find(soci::session& sql, const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find({sql.get_backend(), key});
  return it == entries_.end() ? nullptr : it->second.get();
}

CachedStatement* StatementCache::Put(soci::session& sql, const std::string& key,
                                     std::unique_ptr<CachedStatement> entry) {
  std::lock_guard<std::mutex> lock(mu_);
  if (entries_.size() >= kMaxEntries) return nullptr;
  auto& place = entries_[{sql.get_backend(), key}];
  place = std::move(entry);
  return place.get();
}

}  // namespace allot::scim_api
