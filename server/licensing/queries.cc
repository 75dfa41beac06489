#include "server/licensing/queries.h"

#include <soci/soci.h>

#include <cstdint>

#include <nlohmann/json.hpp>

#include "server/base/comma_list.h"
#include "server/licensing/decide.h"
#include "server/licensing/sql.h"

namespace allot::licensing {

Result<std::unordered_map<std::string, std::vector<License>>> ReadLicenses(
    soci::session& sql, const std::string& tenant, std::span<const std::string> user_ids) {
  std::unordered_map<std::string, std::vector<License>> out;
  auto s = sql::RunIn(
      sql,
      "SELECT a.user_id, a.subscription_id, s.product_id, a.state, a.sources, a.wanted_since, "
      "a.activated_at, a.pending_reason, a.held_for FROM assignments a JOIN subscriptions s ON "
      "s.tenant_id = a.tenant_id AND s.id = a.subscription_id WHERE a.tenant_id = :p0 AND "
      "a.user_id IN ",
      " ORDER BY a.user_id, a.subscription_id", {tenant}, user_ids, {},
      [&](const soci::row& r) {
        License l;
        l.user_id = sql::Str(r, 0);
        l.subscription_id = sql::Str(r, 1);
        l.product_id = sql::Str(r, 2);
        l.state = sql::Str(r, 3);
        l.sources = SplitCommaList(sql::Str(r, 4));
        l.since = l.state == "active" && !sql::IsNull(r, 6) ? sql::Str(r, 6) : sql::Str(r, 5);
        l.pending_reason = sql::Str(r, 7);
        l.held_for = sql::Str(r, 8);
        out[l.user_id].push_back(std::move(l));
      });
  if (!s) return std::unexpected(s.error());
  return out;
}

Result<nlohmann::json> LicensesForUsers(soci::session& sql, const std::string& tenant,
                                        const std::vector<std::string>& user_ids) {
  auto all = ReadLicenses(sql, tenant, user_ids);
  if (!all) return std::unexpected(all.error());
  nlohmann::json out = nlohmann::json::object();
  for (const std::string& user : user_ids) {
    nlohmann::json list = nlohmann::json::array();
    if (auto it = all->find(user); it != all->end()) {
      for (const License& l : it->second) {
        list.push_back({{"subscriptionId", l.subscription_id},
                        {"productId", l.product_id},
                        {"state", l.state},
                        {"source", l.source()},
                        {"since", l.since}});
      }
    }
    out[user] = {{"licenses", std::move(list)}};
  }
  return out;
}

namespace {

Status UserKnown(soci::session& sql, const std::string& tenant, const std::string& user,
                 bool include_deleted) {
  bool found = false;
  auto s = sql::Run(sql,
                    std::string("SELECT id FROM scim_users WHERE tenant_id = :p0 AND id = :p1") +
                        (include_deleted ? "" : " AND deleted_at IS NULL"),
                    {tenant, user}, [&](const soci::row&) { found = true; });
  if (!s) return s;
  if (!found) return Fail(ErrorCode::kNotFound, "no user " + user);
  return Ok();
}

}  // namespace

Result<std::vector<License>> UserLicenses(store::Database& db, const std::string& tenant,
                                          const std::string& user) {
  return db.ReadValue<std::vector<License>>(
      [&](soci::session& sql) -> Result<std::vector<License>> {
        if (auto s = UserKnown(sql, tenant, user, false); !s) return std::unexpected(s.error());
        std::vector<std::string> ids = {user};
        auto all = ReadLicenses(sql, tenant, ids);
        if (!all) return std::unexpected(all.error());
        return std::move((*all)[user]);
      });
}

Result<ListPage<HistoryEntry>> UserHistory(store::Database& db, const std::string& tenant,
                                           const std::string& user, int limit, int64_t after_id) {
  return db.ReadValue<ListPage<HistoryEntry>>(
      [&](soci::session& sql) -> Result<ListPage<HistoryEntry>> {
        if (auto s = UserKnown(sql, tenant, user, true); !s) return std::unexpected(s.error());
        ListPage<HistoryEntry> page;
        auto s = sql::Run(
            sql,
            "SELECT id, subscription_id, product_id, sources, started_at, ended_at, end_reason "
            "FROM assignment_history WHERE tenant_id = :p0 AND user_id = :p1 AND id > " +
                std::to_string(after_id) + " ORDER BY id LIMIT " + std::to_string(limit + 1),
            {tenant, user}, [&](const soci::row& r) {
              page.items.push_back({sql::Int(r, 0), sql::Str(r, 1), sql::Str(r, 2),
                                    SplitCommaList(sql::Str(r, 3)), sql::Str(r, 4), sql::Str(r, 5),
                                    sql::Str(r, 6)});
            });
        if (!s) return std::unexpected(s.error());
        if (page.items.size() > static_cast<size_t>(limit)) {
          page.items.pop_back();
          page.next_after = std::to_string(page.items.back().id);
        }
        return page;
      });
}

Result<ListPage<AssignmentView>> SubscriptionAssignments(store::Database& db,
                                                         const std::string& tenant,
                                                         const std::string& sub,
                                                         const std::string& state, int limit,
                                                         const std::string& after_user) {
  return db.ReadValue<ListPage<AssignmentView>>(
      [&](soci::session& sql) -> Result<ListPage<AssignmentView>> {
        if (auto c = ReadSubscription(sql, tenant, sub); !c) return std::unexpected(c.error());
        ListPage<AssignmentView> page;
        std::vector<std::string> params = {tenant, sub, after_user};
        if (!state.empty()) params.push_back(state);
        auto s = sql::Run(
            sql,
            "SELECT a.user_id, u.user_name, u.display_name, a.state, a.sources, a.wanted_since, "
            "a.activated_at FROM assignments a LEFT JOIN scim_users u ON u.tenant_id = "
            "a.tenant_id AND u.id = a.user_id WHERE a.tenant_id = :p0 AND a.subscription_id = "
            ":p1 AND a.user_id > :p2" +
                std::string(state.empty() ? "" : " AND a.state = :p3") +
                " ORDER BY a.user_id LIMIT " + std::to_string(limit + 1),
            params, [&](const soci::row& r) {
              License l;
              l.sources = SplitCommaList(sql::Str(r, 4));
              const std::string row_state = sql::Str(r, 3);
              page.items.push_back(
                  {sql::Str(r, 0), sql::Str(r, 1), sql::Str(r, 2), row_state, l.source(),
                   row_state == "active" && !sql::IsNull(r, 6) ? sql::Str(r, 6) : sql::Str(r, 5)});
            });
        if (!s) return std::unexpected(s.error());
        if (page.items.size() > static_cast<size_t>(limit)) {
          page.items.pop_back();
          page.next_after = page.items.back().user_id;
        }
        return page;
      });
}

Result<std::vector<Subscription>> UsageReport(store::Database& db, const std::string& tenant,
                                              const std::vector<std::string>* only) {
  std::vector<Subscription> out;
  std::string after;
  for (;;) {
    auto page = ListSubscriptions(db, tenant, {.limit = 1000, .after = after, .only = only});
    if (!page) return std::unexpected(page.error());
    out.insert(out.end(), page->items.begin(), page->items.end());
    if (page->next_after.empty()) return out;
    after = page->next_after;
  }
}

namespace {

int64_t SaturatingAdd(int64_t a, int64_t b) {
  int64_t out = 0;
  if (!__builtin_add_overflow(a, b, &out)) return out;
  return b > 0 ? INT64_MAX : INT64_MIN;
}

}  // namespace

UsageTotals SumUsage(const std::vector<Subscription>& rows) {
  UsageTotals t;
  for (const Subscription& s : rows) {
    t.seats = SaturatingAdd(t.seats, s.seats);
    t.assigned = SaturatingAdd(t.assigned, s.assigned);
    t.pending = SaturatingAdd(t.pending, s.pending);
  }
  t.available = t.assigned == INT64_MIN ? INT64_MAX : SaturatingAdd(t.seats, -t.assigned);
  return t;
}

}  // namespace allot::licensing
