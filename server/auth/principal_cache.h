// server/auth/principal_cache.h — remembers whom a bearer token stands for,
// so that the requests of a busy client skip the token lookup (a read
// transaction of its own, about a quarter of the CPU of GET /Users/{id}).
//
// When an entry is used: only while
//  1. no write transaction of this process has ended since the lookup that
//     made it began (store::Database::write_generation). Whatever this
//     instance changes — a token revoked, an admin deleted, a role or scope
//     changed, a tenant suspended or its catalog locked — therefore applies
//     to the very next request, exactly as without the cache; and
//  2. it is younger than `ttl`. That bounds how long a change made by
//     another process on the same database (another allot instance on
//     PostgreSQL, a second server on one SQLite file) goes unseen here.
// Only successful lookups are kept: an unknown, revoked or mistyped token,
// or one of a suspended tenant, is looked up every time. Entries are keyed
// by the SHA-256 of the whole Authorization header; no token is kept.
//
// Thread-safety: thread-safe. The Database must outlive the cache.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "server/auth/principal.h"
#include "server/base/error.h"

namespace allot::store {
class Database;
}

namespace allot::auth {

class PrincipalCache {
 public:
  struct Options {
    // The bound on another process's changes (see above); 0 keeps nothing.
    std::chrono::milliseconds ttl{1000};
    // Entries kept at most; past it, a part of the cache is emptied.
    size_t max_entries = 10000;
  };

  explicit PrincipalCache(store::Database& db);
  PrincipalCache(store::Database& db, Options options);
  PrincipalCache(const PrincipalCache&) = delete;
  PrincipalCache& operator=(const PrincipalCache&) = delete;

  // auth::Authenticate (tokens.h), or AuthenticateApp (app_tokens.h) for
  // kApp, from the cache when an entry is valid: the same principal, or
  // the same error, that the lookup gives.
  Result<Principal> Authenticate(std::string_view authorization_header, TokenKind required_kind);

 private:
  using Clock = std::chrono::steady_clock;
  struct Entry {
    std::shared_ptr<const Principal> principal;
    uint64_t generation = 0;  // write_generation before the lookup began
    Clock::time_point looked_up_at;
  };
  struct Shard {
    std::mutex mutex;
    std::unordered_map<std::string, Entry> entries;
  };
  static constexpr size_t kShards = 16;  // so that workers rarely wait on one lock

  store::Database& db_;
  const Options options_;
  std::array<Shard, kShards> shards_;
};

}  // namespace allot::auth
