#include "server/admin/directory.h"

#include "server/admin/sql_query.h"
#include "server/admin/subscription_refs.h"
#include "server/store/database.h"

namespace allot::admin {
namespace {

using nlohmann::json;

// The SQL expression a filter attribute compares, and whether values are
// lowered first (caseExact=false attributes).
struct Column {
  std::string_view expression;
  bool lower;
};

Column UserColumn(std::string_view attribute) {
  if (attribute == "userName") return {"u.user_name_lower", true};
  if (attribute == "displayName") return {"COALESCE(LOWER(u.display_name), '')", true};
  return {"COALESCE(u.external_id, '')", false};
}

Column GroupColumn(std::string_view attribute) {
  if (attribute == "displayName") return {"g.display_name_lower", true};
  return {"COALESCE(g.external_id, '')", false};
}

void AddTerm(SqlQuery& q, const FilterTerm& term, const Column& column) {
  const std::string expr(column.expression);
  const std::string value = column.lower ? AsciiLower(term.value) : term.value;
  switch (term.op) {
    case FilterOp::kEq: q.Bind(" AND " + expr + " = ?", {value}); break;
    case FilterOp::kNe: q.Bind(" AND " + expr + " <> ?", {value}); break;
    default: q.Bind(" AND " + expr + " LIKE ? ESCAPE '\\'", {LikePattern(term.op, value)}); break;
  }
}

void AddUserTerms(SqlQuery& q, const std::vector<FilterTerm>& terms) {
  for (const FilterTerm& term : terms) {
    if (term.attribute == "active") {
      // The value chooses between two fixed texts; nothing is spliced.
      const bool want = (term.value == "true") == (term.op == FilterOp::kEq);
      q.Text(want ? " AND u.active <> 0" : " AND u.active = 0");
      continue;
    }
    AddTerm(q, term, UserColumn(term.attribute));
  }
}

void AddUserScope(SqlQuery& q, const Access& access, std::string_view column) {
  if (access.all_subscriptions) return;
  q.Bind(" AND " + UserInScopeCondition(column), {access.tenant(), access.principal->id});
}

std::vector<GroupRef> LoadGroupsOf(soci::session& sql, const std::string& tenant,
                                   const std::string& user_id) {
  std::vector<GroupRef> out;
  SqlQuery q;
  q.Bind("SELECT g.id, g.display_name FROM scim_group_members m JOIN scim_groups g "
         "ON g.tenant_id = m.tenant_id AND g.id = m.group_id "
         "WHERE m.tenant_id = ? AND m.member_id = ? AND g.deleted_at IS NULL "
         "ORDER BY g.display_name_lower, g.id",
         {tenant, user_id});
  q.ForEach(sql, [&](const soci::row& r) { out.push_back({RowString(r, 0), RowString(r, 1)}); });
  return out;
}

constexpr std::string_view kUserColumns =
    "SELECT u.id, u.user_name, u.display_name, u.external_id, u.active, u.created_at, "
    "u.updated_at, u.user_name_lower FROM scim_users u ";

UserView UserFromRow(const soci::row& r) {
  return {.id = RowString(r, 0),
          .user_name = RowString(r, 1),
          .display_name = RowString(r, 2),
          .external_id = RowString(r, 3),
          .active = RowInt(r, 4) != 0,
          .created_at = RowString(r, 5),
          .updated_at = RowString(r, 6)};
}

Status FillUser(soci::session& sql, const Access& access, UserView& user) {
  user.groups = LoadGroupsOf(sql, access.tenant(), user.id);
  auto licenses = UserLicenses(sql, access, user.id);
  if (!licenses) return std::unexpected(licenses.error());
  user.licenses = std::move(*licenses);
  return Ok();
}

// The condition on a group that a scoped caller sees it: one visible member.
void AddGroupScope(SqlQuery& q, const Access& access) {
  if (access.all_subscriptions) return;
  q.Bind(" AND EXISTS (SELECT 1 FROM scim_group_members sm WHERE sm.tenant_id = g.tenant_id "
         "AND sm.group_id = g.id AND " + UserInScopeCondition("sm.member_id") + ")",
         {access.tenant(), access.principal->id});
}

}  // namespace

Result<Listing<UserView>> ListUsers(store::Database& db, const Access& access,
                                    const std::vector<FilterTerm>& terms, const Page& page) {
  return db.ReadValue<Listing<UserView>>([&](soci::session& sql) -> Result<Listing<UserView>> {
    SqlQuery q;
    q.Text(kUserColumns);
    q.Bind("WHERE u.tenant_id = ? AND u.deleted_at IS NULL AND u.user_name_lower > ?",
           {access.tenant(), page.after});
    AddUserTerms(q, terms);
    AddUserScope(q, access, "u.id");
    q.Text(" ORDER BY u.user_name_lower").Limit(page.limit + 1);
    Listing<UserView> out;
    std::string last_key;
    q.ForEach(sql, [&](const soci::row& r) {
      if (static_cast<int>(out.items.size()) == page.limit) {
        out.next_key = last_key;  // a further row exists: this page is not the last
        return;
      }
      out.items.push_back(UserFromRow(r));
      last_key = RowString(r, 7);
    });
    for (UserView& u : out.items) {
      if (auto s = FillUser(sql, access, u); !s) return std::unexpected(s.error());
    }
    return out;
  });
}

Result<UserView> GetUser(store::Database& db, const Access& access, const std::string& id) {
  return db.ReadValue<UserView>([&](soci::session& sql) -> Result<UserView> {
    SqlQuery q;
    q.Text(kUserColumns);
    q.Bind("WHERE u.tenant_id = ? AND u.id = ? AND u.deleted_at IS NULL", {access.tenant(), id});
    AddUserScope(q, access, "u.id");
    std::optional<UserView> user;
    q.ForEach(sql, [&](const soci::row& r) { user = UserFromRow(r); });
    if (!user) return Fail(ErrorCode::kNotFound, "no user with id '" + id + "'");
    if (auto s = FillUser(sql, access, *user); !s) return std::unexpected(s.error());
    return *user;
  });
}

Result<Listing<GroupView>> ListGroups(store::Database& db, const Access& access,
                                      const std::vector<FilterTerm>& terms, const Page& page) {
  return db.ReadValue<Listing<GroupView>>([&](soci::session& sql) -> Result<Listing<GroupView>> {
    SqlQuery q;
    q.Text("SELECT g.id, g.display_name, g.external_id FROM scim_groups g ");
    q.Bind("WHERE g.tenant_id = ? AND g.deleted_at IS NULL AND g.id > ?",
           {access.tenant(), page.after});
    for (const FilterTerm& term : terms) AddTerm(q, term, GroupColumn(term.attribute));
    AddGroupScope(q, access);
    q.Text(" ORDER BY g.id").Limit(page.limit + 1);
    Listing<GroupView> out;
    q.ForEach(sql, [&](const soci::row& r) {
      out.items.push_back(
          {.id = RowString(r, 0), .display_name = RowString(r, 1), .external_id = RowString(r, 2)});
    });
    if (static_cast<int>(out.items.size()) > page.limit) {
      out.items.resize(page.limit);
      out.next_key = out.items.back().id;
    }
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
  return {{"id", u.id},
          {"user_name", u.user_name},
          {"display_name", u.display_name.empty() ? json(nullptr) : json(u.display_name)},
          {"external_id", u.external_id.empty() ? json(nullptr) : json(u.external_id)},
          {"active", u.active},
          {"groups", std::move(groups)},
          {"licenses", u.licenses},
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
