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

// The user named by :u* (id, then userName, then externalId), live rows
// only; one row at most. Each branch is a point lookup on its own index.
constexpr const char* kResolveUser =
    "(SELECT id, user_name, external_id, active FROM ("
    " SELECT id, user_name, external_id, active, 0 AS pri FROM scim_users"
    "  WHERE tenant_id = :t1 AND id = :u1 AND deleted_at IS NULL"
    " UNION ALL SELECT id, user_name, external_id, active, 1 FROM scim_users"
    "  WHERE tenant_id = :t2 AND user_name_lower = :u2 AND deleted_at IS NULL"
    " UNION ALL SELECT id, user_name, external_id, active, 2 FROM scim_users"
    "  WHERE tenant_id = :t3 AND external_id = :u3 AND deleted_at IS NULL"
    ") c ORDER BY pri, id LIMIT 1)";

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

// The user and their assignments of one product: one statement.
struct CheckStatement : store::CachedStatement {
  explicit CheckStatement(soci::session& sql)
      : st((sql.prepare << std::string("SELECT u.id, u.active, h.user_id, a.subscription_id, "
                                       "a.state, s.starts_at, s.ends_at FROM ") +
                               kResolveUser +
                               " u LEFT JOIN user_holds h ON h.tenant_id = :t4 AND "
                               "h.user_id = u.id LEFT JOIN assignments a ON a.tenant_id = :t5 "
                               "AND a.user_id = u.id AND a.subscription_id IN (SELECT id FROM "
                               "subscriptions WHERE tenant_id = :t6 AND product_id = :p) "
                               "LEFT JOIN subscriptions s ON s.tenant_id = a.tenant_id AND "
                               "s.id = a.subscription_id",
            soci::use(tenant[0]), soci::use(id), soci::use(tenant[1]), soci::use(user_name_lower),
            soci::use(tenant[2]), soci::use(id), soci::use(tenant[3]), soci::use(tenant[4]),
            soci::use(tenant[5]), soci::use(product), soci::into(user_id), soci::into(active),
            soci::into(hold, hold_ind), soci::into(l.subscription_id, l.sub_ind),
            soci::into(l.state, l.state_ind), soci::into(l.starts_at, l.starts_ind),
            soci::into(l.ends_at, l.ends_ind))) {}
  std::string tenant[6], id, user_name_lower, product;
  std::string user_id, hold;
  int active = 0;
  soci::indicator hold_ind = soci::i_null;
  LicenseRow l;
  soci::statement st;
};

// The user and every assignment: one statement.
struct UserStatement : store::CachedStatement {
  explicit UserStatement(soci::session& sql)
      : st((sql.prepare << std::string("SELECT u.id, u.user_name, u.external_id, u.active, "
                                       "h.user_id, a.subscription_id, s.product_id, a.state, "
                                       "a.activated_at, a.wanted_since, s.starts_at, s.ends_at "
                                       "FROM ") +
                               kResolveUser +
                               " u LEFT JOIN user_holds h ON h.tenant_id = :t4 AND "
                               "h.user_id = u.id LEFT JOIN assignments a ON a.tenant_id = :t5 "
                               "AND a.user_id = u.id LEFT JOIN subscriptions s ON "
                               "s.tenant_id = a.tenant_id AND s.id = a.subscription_id",
            soci::use(tenant[0]), soci::use(id), soci::use(tenant[1]), soci::use(user_name_lower),
            soci::use(tenant[2]), soci::use(id), soci::use(tenant[3]), soci::use(tenant[4]),
            soci::into(user_id), soci::into(user_name), soci::into(external_id, external_ind),
            soci::into(active), soci::into(hold, hold_ind),
            soci::into(l.subscription_id, l.sub_ind), soci::into(l.product_id, l.product_ind),
            soci::into(l.state, l.state_ind), soci::into(l.activated_at, l.activated_ind),
            soci::into(l.wanted_since, l.wanted_ind), soci::into(l.starts_at, l.starts_ind),
            soci::into(l.ends_at, l.ends_ind))) {}
  std::string tenant[5], id, user_name_lower;
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

}  // namespace

Result<CheckResult> Check(store::Database& db, const std::string& tenant, const std::string& user,
                          const std::string& product, const ProductScope& scope,
                          const std::string& now) {
  return db.ReadValue<CheckResult>([&](soci::session& sql) -> Result<CheckResult> {
    std::unique_ptr<store::CachedStatement> scratch;
    auto* q = store::Prepared<CheckStatement>(
        sql, "entitlements.check",
        [](soci::session& s) { return std::make_unique<CheckStatement>(s); }, &scratch);
    std::fill(std::begin(q->tenant), std::end(q->tenant), tenant);
    q->id = user;
    q->user_name_lower = AsciiLower(user);
    q->product = product;
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
      if (!in_scope || q->l.sub_ind != soci::i_ok) continue;
      const bool live = q->active != 0 && q->hold_ind != soci::i_ok;
      const bool entitles = Entitles(q->l, live, now);
      const int rank = Rank(q->l, entitles);
      if (!best || rank < best_rank ||
          (rank == best_rank && q->l.subscription_id < best->subscription_id)) {
        best = q->l;
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
  return db.ReadValue<UserEntitlements>([&](soci::session& sql) -> Result<UserEntitlements> {
    std::unique_ptr<store::CachedStatement> scratch;
    auto* q = store::Prepared<UserStatement>(
        sql, "entitlements.user",
        [](soci::session& s) { return std::make_unique<UserStatement>(s); }, &scratch);
    std::fill(std::begin(q->tenant), std::end(q->tenant), tenant);
    q->id = user;
    q->user_name_lower = AsciiLower(user);
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
