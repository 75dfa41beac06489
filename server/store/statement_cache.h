// server/store/statement_cache.h — prepared statements (and the counter
// shard, below) kept per pooled connection, so that a hot query is parsed
// once per connection instead of on every request (profiling POST /Users
// put sqlite3_prepare_v2 at ~36% of its CPU, GET by id at ~40%).
//
// Database::Write and Database::Read hand their function the pooled session
// of one connection, and while that function runs the connection's cache is
// reachable from the session on this thread: Prepared(sql, key, make) finds
// the entry or makes and keeps it. A session the store did not lease (or a
// full cache) gets a one-off statement that the caller's `scratch` owns, so
// callers never need to know whether caching happened.
//
// A statement kept here must always be fetched to its end, or dropped with
// Forget(): a SQLite statement left on a row keeps its read snapshot after
// COMMIT, and the connection's next write then fails with SQLITE_BUSY.
// Thread-safety: a cache belongs to one connection, and a connection to one
// thread at a time (the pool's lease), so entries need no lock.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

namespace soci {
class session;
}

namespace allot::store {

// A prepared statement and the buffers it is bound to (soci::use and
// soci::into hold addresses, so the buffers live beside the statement).
struct CachedStatement {
  virtual ~CachedStatement() = default;
};

class StatementCache {
 public:
  // `counter_shard`: which shard of a sharded counter this connection's
  // writes add to (see ConnectionShard).
  explicit StatementCache(int counter_shard = 0) : counter_shard_(counter_shard) {}

  // The entry for `key` (the SQL text, or a name), or nullptr.
  CachedStatement* Find(const std::string& key);
  // Keeps `entry` and returns it; returns nullptr (and drops nothing) when
  // the cache is full, so a burst of distinct texts cannot grow it forever.
  CachedStatement* Put(const std::string& key, std::unique_ptr<CachedStatement>& entry);
  void Forget(const std::string& key);

  static constexpr size_t kMaxEntries = 256;

  int counter_shard() const { return counter_shard_; }

 private:
  int counter_shard_;
  std::unordered_map<std::string, std::unique_ptr<CachedStatement>> entries_;
};

// The cache of the connection behind `sql` when `sql` is the session of the
// Database transaction this thread is running; nullptr otherwise.
StatementCache* CacheOf(soci::session& sql);

// Counters that every write of a tenant would otherwise touch are kept in
// kCounterShards rows each, summed when read (scim_list_counts). A
// connection always adds to the same shard, so one transaction never locks
// two shards of a counter (no lock-order question between them), and
// concurrent writers on different connections rarely meet on one row. 0
// for a session the store did not lease, and on SQLite (one writer).
inline constexpr int kCounterShards = 16;
int ConnectionShard(soci::session& sql);

// Makes CacheOf(session) return `cache` on this thread for the scope's
// lifetime (used by Database around each transaction).
class ScopedStatementCache {
 public:
  ScopedStatementCache(soci::session& session, StatementCache* cache);
  ~ScopedStatementCache();
  ScopedStatementCache(const ScopedStatementCache&) = delete;
  ScopedStatementCache& operator=(const ScopedStatementCache&) = delete;

 private:
  soci::session* saved_session_;
  StatementCache* saved_cache_;
};

// The entry for `key` on the connection behind `sql`, made with `make(sql)`
// when absent. Kept by the connection's cache, or owned by `*scratch` when
// there is no cache or it is full.
template <typename T, typename Make>
T* Prepared(soci::session& sql, const std::string& key, Make make,
            std::unique_ptr<CachedStatement>* scratch) {
  if (StatementCache* cache = CacheOf(sql)) {
    if (CachedStatement* found = cache->Find(key)) return static_cast<T*>(found);
    *scratch = make(sql);
    if (CachedStatement* kept = cache->Put(key, *scratch)) return static_cast<T*>(kept);
    return static_cast<T*>(scratch->get());
  }
  *scratch = make(sql);
  return static_cast<T*>(scratch->get());
}

}  // namespace allot::store
