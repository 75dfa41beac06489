#include "server/store/statement_cache.h"

namespace allot::store {
namespace {

// The session of the transaction this thread runs, and its connection's
// cache (see ScopedStatementCache).
thread_local soci::session* current_session = nullptr;
thread_local StatementCache* current_cache = nullptr;

}  // namespace

CachedStatement* StatementCache::Find(const std::string& key) {
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : it->second.get();
}

CachedStatement* StatementCache::Put(const std::string& key,
                                     std::unique_ptr<CachedStatement>& entry) {
  if (entries_.size() >= kMaxEntries) return nullptr;
  auto& place = entries_[key];
  place = std::move(entry);
  return place.get();
}

void StatementCache::Forget(const std::string& key) { entries_.erase(key); }

StatementCache* CacheOf(soci::session& sql) {
  return current_session == &sql ? current_cache : nullptr;
}

int ConnectionShard(soci::session& sql) {
  StatementCache* cache = CacheOf(sql);
  return cache == nullptr ? 0 : cache->counter_shard();
}

ScopedStatementCache::ScopedStatementCache(soci::session& session, StatementCache* cache)
    : saved_session_(current_session), saved_cache_(current_cache) {
  current_session = &session;
  current_cache = cache;
}

ScopedStatementCache::~ScopedStatementCache() {
  current_session = saved_session_;
  current_cache = saved_cache_;
}

}  // namespace allot::store
