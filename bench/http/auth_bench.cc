// The cost of checking a bearer token (auth::Authenticate, what every SCIM
// and admin request pays before its handler), taken apart: hashing the
// token, an empty read transaction, the lookup query inside one, the whole
// call, and a hit of the principal cache (auth/principal_cache.h). On a fresh SQLite database in a temporary directory, one
// thread. Results: bench/results/transport.md.
#include <soci/soci.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <benchmark/benchmark.h>

#include "server/auth/principal_cache.h"
#include "server/auth/tenants.h"
#include "server/auth/tokens.h"
#include "server/store/database.h"
#include "server/store/migrations.h"
#include "server/store/statement_cache.h"

namespace {

using namespace allot;

struct Fixture {
  std::filesystem::path dir;
  std::unique_ptr<store::Database> db;
  std::string scim_token;
  Fixture() {
    char tmpl[] = "/tmp/allot-auth-bench-XXXXXX";
    dir = ::mkdtemp(tmpl);
    db = std::move(*store::Database::Open({.url = (dir / "allot.db").string(), .pool_size = 4}));
    if (!store::Migrate(*db)) std::abort();
    auto creds = auth::CreateTenant(*db, "default");
    if (!creds) std::abort();
    scim_token = creds->scim_token;
  }
  ~Fixture() {
    db.reset();
    std::filesystem::remove_all(dir);
  }
};

Fixture& F() {
  static Fixture f;
  return f;
}

void BM_HashToken(benchmark::State& state) {
  const std::string token = F().scim_token;
  for (auto _ : state) benchmark::DoNotOptimize(auth::HashToken(token));
}
BENCHMARK(BM_HashToken);

void BM_EmptyReadTransaction(benchmark::State& state) {
  for (auto _ : state) {
    auto s = F().db->Read([](soci::session&) { return Ok(); });
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_EmptyReadTransaction);

void BM_SelectOneTransaction(benchmark::State& state) {
  for (auto _ : state) {
    auto s = F().db->Read([](soci::session& sql) {
      int one = 0;
      sql << "SELECT 1", soci::into(one);
      return Ok();
    });
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_SelectOneTransaction);

void BM_Authenticate(benchmark::State& state) {
  const std::string header = "Bearer " + F().scim_token;
  for (auto _ : state) {
    auto p = auth::Authenticate(*F().db, header, auth::TokenKind::kScim);
    if (!p) state.SkipWithError("authentication failed");
    benchmark::DoNotOptimize(p);
  }
}
BENCHMARK(BM_Authenticate);

// The same check answered by the principal cache (a hit: no transaction).
void BM_PrincipalCacheHit(benchmark::State& state) {
  const std::string header = "Bearer " + F().scim_token;
  auth::PrincipalCache cache(*F().db);
  for (auto _ : state) {
    auto p = cache.Authenticate(header, auth::TokenKind::kScim);
    if (!p) state.SkipWithError("authentication failed");
    benchmark::DoNotOptimize(p);
  }
}
BENCHMARK(BM_PrincipalCacheHit);

// One indexed read of a small row (the tenant), kept prepared like the
// token lookup: what a transaction costs once it reads a table.
struct TenantRead : store::CachedStatement {
  explicit TenantRead(soci::session& sql)
      : st((sql.prepare << "SELECT status FROM tenants WHERE id = :id", soci::use(id),
            soci::into(status))) {}
  std::string id = "default", status;
  soci::statement st;
};

void ReadTenant(soci::session& sql) {
  std::unique_ptr<store::CachedStatement> scratch;
  auto* q = store::Prepared<TenantRead>(
      sql, "bench.tenant", [](soci::session& s) { return std::make_unique<TenantRead>(s); },
      &scratch);
  q->st.execute(false);
  while (q->st.fetch()) {
  }
}

// Two reads in two transactions (the token check, then the handler's read)…
void BM_TwoReadsTwoTransactions(benchmark::State& state) {
  for (auto _ : state) {
    for (int i = 0; i < 2; ++i) {
      auto s = F().db->Read([](soci::session& sql) {
        ReadTenant(sql);
        return Ok();
      });
      benchmark::DoNotOptimize(s);
    }
  }
}
BENCHMARK(BM_TwoReadsTwoTransactions);

// …and in one.
void BM_TwoReadsOneTransaction(benchmark::State& state) {
  for (auto _ : state) {
    auto s = F().db->Read([](soci::session& sql) {
      ReadTenant(sql);
      ReadTenant(sql);
      return Ok();
    });
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_TwoReadsOneTransaction);

}  // namespace

BENCHMARK_MAIN();
