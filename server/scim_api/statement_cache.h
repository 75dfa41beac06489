// server/scim_api/statement_cache.h — prepared statements of the hot paths,
// kept per pooled database connection, so GET by id does not re-parse its
// SQL on every request (profiling showed sqlite3_prepare_v2 at ~40% of a
// GET's CPU).
//
// SOCI prepares `sql.prepare << …` on the pooled session behind a leased
// soci::session, so a statement stays valid across leases of that
// connection. Entries are keyed by the connection's backend and a slot; only
// the thread that holds the lease of a connection uses its entries, so an
// entry needs no lock of its own. The cache must be destroyed before the
// Database (AddRoutes ties it to the routes, which the server drops first).
// Thread-safety: Find/Put are thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

namespace soci {
class session;
}

namespace allot::scim_api {

// A prepared statement and the buffers it is bound to. A query kept here
// must always be fetched to its end (never execute(true) on a SELECT): a
// SQLite statement left on a row keeps its read snapshot after COMMIT, and
// the connection's next write then fails with SQLITE_BUSY.
struct CachedStatement {
  virtual ~CachedStatement() = default;
};

class StatementCache {
 public:
  // The entry for `key` (the SQL text, or a name) on the connection behind
  // `sql`, or nullptr.
  CachedStatement* Find(soci::session& sql, const std::string& key);
  // Stores `entry` and returns it. Past kMaxEntries per cache new entries
  // are not kept (the caller then owns a one-off statement instead).
  CachedStatement* Put(soci::session& sql, const std::string& key,
                       std::unique_ptr<CachedStatement> entry);

  // Returns the entry for `key`, making it with `make(sql)` when absent; the
  // entry is owned by the cache, or by `*scratch` when the cache is null or
  // full.
  template <typename T, typename Make>
  static T* Obtain(StatementCache* cache, soci::session& sql, const std::string& key, Make make,
                   std::unique_ptr<CachedStatement>* scratch) {
    if (cache) {
      if (CachedStatement* found = cache->Find(sql, key)) return static_cast<T*>(found);
      if (CachedStatement* put = cache->Put(sql, key, make(sql))) return static_cast<T*>(put);
    }
    *scratch = make(sql);
    return static_cast<T*>(scratch->get());
  }

  static constexpr size_t kMaxEntries = 4096;

 private:
  std::mutex mu_;
  std::map<std::pair<const void*, std::string>, std::unique_ptr<CachedStatement>> entries_;
};

}  // namespace allot::scim_api
