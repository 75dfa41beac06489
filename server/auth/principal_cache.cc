#include "server/auth/principal_cache.h"

#include <algorithm>

#include "server/auth/app_tokens.h"
#include "server/auth/tokens.h"
#include "server/store/database.h"

namespace allot::auth {
namespace {

// Longer headers are refused by Authenticate (a token is at most 512
// characters) and not worth hashing for the cache.
constexpr size_t kMaxCachedHeader = 600;

// The lookup the cache stands in front of: app tokens have a table and a
// surface of their own (app_tokens.h).
Result<Principal> Lookup(store::Database& db, std::string_view header, TokenKind kind) {
  if (kind == TokenKind::kApp) return AuthenticateApp(db, header);
  return auth::Authenticate(db, header, kind);
}

}  // namespace

PrincipalCache::PrincipalCache(store::Database& db) : PrincipalCache(db, Options{}) {}

PrincipalCache::PrincipalCache(store::Database& db, Options options)
    : db_(db), options_(options) {}

Result<Principal> PrincipalCache::Authenticate(std::string_view header, TokenKind required_kind) {
  if (options_.ttl.count() <= 0 || header.empty() || header.size() > kMaxCachedHeader) {
    return Lookup(db_, header, required_kind);
  }
  // Read before the lookup's transaction begins: a write that ends after
  // this point moves the generation past it, so the entry made from a
  // snapshot that may predate the write is never used once the write has
  // returned.
  const uint64_t generation = db_.write_generation();
  const Clock::time_point now = Clock::now();
  const std::string key = HashToken(header);
  // The digest is uniformly spread: its first hex digit picks the shard.
  const char first = key[0];
  Shard& shard = shards_[(first <= '9' ? first - '0' : first - 'a' + 10) % kShards];
  std::shared_ptr<const Principal> found;
  {
    std::lock_guard lock(shard.mutex);
    auto it = shard.entries.find(key);
    if (it != shard.entries.end() && it->second.generation == generation &&
        now - it->second.looked_up_at < options_.ttl) {
      found = it->second.principal;
    }
  }
  // A token of another kind gets Authenticate's own answer.
  if (found && found->kind == required_kind) return *found;

  auto principal = Lookup(db_, header, required_kind);
  if (principal) {
    auto kept = std::make_shared<const Principal>(*principal);
    std::lock_guard lock(shard.mutex);
    const size_t shard_limit = std::max<size_t>(1, options_.max_entries / kShards);
    if (shard.entries.size() >= shard_limit && !shard.entries.contains(key)) {
      shard.entries.clear();
    }
    shard.entries.insert_or_assign(key, Entry{std::move(kept), generation, now});
  }
  return principal;
}

}  // namespace allot::auth
