#include "server/admin/directory.h"

#include <soci/soci.h>

#include <algorithm>
#include <unordered_map>

#include "scim/filter_eval.h"
#include "scim/schema.h"
#include "server/admin/sql_query.h"
#include "server/admin/subscription_refs.h"
#include "server/scim_api/filter_sql.h"
#include "server/scim_api/group_store.h"
#include "server/scim_api/list_store.h"
#include "server/scim_api/sql_util.h"
#include "server/scim_api/user_search.h"
#include "server/scim_api/user_store.h"
#include "server/store/database.h"

namespace allot::admin {
namespace {

using nlohmann::json;
using scim_api::ResourceKind;
using scim_api::SqlParams;

const scim::ResourceType& TypeOf(ResourceKind kind) {
  return *scim::DefaultRegistry().FindResourceType(kind == ResourceKind::kUser ? "User" : "Group");
}

scim::FilterPtr Node(scim::FilterNode node) {
  return std::make_shared<const scim::FilterNode>(std::move(node));
}

scim::FilterPtr Contains(std::string attr, std::string sub, const std::string& value) {
  return Node({scim::Comparison{{"", std::move(attr), std::move(sub)}, scim::CompareOp::kCo,
                                json(value)}});
}

// `q` as a SCIM filter: a case-insensitive substring of any name of the user,
// one flat or-chain.
scim::FilterPtr QuickSearch(const std::string& q) {
  return Node({scim::Logical{scim::Logical::Op::kOr,
                             {Contains("userName", "", q), Contains("displayName", "", q),
                              Contains("name", "formatted", q), Contains("name", "givenName", q),
                              Contains("name", "familyName", q), Contains("emails", "value", q)}}});
}

// A narrowing SQL condition for `q` (every match of QuickSearch has it in
// its stored JSON, lower-cased); "" when `q` has characters whose lowering
// or JSON escaping differs between the backends.
std::string QuickSearchNarrowing(const std::string& q, SqlParams& params) {
  for (unsigned char c : q) {
    if (c >= 0x80 || c < 0x20 || c == '"' || c == '\\') return "";
  }
  return "LOWER(u.resource) LIKE " + params.Add("%" + scim_api::LikeEscape(AsciiLower(q)) + "%") +
         " ESCAPE '\\'";
}

// Runs `text` with `params`; `on_row` returns false to stop.
template <typename F>
void ForEachRow(soci::session& sql, const std::string& text, SqlParams& params, F&& on_row) {
  soci::statement st(sql);
  soci::row row;
  st.exchange(soci::into(row));
  params.BindAll(st);
  st.alloc();
  st.prepare(text);
  st.define_and_bind();
  if (!st.execute(true)) return;
  do {
    if (!on_row(row)) return;
  } while (st.fetch());
}

// The resource as scim::Matches sees it: stored attributes, id, meta, and
// the membership rows when the filter asks about them.
json Evaluable(soci::session& sql, const std::string& tenant, ResourceKind kind,
               const std::string& id, const std::string& resource, const std::string& created,
               const std::string& updated, bool with_membership) {
  json doc = scim_api::ParseStored(resource);
  // As the SCIM list does: a user stored without `active` is active.
  if (kind == ResourceKind::kUser && !doc.contains("active")) doc["active"] = true;
  doc["id"] = id;
  doc["meta"] = {{"resourceType", kind == ResourceKind::kUser ? "User" : "Group"},
                 {"created", created},
                 {"lastModified", updated}};
  if (with_membership) {
    const bool user = kind == ResourceKind::kUser;
    auto refs = user ? scim_api::LoadUserGroups(sql, tenant, {id})
                     : scim_api::LoadMembers(sql, tenant, {id});
    json out = json::array();
    for (const scim_api::Ref& r : refs[id]) out.push_back({{"value", r.value}, {"type", r.type}});
    if (!out.empty()) doc[user ? "groups" : "members"] = std::move(out);
  }
  return doc;
}

// The direct groups of `user_ids`, by user, each user's ordered by name.
std::unordered_map<std::string, std::vector<GroupRef>> LoadGroupsOf(
    soci::session& sql, const std::string& tenant, const std::vector<std::string>& user_ids) {
  std::unordered_map<std::string, std::vector<GroupRef>> out;
  SqlParams params;
  const std::string text =
      "SELECT m.member_id, g.id, g.display_name FROM scim_group_members m JOIN scim_groups g "
      "ON g.tenant_id = m.tenant_id AND g.id = m.group_id WHERE m.tenant_id = " +
      params.Add(tenant) + " AND m.member_id IN " + params.AddList(user_ids) +
      " AND g.deleted_at IS NULL ORDER BY m.member_id, g.display_name_lower, g.id";
  ForEachRow(sql, text, params, [&](const soci::row& r) {
    out[RowString(r, 0)].push_back({RowString(r, 1), RowString(r, 2)});
    return true;
  });
  return out;
}

constexpr std::string_view kUserColumns =
    "SELECT u.id, u.user_name, u.display_name, u.external_id, u.active, u.created_at, "
    "u.updated_at, u.user_name_lower, u.resource, u.search_text ";

UserView UserFromRow(const soci::row& r) {
  return {.id = RowString(r, 0),
          .user_name = RowString(r, 1),
          .display_name = RowString(r, 2),
          .external_id = RowString(r, 3),
          .active = RowInt(r, 4) != 0,
          .created_at = RowString(r, 5),
          .updated_at = RowString(r, 6)};
}

// Each user's groups, licenses and hold: three queries for the whole page,
// not three per user.
Status FillUsers(soci::session& sql, const Access& access, std::vector<UserView>& users) {
  if (users.empty()) return Ok();
  std::vector<std::string> ids;
  ids.reserve(users.size());
  for (const UserView& u : users) ids.push_back(u.id);
  auto groups = LoadGroupsOf(sql, access.tenant(), ids);
  auto licenses = UsersLicenses(sql, access, ids);
  if (!licenses) return std::unexpected(licenses.error());
  auto holds = licensing::ReadHolds(sql, access.tenant(), ids);
  if (!holds) return std::unexpected(holds.error());
  for (UserView& u : users) {
    if (auto g = groups.find(u.id); g != groups.end()) u.groups = std::move(g->second);
    if (auto l = licenses->find(u.id); l != licenses->end()) u.licenses = std::move(l->second);
    if (auto h = holds->find(u.id); h != holds->end()) u.hold = std::move(h->second);
  }
  return Ok();
}

// "u.id IN (…the users of the admin's subscriptions…)" with its values bound.
std::string UserScope(const Access& access, const std::string& column, SqlParams& params) {
  return column +
         " IN (SELECT sa.user_id FROM assignments sa JOIN principal_subscriptions sp ON "
         "sp.tenant_id = sa.tenant_id AND sp.subscription_id = sa.subscription_id WHERE "
         "sp.tenant_id = " +
         params.Add(access.tenant()) + " AND sp.principal_id = " +
         params.Add(access.principal->id) + ")";
}

// The condition on a group that a scoped caller sees it: one visible member.
void AddGroupScope(SqlQuery& q, const Access& access) {
  if (access.all_subscriptions) return;
  q.Bind(" AND EXISTS (SELECT 1 FROM scim_group_members sm WHERE sm.tenant_id = g.tenant_id "
         "AND sm.group_id = g.id AND " + UserInScopeCondition("sm.member_id") + ")",
         {access.tenant(), access.principal->id});
}

Result<scim_api::SqlCondition> Translate(const scim::FilterPtr& filter, ResourceKind kind,
                                         SqlParams& params) {
  if (!filter) return scim_api::SqlCondition{};
  auto c = scim_api::TranslateFilter(*filter, TypeOf(kind), kind, params);
  if (!c) return Fail(ErrorCode::kInvalidRequest, "filter: " + c.error().detail);
  return *c;
}

}  // namespace

Result<scim::FilterPtr> ParseFilterParameter(const std::string& text) {
  if (text.find_first_not_of(" \t") == std::string::npos) return scim::FilterPtr();
  auto f = scim::ParseFilter(text);
  if (!f) return Fail(ErrorCode::kInvalidRequest, "filter: " + f.error().detail);
  return *f;
}

Result<Listing<UserView>> ListUsers(store::Database& db, const Access& access,
                                    const UserQuery& query, const Page& page) {
  if (!query.subscription_id.empty() && !access.Covers(query.subscription_id)) {
    return Fail(ErrorCode::kNotFound, "no subscription " + query.subscription_id);
  }
  return db.ReadValue<Listing<UserView>>([&](soci::session& sql) -> Result<Listing<UserView>> {
    // A plain `q` is matched by SQL against search_text (072_user_search.sql)
    // on rows that have it; rows written before that migration and not yet
    // filled, and any other `q`, are checked in memory with QuickSearch.
    const bool plain_q = !query.q.empty() && scim_api::IsPlainSearch(query.q);
    const scim::FilterPtr quick = query.q.empty() ? nullptr : QuickSearch(query.q);
    const scim::FilterPtr filter = query.filter;

    // Exact: every row the SQL returns matches (the filter translates
    // exactly, and `q` is plain or absent), bar rows without search text.
    bool exact = true;
    bool filter_exact = true;
    {
      SqlParams scratch;
      auto cond = Translate(filter, ResourceKind::kUser, scratch);
      if (!cond) return std::unexpected(cond.error());
      filter_exact = cond->exact;
      exact = filter_exact && (query.q.empty() || plain_q);
    }
    const int batch = exact ? page.limit + 1 : std::max(page.limit + 1, 200);
    // The statement for the rows after `after`, `batch` at most.
    auto build = [&](const std::string& after, int limit, SqlParams& params) -> Result<std::string> {
      std::string where = "WHERE u.tenant_id = " + params.Add(access.tenant()) +
                          " AND u.deleted_at IS NULL AND u.user_name_lower > " + params.Add(after);
      auto cond = Translate(filter, ResourceKind::kUser, params);
      if (!cond) return std::unexpected(cond.error());
      if (cond->sql != "1=1") where += " AND " + cond->sql;
      if (plain_q) {
        where += " AND (u.search_text LIKE " +
                 params.Add("%" + scim_api::LikeEscape(AsciiLower(query.q)) + "%") +
                 " ESCAPE '\\' OR u.search_text IS NULL)";
      } else if (!query.q.empty()) {
        if (std::string narrow = QuickSearchNarrowing(query.q, params); !narrow.empty()) {
          where += " AND " + narrow;
        }
      }
      if (!query.subscription_id.empty() || !query.state.empty()) {
        where += " AND EXISTS (SELECT 1 FROM assignments qa WHERE qa.tenant_id = u.tenant_id AND "
                 "qa.user_id = u.id";
        if (!query.subscription_id.empty()) {
          where += " AND qa.subscription_id = " + params.Add(query.subscription_id);
        } else if (!access.all_subscriptions) {
          // A license state counts only on the admin's own subscriptions.
          where += " AND qa.subscription_id IN (SELECT sp.subscription_id FROM "
                   "principal_subscriptions sp WHERE sp.tenant_id = " +
                   params.Add(access.tenant()) + " AND sp.principal_id = " +
                   params.Add(access.principal->id) + ")";
        }
        if (!query.state.empty()) where += " AND qa.state = " + params.Add(query.state);
        where += ")";
      }
      if (!access.all_subscriptions) where += " AND " + UserScope(access, "u.id", params);
      std::string from = "FROM scim_users u ";
      if (!query.group_id.empty()) {
        // A group's members first, then their rows, sorted: SQLite's
        // planner, left to choose, walks every user in name order (an
        // index gives that order) probing the membership of each: 65-210
        // ms at 100,000 users for a class of 30, against under 1 ms this
        // way. CROSS JOIN fixes the order on SQLite; PostgreSQL plans it
        // as any inner join.
        from = "FROM scim_group_members qg CROSS JOIN scim_users u ";
        where += " AND qg.tenant_id = " + params.Add(access.tenant()) +
                 " AND qg.group_id = " + params.Add(query.group_id) +
                 " AND u.tenant_id = qg.tenant_id AND u.id = qg.member_id";
      }
      return std::string(kUserColumns) + from + where + " ORDER BY u.user_name_lower LIMIT " +
             std::to_string(limit);  // an integer of ours
    };

    const bool with_membership =
        filter && scim_api::MentionsMembership(*filter, TypeOf(ResourceKind::kUser),
                                               ResourceKind::kUser);
    Listing<UserView> out;
    std::string last_key;  // of the last row taken
    std::string after = page.after;
    bool full = false;
    // Rows are read in key order, a batch at a time, until the page and one
    // more match are found or the rows run out: an exact query needs one
    // batch; rows checked in memory may need more.
    for (;;) {
      SqlParams params;
      auto text = build(after, batch, params);
      if (!text) return std::unexpected(text.error());
      int rows = 0;
      std::string last_seen;
      ForEachRow(sql, *text, params, [&](const soci::row& r) {
        ++rows;
        last_seen = RowString(r, 7);
        const bool check_filter = filter && !filter_exact;
        const bool check_q = quick && (!plain_q || RowIsNull(r, 9));
        if (check_filter || check_q) {
          const json doc = Evaluable(sql, access.tenant(), ResourceKind::kUser, RowString(r, 0),
                                     RowString(r, 8), RowString(r, 5), RowString(r, 6),
                                     with_membership);
          if (check_filter && !scim::Matches(*filter, doc, TypeOf(ResourceKind::kUser))) {
            return true;
          }
          if (check_q && !scim::Matches(*quick, doc, TypeOf(ResourceKind::kUser))) return true;
        }
        if (static_cast<int>(out.items.size()) == page.limit) {
          out.next_key = last_key;  // a further match exists: this page is not the last
          full = true;
          return false;
        }
        out.items.push_back(UserFromRow(r));
        last_key = RowString(r, 7);
        return true;
      });
      if (full || rows < batch) break;
      after = last_seen;
    }
    if (auto s = FillUsers(sql, access, out.items); !s) return std::unexpected(s.error());
    return out;
  });
}

Result<UserView> GetUser(store::Database& db, const Access& access, const std::string& id) {
  return db.ReadValue<UserView>([&](soci::session& sql) -> Result<UserView> {
    SqlParams params;
    std::string text = std::string(kUserColumns) + "FROM scim_users u WHERE u.tenant_id = " +
                       params.Add(access.tenant()) + " AND u.id = " + params.Add(id) +
                       " AND u.deleted_at IS NULL";
    if (!access.all_subscriptions) text += " AND " + UserScope(access, "u.id", params);
    std::optional<UserView> user;
    ForEachRow(sql, text, params, [&](const soci::row& r) {
      user = UserFromRow(r);
      return false;
    });
    if (!user) return Fail(ErrorCode::kNotFound, "no user with id '" + id + "'");
    std::vector<UserView> one = {std::move(*user)};
    if (auto s = FillUsers(sql, access, one); !s) return std::unexpected(s.error());
    return std::move(one.front());
  });
}

Result<Listing<GroupView>> ListGroups(store::Database& db, const Access& access,
                                      const scim::FilterPtr& filter, const Page& page) {
  return db.ReadValue<Listing<GroupView>>([&](soci::session& sql) -> Result<Listing<GroupView>> {
    SqlParams params;
    std::string where = "WHERE g.tenant_id = " + params.Add(access.tenant()) +
                        " AND g.deleted_at IS NULL AND g.id > " + params.Add(page.after);
    auto cond = Translate(filter, ResourceKind::kGroup, params);
    if (!cond) return std::unexpected(cond.error());
    if (cond->sql != "1=1") where += " AND " + cond->sql;
    if (!access.all_subscriptions) {
      where += " AND EXISTS (SELECT 1 FROM scim_group_members sm WHERE sm.tenant_id = "
               "g.tenant_id AND sm.group_id = g.id AND " +
               UserScope(access, "sm.member_id", params) + ")";
    }
    std::string text =
        "SELECT g.id, g.display_name, g.external_id, g.resource, g.created_at, g.updated_at "
        "FROM scim_groups g " +
        where + " ORDER BY g.id";
    if (cond->exact) text += " LIMIT " + std::to_string(page.limit + 1);
    const bool with_membership =
        filter && scim_api::MentionsMembership(*filter, TypeOf(ResourceKind::kGroup),
                                               ResourceKind::kGroup);
    Listing<GroupView> out;
    ForEachRow(sql, text, params, [&](const soci::row& r) {
      if (!cond->exact) {
        const json doc = Evaluable(sql, access.tenant(), ResourceKind::kGroup, RowString(r, 0),
                                   RowString(r, 3), RowString(r, 4), RowString(r, 5),
                                   with_membership);
        if (!scim::Matches(*filter, doc, TypeOf(ResourceKind::kGroup))) return true;
      }
      if (static_cast<int>(out.items.size()) == page.limit) {
        out.next_key = out.items.back().id;
        return false;
      }
      out.items.push_back(
          {.id = RowString(r, 0), .display_name = RowString(r, 1), .external_id = RowString(r, 2)});
      return true;
    });
    for (GroupView& g : out.items) {
      SqlQuery count;
      count.Bind("SELECT COUNT(*) FROM scim_group_members sm WHERE sm.tenant_id = ? "
                 "AND sm.group_id = ?",
                 {access.tenant(), g.id});
      if (!access.all_subscriptions) {
        count.Bind(" AND " + UserInScopeCondition("sm.member_id"),
                   {access.tenant(), access.principal->id});
      }
      count.ForEach(sql, [&](const soci::row& r) { g.member_count = RowInt(r, 0); });
    }
    return out;
  });
}

Result<GroupView> GetGroup(store::Database& db, const Access& access, const std::string& id) {
  return db.ReadValue<GroupView>([&](soci::session& sql) -> Result<GroupView> {
    SqlQuery q;
    q.Text("SELECT g.id, g.display_name, g.external_id FROM scim_groups g ");
    q.Bind("WHERE g.tenant_id = ? AND g.id = ? AND g.deleted_at IS NULL", {access.tenant(), id});
    AddGroupScope(q, access);
    std::optional<GroupView> group;
    q.ForEach(sql, [&](const soci::row& r) {
      group = GroupView{
          .id = RowString(r, 0), .display_name = RowString(r, 1), .external_id = RowString(r, 2)};
    });
    if (!group) return Fail(ErrorCode::kNotFound, "no group with id '" + id + "'");
    SqlQuery m;
    m.Bind("SELECT sm.member_id, sm.member_type, COALESCE(u.display_name, u.user_name, g2.display_name, '') "
           "FROM scim_group_members sm "
           "LEFT JOIN scim_users u ON u.tenant_id = sm.tenant_id AND u.id = sm.member_id "
           "AND u.deleted_at IS NULL "
           "LEFT JOIN scim_groups g2 ON g2.tenant_id = sm.tenant_id AND g2.id = sm.member_id "
           "AND g2.deleted_at IS NULL "
           "WHERE sm.tenant_id = ? AND sm.group_id = ? AND (u.id IS NOT NULL OR g2.id IS NOT NULL)",
           {access.tenant(), id});
    if (!access.all_subscriptions) {
      m.Bind(" AND " + UserInScopeCondition("sm.member_id"), {access.tenant(), access.principal->id});
    }
    m.Text(" ORDER BY sm.member_type DESC, sm.member_id");
    m.ForEach(sql, [&](const soci::row& r) {
      group->members.push_back({RowString(r, 0), RowString(r, 1), RowString(r, 2)});
    });
    group->member_count = static_cast<long long>(group->members.size());
    return *group;
  });
}

json UserJson(const UserView& u) {
  json groups = json::array();
  for (const GroupRef& g : u.groups) groups.push_back({{"id", g.id}, {"display_name", g.display_name}});
  json hold = nullptr;
  if (u.hold) {
    hold = {{"set_by", {{"id", u.hold->set_by_id}, {"name", u.hold->set_by_name}}},
            {"set_at", u.hold->set_at},
            {"reason", u.hold->reason}};
  }
  return {{"id", u.id},
          {"user_name", u.user_name},
          {"display_name", u.display_name.empty() ? json(nullptr) : json(u.display_name)},
          {"external_id", u.external_id.empty() ? json(nullptr) : json(u.external_id)},
          {"active", u.active},
          {"groups", std::move(groups)},
          {"licenses", u.licenses},
          {"hold", std::move(hold)},
          {"created_at", u.created_at},
          {"updated_at", u.updated_at}};
}

json GroupJson(const GroupView& g, bool with_members) {
  json out = {{"id", g.id},
              {"display_name", g.display_name},
              {"external_id", g.external_id.empty() ? json(nullptr) : json(g.external_id)},
              {"member_count", g.member_count}};
  if (with_members) {
    json members = json::array();
    for (const MemberRef& m : g.members) {
      members.push_back({{"id", m.id}, {"type", m.type}, {"display", m.display}});
    }
    out["members"] = std::move(members);
  }
  return out;
}

}  // namespace allot::admin
