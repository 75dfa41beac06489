#include "server/licensing/catalog.h"

#include <soci/soci.h>

#include <nlohmann/json.hpp>
#include <set>

#include "server/base/clock.h"
#include "server/base/random.h"
#include "server/licensing/audit.h"
#include "server/licensing/locks.h"
#include "server/licensing/queue.h"
#include "server/licensing/seats.h"
#include "server/licensing/sql.h"
#include "server/store/row_locks.h"
#include "server/licensing/terms.h"

namespace allot::licensing {
namespace {

bool IsSlug(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(id[0])) return false;
  for (char c : id) {
    if (!alnum(c) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

nlohmann::json ToJson(const Product& p) {
  nlohmann::json j = {{"id", p.id}, {"name", p.name}};
  j["family"] = p.family ? nlohmann::json(*p.family) : nlohmann::json(nullptr);
  return j;
}

nlohmann::json OptionalJson(const std::optional<std::string>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

nlohmann::json ToJson(const Subscription& s) {
  nlohmann::json j = {{"id", s.id}, {"product_id", s.product_id}, {"seats", s.seats},
                      {"assigned", s.assigned}, {"fill", s.fill}};
  if (s.starts_at || s.ends_at) {
    j["starts_at"] = OptionalJson(s.starts_at);
    j["ends_at"] = OptionalJson(s.ends_at);
  }
  return j;
}

// A subscription row: id, product_id, seats, assigned, created_at, pending,
// fill, starts_at, ends_at (kSubscriptionColumns).
Subscription SubscriptionOf(const soci::row& r, const std::string& now) {
  Subscription s{sql::Str(r, 0), sql::Str(r, 1), sql::Int(r, 2), sql::Int(r, 3),
                 sql::Int(r, 5), sql::Str(r, 4), sql::Str(r, 6)};
  if (!sql::IsNull(r, 7)) s.starts_at = sql::Str(r, 7);
  if (!sql::IsNull(r, 8)) s.ends_at = sql::Str(r, 8);
  s.status = TermStatus(s.starts_at, s.ends_at, now);
  return s;
}

constexpr const char* kSubscriptionColumns =
    "SELECT id, product_id, seats, assigned, created_at, (SELECT COUNT(*) FROM assignments a "
    "WHERE a.tenant_id = s.tenant_id AND a.subscription_id = s.id AND a.state = 'pending'), "
    "fill, starts_at, ends_at FROM subscriptions s ";

Status ValidateTerm(const std::optional<std::string>& starts_at,
                    const std::optional<std::string>& ends_at) {
  if (starts_at && ends_at && *ends_at <= *starts_at) {
    return Fail(ErrorCode::kInvalidRequest, "ends_at must be later than starts_at");
  }
  return Ok();
}

// `lock`: the caller changes the row next (PostgreSQL keeps it locked
// until commit, so two concurrent updates cannot both start from one read).
Result<Product> ReadProduct(soci::session& sql, const std::string& tenant, const std::string& id,
                            bool lock = false) {
  std::optional<Product> out;
  auto s = sql::Run(sql,
                    std::string("SELECT id, name, family, created_at FROM products WHERE "
                                "tenant_id = :p0 AND id = :p1") +
                        (lock ? store::ForUpdate(sql) : ""),
                    {tenant, id}, [&](const soci::row& r) {
                      Product p{sql::Str(r, 0), sql::Str(r, 1), std::nullopt, sql::Str(r, 3)};
                      if (!sql::IsNull(r, 2)) p.family = sql::Str(r, 2);
                      out = std::move(p);
                    });
  if (!s) return std::unexpected(s.error());
  if (!out) return Fail(ErrorCode::kNotFound, "no product " + id);
  return *out;
}

std::string OnlyClause(const ListOptions& o, size_t first) {
  if (o.only == nullptr) return "";
  if (o.only->empty()) return " AND 1 = 0";
  return " AND id IN (" + sql::Placeholders(o.only->size(), first) + ")";
}

}  // namespace

Result<Subscription> ReadSubscription(soci::session& sql, const std::string& tenant,
                                      const std::string& id) {
  std::optional<Subscription> out;
  const std::string now = NowRfc3339();
  auto s = sql::Run(sql, std::string(kSubscriptionColumns) + "WHERE tenant_id = :p0 AND id = :p1",
                    {tenant, id}, [&](const soci::row& r) { out = SubscriptionOf(r, now); });
  if (!s) return std::unexpected(s.error());
  if (!out) return Fail(ErrorCode::kNotFound, "no subscription " + id);
  return *out;
}

Result<Product> CreateProduct(store::Database& db, const std::string& tenant, Product product,
                              const Actor& actor) {
  if (product.id.empty()) product.id = "prd-" + RandomUuid();
  if (!IsSlug(product.id)) {
    return Fail(ErrorCode::kInvalidRequest,
                "id must match [a-z0-9][a-z0-9._-]{0,63}: " + product.id);
  }
  if (product.name.empty()) return Fail(ErrorCode::kInvalidRequest, "name must not be empty");
  if (product.family && product.family->empty()) product.family.reset();
  product.created_at = NowRfc3339();
  return db.WriteValue<Product>([&](soci::session& sql) -> Result<Product> {
    if (ReadProduct(sql, tenant, product.id)) {
      return Fail(ErrorCode::kConflict, "a product with id " + product.id + " exists");
    }
    soci::indicator fam = product.family ? soci::i_ok : soci::i_null;
    std::string family = product.family.value_or("");
    sql << "INSERT INTO products (tenant_id, id, name, family, created_at) VALUES (:t, :i, :n, "
           ":f, :c)",
        soci::use(tenant), soci::use(product.id), soci::use(product.name), soci::use(family, fam),
        soci::use(product.created_at);
    if (auto a = WriteAudit(sql, tenant, actor,
                            {.action = "product.created",
                             .target_kind = "product",
                             .target_id = product.id,
                             .after_json = AuditJson(ToJson(product))});
        !a) {
      return std::unexpected(a.error());
    }
    return product;
  });
}

Result<Product> GetProduct(store::Database& db, const std::string& tenant, const std::string& id) {
  return db.ReadValue<Product>(
      [&](soci::session& sql) -> Result<Product> { return ReadProduct(sql, tenant, id); });
}

Result<ListPage<Product>> ListProducts(store::Database& db, const std::string& tenant,
                                       const ListOptions& options) {
  return db.ReadValue<ListPage<Product>>([&](soci::session& sql) -> Result<ListPage<Product>> {
    ListPage<Product> page;
    auto s = sql::Run(sql,
                      "SELECT id, name, family, created_at FROM products WHERE tenant_id = :p0 "
                      "AND id > :p1 ORDER BY id LIMIT " +
                          std::to_string(options.limit + 1),
                      {tenant, options.after}, [&](const soci::row& r) {
                        Product p{sql::Str(r, 0), sql::Str(r, 1), std::nullopt, sql::Str(r, 3)};
                        if (!sql::IsNull(r, 2)) p.family = sql::Str(r, 2);
                        page.items.push_back(std::move(p));
                      });
    if (!s) return std::unexpected(s.error());
    if (page.items.size() > static_cast<size_t>(options.limit)) {
      page.items.pop_back();
      page.next_after = page.items.back().id;
    }
    return page;
  });
}

Result<Product> UpdateProduct(store::Database& db, const std::string& tenant,
                              const std::string& id, const ProductChange& change,
                              const Actor& actor) {
  if (change.name && change.name->empty()) {
    return Fail(ErrorCode::kInvalidRequest, "name must not be empty");
  }
  return db.WriteValue<Product>([&](soci::session& sql) -> Result<Product> {
    auto before = ReadProduct(sql, tenant, id, /*lock=*/true);
    if (!before) return before;
    Product after = *before;
    if (change.name) after.name = *change.name;
    if (change.family) {
      after.family = change.family->empty() ? std::nullopt : change.family;
    }
    if (after.family != before->family) {
      // Which subscriptions form a family decides what a swap locks
      // (locks.h): the product's subscriptions, with their old family and
      // the new one, are locked first, so no swap is under way in either
      // while the family changes.
      std::set<std::string> subs;
      if (auto s = sql::Run(sql,
                            "SELECT s.id FROM subscriptions s JOIN products p ON p.tenant_id = "
                            "s.tenant_id AND p.id = s.product_id WHERE s.tenant_id = :p0 AND "
                            "(p.id = :p1 OR p.family = :p2)",
                            {tenant, id, after.family.value_or("")},
                            [&](const soci::row& r) { subs.insert(sql::Str(r, 0)); });
          !s) {
        return std::unexpected(s.error());
      }
      if (auto l = LockSubscriptions(sql, tenant, subs); !l) return std::unexpected(l.error());
    }
    soci::indicator fam = after.family ? soci::i_ok : soci::i_null;
    std::string family = after.family.value_or("");
    sql << "UPDATE products SET name = :n, family = :f WHERE tenant_id = :t AND id = :i",
        soci::use(after.name), soci::use(family, fam), soci::use(tenant), soci::use(id);
    if (auto a = WriteAudit(sql, tenant, actor,
                            {.action = "product.updated",
                             .target_kind = "product",
                             .target_id = id,
                             .before_json = AuditJson(ToJson(*before)),
                             .after_json = AuditJson(ToJson(after))});
        !a) {
      return std::unexpected(a.error());
    }
    return after;
  });
}

Status DeleteProduct(store::Database& db, const std::string& tenant, const std::string& id,
                     const Actor& actor) {
  return db.Write([&](soci::session& sql) -> Status {
    auto before = ReadProduct(sql, tenant, id);
    if (!before) return std::unexpected(before.error());
    long long subs = 0;
    sql << "SELECT COUNT(*) FROM subscriptions WHERE tenant_id = :t AND product_id = :p",
        soci::use(tenant), soci::use(id), soci::into(subs);
    if (subs > 0) {
      return Fail(ErrorCode::kConflict, "product " + id + " still has " + std::to_string(subs) +
                                            " subscription(s); it cannot be deleted");
    }
    sql << "DELETE FROM products WHERE tenant_id = :t AND id = :i", soci::use(tenant),
        soci::use(id);
    return WriteAudit(sql, tenant, actor,
                      {.action = "product.deleted",
                       .target_kind = "product",
                       .target_id = id,
                       .before_json = AuditJson(ToJson(*before))});
  });
}

Status ValidateSeats(int64_t seats) {
  if (seats < 0 || seats > kMaxSeats) {
    return Fail(ErrorCode::kInvalidRequest,
                "seats must be from 0 to " + std::to_string(kMaxSeats) + " (the limit), got " +
                    std::to_string(seats));
  }
  return Ok();
}

Result<Subscription> CreateSubscription(store::Database& db, const std::string& tenant,
                                        Subscription sub, const Actor& actor) {
  if (sub.id.empty()) sub.id = "sub-" + RandomUuid();
  if (!IsSlug(sub.id)) {
    return Fail(ErrorCode::kInvalidRequest, "id must match [a-z0-9][a-z0-9._-]{0,63}: " + sub.id);
  }
  if (auto v = ValidateSeats(sub.seats); !v) return std::unexpected(v.error());
  if (auto v = ValidateTerm(sub.starts_at, sub.ends_at); !v) return std::unexpected(v.error());
  sub.assigned = 0;
  sub.pending = 0;
  sub.created_at = NowRfc3339();
  return db.WriteValue<Subscription>([&](soci::session& sql) -> Result<Subscription> {
    if (auto p = ReadProduct(sql, tenant, sub.product_id); !p) {
      return Fail(ErrorCode::kInvalidRequest, "product_id: no product " + sub.product_id);
    }
    if (ReadSubscription(sql, tenant, sub.id)) {
      return Fail(ErrorCode::kConflict, "a subscription with id " + sub.id + " exists");
    }
    long long seats = sub.seats;
    const std::string starts = sub.starts_at.value_or(""), ends = sub.ends_at.value_or("");
    soci::indicator starts_ind = sub.starts_at ? soci::i_ok : soci::i_null;
    soci::indicator ends_ind = sub.ends_at ? soci::i_ok : soci::i_null;
    sql << "INSERT INTO subscriptions (tenant_id, id, product_id, seats, assigned, created_at, "
           "starts_at, ends_at) VALUES (:t, :i, :p, :s, 0, :c, :sa, :ea)",
        soci::use(tenant), soci::use(sub.id), soci::use(sub.product_id), soci::use(seats),
        soci::use(sub.created_at), soci::use(starts, starts_ind), soci::use(ends, ends_ind);
    sub.status = TermStatus(sub.starts_at, sub.ends_at, sub.created_at);
    if (auto a = WriteAudit(sql, tenant, actor,
                            {.action = "subscription.created",
                             .target_kind = "subscription",
                             .target_id = sub.id,
                             .subscription_id = sub.id,
                             .after_json = AuditJson(ToJson(sub))});
        !a) {
      return std::unexpected(a.error());
    }
    return sub;
  });
}

Result<Subscription> GetSubscription(store::Database& db, const std::string& tenant,
                                     const std::string& id) {
  return db.ReadValue<Subscription>(
      [&](soci::session& sql) { return ReadSubscription(sql, tenant, id); });
}

Result<ListPage<Subscription>> ListSubscriptions(store::Database& db, const std::string& tenant,
                                                 const ListOptions& options) {
  return db.ReadValue<ListPage<Subscription>>(
      [&](soci::session& sql) -> Result<ListPage<Subscription>> {
        ListPage<Subscription> page;
        std::vector<std::string> params = {tenant, options.after};
        if (options.only) params.insert(params.end(), options.only->begin(), options.only->end());
        const std::string now = NowRfc3339();
        auto s = sql::Run(
            sql,
            std::string(kSubscriptionColumns) + "WHERE tenant_id = :p0 AND id > :p1" +
                OnlyClause(options, 2) + " ORDER BY id LIMIT " + std::to_string(options.limit + 1),
            params, [&](const soci::row& r) { page.items.push_back(SubscriptionOf(r, now)); });
        if (!s) return std::unexpected(s.error());
        if (page.items.size() > static_cast<size_t>(options.limit)) {
          page.items.pop_back();
          page.next_after = page.items.back().id;
        }
        return page;
      });
}

Result<Subscription> SetSeats(store::Database& db, const std::string& tenant,
                              const std::string& id, int64_t seats, const Actor& actor) {
  return UpdateSubscription(db, tenant, id, {.seats = seats}, actor);
}

Result<Subscription> UpdateSubscription(store::Database& db, const std::string& tenant,
                                        const std::string& id, const SubscriptionChange& change,
                                        const Actor& actor) {
  if (change.seats) {
    if (auto v = ValidateSeats(*change.seats); !v) return std::unexpected(v.error());
  }
  if (change.fill && *change.fill != "auto" && *change.fill != "manual") {
    return Fail(ErrorCode::kInvalidRequest, "fill must be \"auto\" or \"manual\"");
  }
  return db.WriteValue<Subscription>([&](soci::session& sql) -> Result<Subscription> {
    if (auto l = LockSubscriptions(sql, tenant, {id}); !l) return std::unexpected(l.error());
    auto before = ReadSubscription(sql, tenant, id);
    if (!before) return before;
    nlohmann::json was = nlohmann::json::object(), now = nlohmann::json::object();
    if (change.seats && *change.seats != before->seats) {
      // Conditional, so a concurrent assignment cannot slip under the new limit.
      long long n = *change.seats;
      soci::statement st = (sql.prepare << "UPDATE subscriptions SET seats = :n WHERE tenant_id = "
                                           ":t AND id = :i AND assigned <= :n2",
                            soci::use(n), soci::use(tenant), soci::use(id), soci::use(n));
      st.execute(true);
      if (st.get_affected_rows() != 1) {
        auto counts = ReadSeatCounts(sql, tenant, id);
        const int64_t assigned = counts ? counts->assigned : before->assigned;
        return Fail(ErrorCode::kConflict, "cannot lower seats of " + id + " to " +
                                              std::to_string(*change.seats) + ": " +
                                              std::to_string(assigned) +
                                              " are assigned; unassign first or keep seats >= " +
                                              std::to_string(assigned));
      }
      was["seats"] = before->seats;
      now["seats"] = *change.seats;
    } else if (change.seats) {
      was["seats"] = now["seats"] = before->seats;
    }
    if (change.fill && *change.fill != before->fill) {
      if (auto u = sql::Run(sql,
                            "UPDATE subscriptions SET fill = :p0 WHERE tenant_id = :p1 AND id = :p2",
                            {*change.fill, tenant, id});
          !u) {
        return std::unexpected(u.error());
      }
      was["fill"] = before->fill;
      now["fill"] = *change.fill;
    }
    bool renewed = false;
    if (change.starts_at || change.ends_at) {
      const std::optional<std::string> starts = change.starts_at ? *change.starts_at
                                                                 : before->starts_at;
      const std::optional<std::string> ends = change.ends_at ? *change.ends_at : before->ends_at;
      if (auto v = ValidateTerm(starts, ends); !v) return std::unexpected(v.error());
      const std::string at = NowRfc3339();
      // An end moved past now undoes the sweep's mark, so the next end is
      // swept again; a subscription the sweep had ended is renewed.
      long long was_swept = 0;
      sql << "SELECT COUNT(*) FROM subscriptions WHERE tenant_id = :t AND id = :i AND "
             "expired_at IS NOT NULL",
          soci::use(tenant), soci::use(id), soci::into(was_swept);
      const bool live_end = !ends || *ends > at;
      int live_flag = live_end ? 1 : 0;
      const std::string starts_text = starts.value_or(""), ends_text = ends.value_or("");
      soci::indicator starts_ind = starts ? soci::i_ok : soci::i_null;
      soci::indicator ends_ind = ends ? soci::i_ok : soci::i_null;
      sql << "UPDATE subscriptions SET starts_at = :sa, ends_at = :ea, expired_at = CASE WHEN "
             ":live = 1 THEN NULL ELSE expired_at END WHERE tenant_id = :t AND id = :i",
          soci::use(starts_text, starts_ind), soci::use(ends_text, ends_ind),
          soci::use(live_flag), soci::use(tenant), soci::use(id);
      renewed = was_swept > 0 && live_end;
      if (starts != before->starts_at || ends != before->ends_at) {
        was["starts_at"] = OptionalJson(before->starts_at);
        was["ends_at"] = OptionalJson(before->ends_at);
        now["starts_at"] = OptionalJson(starts);
        now["ends_at"] = OptionalJson(ends);
      }
    }
    if (was != now) {
      if (auto a = WriteAudit(sql, tenant, actor,
                              {.action = "subscription.updated",
                               .target_kind = "subscription",
                               .target_id = id,
                               .subscription_id = id,
                               .before_json = AuditJson(was),
                               .after_json = AuditJson(now)});
          !a) {
        return std::unexpected(a.error());
      }
    }
    // More seats, or the queue served again: the waiting get the free seats.
    if (auto p = PromoteWaiting(sql, tenant, {id}, actor); !p) return std::unexpected(p.error());
    if (renewed) {
      if (auto r = ReevaluateWanting(sql, tenant, id, actor); !r) return std::unexpected(r.error());
    }
    return ReadSubscription(sql, tenant, id);
  });
}

}  // namespace allot::licensing
