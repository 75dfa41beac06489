#include "server/entitlements/entitlements.h"

#include <soci/soci.h>

#include <algorithm>
#include <memory>

#include "server/base/ascii.h"
#include "server/licensing/terms.h"
#include "server/store/database.h"
#include "server/store/statement_cache.h"

namespace allot::entitlements {
namespace {

// The id of the user named by :u* — its id, else its userName, else its
// externalId (the smallest id when several share it) — among live users.
// COALESCE stops at the first that is not NULL, so a lookup by id costs
// one index probe; each probe is a point lookup on its own index.
constexpr const char* kResolveUserId =
    "COALESCE("
    "(SELECT id FROM scim_users WHERE tenant_id = :t1 AND id = :u1 AND deleted_at IS NULL), "
    "(SELECT id FROM scim_users WHERE tenant_id = :t2 AND user_name_lower = :u2 AND "
    "deleted_at IS NULL), "
    "(SELECT MIN(id) FROM scim_users WHERE tenant_id = :t3 AND external_id = :u3 AND "
    "deleted_at IS NULL))";

bool InScope(const ProductScope& scope, const std::string& product) {
  return scope.empty() || std::find(scope.begin(), scope.end(), product) != scope.end();
}

std::optional<std::string> Opt(const std::string& value, soci::indicator ind) {
  if (ind != soci::i_ok) return std::nullopt;
  return value;
}

// A license row as both statements read it.
struct LicenseRow {
  std::string subscription_id, product_id, state, activated_at, wanted_since, starts_at, ends_at;
  soci::indicator sub_ind = soci::i_null, product_ind = soci::i_null, state_ind = soci::i_null,
                  activated_ind = soci::i_null, wanted_ind = soci::i_null,
                  starts_ind = soci::i_null, ends_ind = soci::i_null;
};

// Active, in its term, for a live user not on hold.
bool Entitles(const LicenseRow& l, bool user_live, const std::string& now) {
  return user_live && l.state == "active" &&
         licensing::TermStatus(Opt(l.starts_at, l.starts_ind), Opt(l.ends_at, l.ends_ind), now) ==
             "active";
}

// The user, whether on hold, and every assignment with its subscription:
// one statement, for both endpoints. The assignments are read by the
// primary key's prefix (tenant, user): a user holds a handful, whatever the
// size of the subscriptions (a condition on the product here made SQLite
// walk the subscription's assignments instead).
constexpr const char* kUserLicenses =
    "SELECT u.id, u.user_name, u.external_id, u.active, h.user_id, a.subscription_id, "
    "s.product_id, a.state, a.activated_at, a.wanted_since, s.starts_at, s.ends_at "
    "FROM scim_users u LEFT JOIN user_holds h ON h.tenant_id = u.tenant_id AND h.user_id = u.id "
    "LEFT JOIN assignments a ON a.tenant_id = u.tenant_id AND a.user_id = u.id "
    "LEFT JOIN subscriptions s ON s.tenant_id = a.tenant_id AND s.id = a.subscription_id "
    "WHERE u.tenant_id = :t0 AND u.id = ";

struct UserStatement : store::CachedStatement {
  explicit UserStatement(soci::session& sql)
      : st((sql.prepare << UserLicensesSql(),
            soci::use(tenant[0]), soci::use(tenant[1]), soci::use(id), soci::use(tenant[2]),
            soci::use(user_name_lower), soci::use(tenant[3]), soci::use(id),
            soci::into(user_id), soci::into(user_name), soci::into(external_id, external_ind),
            soci::into(active), soci::into(hold, hold_ind),
            soci::into(l.subscription_id, l.sub_ind), soci::into(l.product_id, l.product_ind),
            soci::into(l.state, l.state_ind), soci::into(l.activated_at, l.activated_ind),
            soci::into(l.wanted_since, l.wanted_ind), soci::into(l.starts_at, l.starts_ind),
            soci::into(l.ends_at, l.ends_ind))) {}
  std::string tenant[4], id, user_name_lower;
  std::string user_id, user_name, external_id, hold;
  int active = 0;
  soci::indicator external_ind = soci::i_null, hold_ind = soci::i_null;
  LicenseRow l;
  soci::statement st;
};

// Which license a check shows: the one that entitles, else an active one,
// else a pending one; then the smallest subscription id.
int Rank(const LicenseRow& l, bool entitles) {
  if (entitles) return 0;
  return l.state == "active" ? 1 : 2;
}

// The user's statement (kept per connection), bound to `user` in `tenant`
// (an id, a userName or an externalId).
UserStatement* BindUser(soci::session& sql, std::unique_ptr<store::CachedStatement>& scratch,
                        const std::string& tenant, const std::string& user) {
  auto* q = store::Prepared<UserStatement>(
      sql, "entitlements.user",
      [](soci::session& s) { return std::make_unique<UserStatement>(s); }, &scratch);
  std::fill(std::begin(q->tenant), std::end(q->tenant), tenant);
  q->id = user;
  q->user_name_lower = AsciiLower(user);
  return q;
}

}  // namespace

std::string UserLicensesSql() { return std::string(kUserLicenses) + kResolveUserId; }

Result<CheckResult> Check(store::Database& db, const std::string& tenant, const std::string& user,
                          const std::string& product, const ProductScope& scope,
                          const std::string& now) {
  return db.ReadOneStatementValue<CheckResult>([&](soci::session& sql) -> Result<CheckResult> {
    std::unique_ptr<store::CachedStatement> scratch;
    UserStatement* q = BindUser(sql, scratch, tenant, user);
    CheckResult out;
    out.product_id = product;
    const bool in_scope = InScope(scope, product);
    std::optional<LicenseRow> best;
    int best_rank = 3;
    bool best_entitles = false;
    q->st.execute(false);
    // Fetched to the end: a kept statement must not stay on a row.
    while (q->st.fetch()) {
      out.user_id = q->user_id;
      const LicenseRow& l = q->l;
      if (!in_scope || l.sub_ind != soci::i_ok || l.product_ind != soci::i_ok ||
          l.product_id != product) {
        continue;
      }
      const bool live = q->active != 0 && q->hold_ind != soci::i_ok;
      const bool entitles = Entitles(l, live, now);
      const int rank = Rank(l, entitles);
      if (!best || rank < best_rank ||
          (rank == best_rank && l.subscription_id < best->subscription_id)) {
        best = l;
        best_rank = rank;
        best_entitles = entitles;
      }
    }
    if (best) {
      out.entitled = best_entitles;
      out.subscription_id = best->subscription_id;
      out.state = best->state;
      out.ends_at = Opt(best->ends_at, best->ends_ind);
    }
    return out;
  });
}

Result<UserEntitlements> UserLicenses(store::Database& db, const std::string& tenant,
                                      const std::string& user, const ProductScope& scope,
                                      const std::string& now) {
  return db.ReadOneStatementValue<UserEntitlements>([&](soci::session& sql) -> Result<UserEntitlements> {
    std::unique_ptr<store::CachedStatement> scratch;
    UserStatement* q = BindUser(sql, scratch, tenant, user);
    std::optional<UserEntitlements> out;
    q->st.execute(false);
    while (q->st.fetch()) {
      if (!out) {
        out.emplace();
        out->user_id = q->user_id;
        out->user_name = q->user_name;
        out->external_id = Opt(q->external_id, q->external_ind);
        out->active = q->active != 0;
      }
      const LicenseRow& l = q->l;
      if (l.sub_ind != soci::i_ok || l.product_ind != soci::i_ok ||
          !InScope(scope, l.product_id)) {
        continue;
      }
      const bool live = q->active != 0 && q->hold_ind != soci::i_ok;
      out->licenses.push_back(
          {.product_id = l.product_id,
           .subscription_id = l.subscription_id,
           .state = l.state,
           .since = l.state == "active" && l.activated_ind == soci::i_ok ? l.activated_at
                                                                          : l.wanted_since,
           .ends_at = Opt(l.ends_at, l.ends_ind),
           .entitled = Entitles(l, live, now)});
    }
    if (!out) return Fail(ErrorCode::kNotFound, "no user '" + user + "'");
    std::sort(out->licenses.begin(), out->licenses.end(),
              [](const UserLicense& a, const UserLicense& b) {
                return std::tie(a.product_id, a.subscription_id) <
                       std::tie(b.product_id, b.subscription_id);
              });
    return *std::move(out);
  });
}

}  // namespace allot::entitlements
