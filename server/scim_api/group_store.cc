#include "server/scim_api/group_store.h"

#include <algorithm>
#include <memory>
#include <set>

#include <soci/soci.h>

#include "scim/patch_members.h"
#include "scim/resource.h"
#include "scim/schema.h"
#include "server/base/clock.h"
#include "server/base/random.h"
#include "server/scim_api/identity_audit.h"
#include "server/scim_api/list_store.h"
#include "server/scim_api/sql_util.h"
#include "server/scim_api/user_store.h"
#include "server/store/row_locks.h"

namespace allot::scim_api {
namespace {

using nlohmann::json;

const scim::ResourceType& GroupType() {
  return *scim::DefaultRegistry().FindResourceType("Group");
}

std::string Dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string StringOr(const json& r, const char* key) {
  auto it = r.find(key);
  return it != r.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Member ids of a members array (normalised objects with "value").
std::vector<std::string> MemberIds(const json* members) {
  std::vector<std::string> ids;
  if (members == nullptr || !members->is_array()) return ids;
  std::set<std::string> seen;
  for (const json& m : *members) {
    if (!m.is_object()) continue;
    auto v = m.find("value");
    if (v == m.end() || !v->is_string()) continue;
    if (seen.insert(v->get<std::string>()).second) ids.push_back(v->get<std::string>());
  }
  return ids;
}

// Every string in `value` (the members a rare-shape PATCH may add).
void CollectValues(const json& value, std::vector<std::string>& out) {
  if (value.is_string()) {
    out.push_back(value.get<std::string>());
  } else if (value.is_array() || value.is_object()) {
    for (const json& item : value) CollectValues(item, out);
  }
}

// Row operations on one group's members, with prepared statements reused
// across members (a 10,000-member PATCH is 10,000 executions of one
// statement, not 10,000 prepares).
class MemberWriter {
 public:
  MemberWriter(soci::session& sql, const std::string& tenant, const std::string& group)
      : sql_(sql), tenant_(tenant), group_(group) {}

  // Adds `id` unless present. Fails with invalidValue when it is neither a
  // live User nor another live Group of the tenant.
  scim::Status Add(const std::string& id) {
    member_ = id;
    if (!add_user_) {
      add_user_ = std::make_unique<soci::statement>(
          (sql_.prepare << "INSERT INTO scim_group_members (tenant_id, group_id, member_id, "
                           "member_type) SELECT u.tenant_id, :g, u.id, 'User' FROM scim_users u "
                           "WHERE u.tenant_id = :t AND u.id = :m AND u.deleted_at IS NULL "
                           "ON CONFLICT (tenant_id, group_id, member_id) DO NOTHING",
           soci::use(group_), soci::use(tenant_), soci::use(member_)));
    }
    add_user_->execute(true);
    if (add_user_->get_affected_rows() > 0) {
      changed = true;
      ++added;
      changed_users.push_back(id);
      return scim::Ok();
    }
    if (IsMember(id)) return scim::Ok();
    if (!add_group_) {
      add_group_ = std::make_unique<soci::statement>(
          (sql_.prepare << "INSERT INTO scim_group_members (tenant_id, group_id, member_id, "
                           "member_type) SELECT x.tenant_id, :g, x.id, 'Group' FROM scim_groups x "
                           "WHERE x.tenant_id = :t AND x.id = :m AND x.id <> :g2 AND "
                           "x.deleted_at IS NULL "
                           "ON CONFLICT (tenant_id, group_id, member_id) DO NOTHING",
           soci::use(group_), soci::use(tenant_), soci::use(member_), soci::use(group_)));
    }
    add_group_->execute(true);
    if (add_group_->get_affected_rows() > 0) {
      changed = true;
      ++added;
      return scim::Ok();
    }
    return scim::Fail(scim::Error::InvalidValue(
        "members: '" + id + "' is not the id of a User or another Group of this tenant"));
  }

  // Removes `id` if present.
  void Remove(const std::string& id) {
    member_ = id;
    if (!remove_) {
      remove_ = std::make_unique<soci::statement>(
          (sql_.prepare << "DELETE FROM scim_group_members WHERE tenant_id = :t AND group_id = :g "
                           "AND member_id = :m",
           soci::use(tenant_), soci::use(group_), soci::use(member_)));
    }
    // The type decides whether licensing must hear of it; ask before deleting.
    const bool user = IsUserMember(id);
    remove_->execute(true);
    if (remove_->get_affected_rows() > 0) {
      changed = true;
      ++removed;
      if (user) changed_users.push_back(id);
    }
  }

  // Current member ids (all types), and which of them are users.
  std::vector<std::string> AllMembers(std::set<std::string>* users) {
    std::vector<std::string> ids;
    std::string id, type;
    soci::statement st = (sql_.prepare << "SELECT member_id, member_type FROM scim_group_members "
                                          "WHERE tenant_id = :t AND group_id = :g ORDER BY member_id",
                          soci::into(id), soci::into(type), soci::use(tenant_), soci::use(group_));
    st.execute(false);
    while (st.fetch()) {
      ids.push_back(id);
      if (users && type == "User") users->insert(id);
    }
    return ids;
  }

  // Makes the member set exactly `wanted`.
  scim::Status ReplaceAll(const std::vector<std::string>& wanted) {
    std::set<std::string> want(wanted.begin(), wanted.end());
    std::vector<std::string> current = AllMembers(nullptr);
    std::set<std::string> have(current.begin(), current.end());
    for (const std::string& id : current) {
      if (!want.count(id)) Remove(id);
    }
    for (const std::string& id : wanted) {
      if (!have.count(id)) {
        if (auto s = Add(id); !s) return s;
      }
    }
    return scim::Ok();
  }

  void RemoveAll() {
    std::set<std::string> users;
    std::vector<std::string> ids = AllMembers(&users);
    if (ids.empty()) return;
    sql_ << "DELETE FROM scim_group_members WHERE tenant_id = :t AND group_id = :g",
        soci::use(tenant_), soci::use(group_);
    changed = true;
    removed += static_cast<int64_t>(ids.size());
    changed_users.insert(changed_users.end(), users.begin(), users.end());
  }

  // Locks the users among `mentioned` and, with `with_current`, among the
  // current members, before any membership row changes: a user's
  // memberships change only under the user's lock (store/row_locks.h), so
  // a concurrent deletion of that user either comes first (and the add is
  // refused: no such user) or waits for this transaction.
  scim::Status LockUsers(std::vector<std::string> mentioned, bool with_current) {
    if (!store::LocksRows(sql_)) return scim::Ok();
    if (with_current) {
      std::set<std::string> users;
      AllMembers(&users);
      mentioned.insert(mentioned.end(), users.begin(), users.end());
    }
    if (auto s = store::LockUsers(sql_, tenant_, mentioned); !s) {
      return scim::Fail(FromStoreError(s.error()));
    }
    return scim::Ok();
  }

  bool changed = false;
  std::vector<std::string> changed_users;
  int64_t added = 0, removed = 0;  // member rows, for the audit log

 private:
  bool IsMember(const std::string& id) {
    member_ = id;
    if (!is_member_) {
      is_member_ = std::make_unique<soci::statement>(
          (sql_.prepare << "SELECT member_type FROM scim_group_members WHERE tenant_id = :t AND "
                           "group_id = :g AND member_id = :m",
           soci::into(found_type_), soci::use(tenant_), soci::use(group_), soci::use(member_)));
    }
    found_type_.clear();
    return is_member_->execute(true) && !found_type_.empty();
  }
  bool IsUserMember(const std::string& id) { return IsMember(id) && found_type_ == "User"; }

  soci::session& sql_;
  std::string tenant_;
  std::string group_;
  std::string member_;
  std::string found_type_;
  std::unique_ptr<soci::statement> add_user_, add_group_, remove_, is_member_;
};

// Writes the group's attributes (version + 1) and tells the listener about
// `users` (plus every member when the name or externalId changed).
scim::Status StoreGroup(soci::session& sql, const Caller& caller, ResourceRow& row,
                        const json& before, json resource, MemberWriter& writer) {
  resource.erase("id");
  resource.erase("meta");
  resource.erase("members");
  const bool renamed = StringOr(before, "displayName") != StringOr(resource, "displayName") ||
                       StringOr(before, "externalId") != StringOr(resource, "externalId");
  std::string text = Dump(resource);
  if (text == row.resource && !writer.changed) return scim::Ok();
  row.resource = std::move(text);
  row.version += 1;
  row.updated = NowRfc3339();
  std::string display = StringOr(resource, "displayName");
  std::string display_lower = AsciiLower(display);
  std::string external = StringOr(resource, "externalId");
  soci::indicator ext_ind = external.empty() ? soci::i_null : soci::i_ok;
  sql << "UPDATE scim_groups SET display_name = :d, display_name_lower = :dl, external_id = :e, "
         "resource = :r, version = :v, updated_at = :u WHERE tenant_id = :t AND id = :id",
      soci::use(display), soci::use(display_lower), soci::use(external, ext_ind),
      soci::use(row.resource), soci::use(row.version), soci::use(row.updated),
      soci::use(caller.tenant), soci::use(row.id);
  json after = GroupSummary(resource);
  after["members_added"] = writer.added;
  after["members_removed"] = writer.removed;
  if (auto a = AuditIdentity(sql, caller, "group.updated", "group", row.id, GroupSummary(before),
                             after);
      !a) {
    return a;
  }
  std::vector<std::string> users = writer.changed_users;
  if (renamed) {
    std::set<std::string> all;
    writer.AllMembers(&all);
    users.insert(users.end(), all.begin(), all.end());
  }
  std::sort(users.begin(), users.end());
  users.erase(std::unique(users.begin(), users.end()), users.end());
  return NotifyUsersChanged(sql, caller, users);
}

}  // namespace

scim::Result<GroupRecord> CreateGroup(store::Database& db, const Caller& caller, const json& body) {
  auto normalized = scim::NormalizeForCreate(GroupType(), body);
  if (!normalized) return scim::Fail(normalized.error());
  json resource = std::move(*normalized);
  std::vector<std::string> members;
  if (auto it = resource.find("members"); it != resource.end()) {
    members = MemberIds(&*it);
    resource.erase(it);
  }
  resource.erase("id");
  resource.erase("meta");
  GroupRecord rec;
  ResourceRow& row = rec.row;
  row.id = TimeOrderedUuid();
  row.resource = Dump(resource);
  row.version = 1;
  row.created = NowRfc3339();
  row.updated = row.created;
  std::string display = StringOr(resource, "displayName");
  std::string display_lower = AsciiLower(display);
  std::string external = StringOr(resource, "externalId");
  soci::indicator ext_ind = external.empty() ? soci::i_null : soci::i_ok;
  auto s = ScimWrite(db, [&](soci::session& sql) -> scim::Status {
    sql << "INSERT INTO scim_groups (tenant_id, id, display_name, display_name_lower, "
           "external_id, resource, version, created_at, updated_at) VALUES (:t, :id, :d, :dl, "
           ":e, :r, :v, :c, :u)",
        soci::use(caller.tenant), soci::use(row.id), soci::use(display), soci::use(display_lower),
        soci::use(external, ext_ind), soci::use(row.resource), soci::use(row.version),
        soci::use(row.created), soci::use(row.updated);
    MemberWriter writer(sql, caller.tenant, row.id);
    if (auto locked = writer.LockUsers(members, false); !locked) return locked;
    for (const std::string& id : members) {
      if (auto added = writer.Add(id); !added) return added;
    }
    BumpListState(sql, caller.tenant, ResourceKind::kGroup, +1);
    rec.members = LoadMembers(sql, caller.tenant, {row.id})[row.id];
    json after = GroupSummary(resource);
    after["members"] = writer.added;
    if (auto a = AuditIdentity(sql, caller, "group.created", "group", row.id, nullptr, after); !a) {
      return a;
    }
    return NotifyUsersChanged(sql, caller, writer.changed_users);
  });
  if (!s) return scim::Fail(s.error());
  return rec;
}

scim::Result<GroupRecord> GetGroup(store::Database& db, const std::string& tenant,
                                   const std::string& id, bool with_members) {
  GroupRecord rec;
  bool found = false;
  auto s = ScimRead(db, [&](soci::session& sql) -> scim::Status {
    auto row = FindLiveRow(sql, ResourceKind::kGroup, tenant, id);
    if (!row) return scim::Ok();
    found = true;
    rec.row = std::move(*row);
    if (with_members) rec.members = LoadMembers(sql, tenant, {id})[id];
    return scim::Ok();
  });
  if (!s) return scim::Fail(s.error());
  if (!found) return scim::Fail(scim::Error::NotFound("no Group with id '" + id + "'"));
  return rec;
}

scim::Result<GroupRecord> ReplaceGroup(store::Database& db, const Caller& caller,
                                       const std::string& id, const json& body,
                                       const std::string& if_match) {
  GroupRecord rec;
  auto s = ScimWrite(db, [&](soci::session& sql) -> scim::Status {
    auto loaded = LoadForWrite(sql, ResourceKind::kGroup, caller.tenant, id, if_match);
    if (!loaded) return scim::Fail(loaded.error());
    rec.row = std::move(*loaded);
    json before = ParseStored(rec.row.resource);
    auto normalized = scim::NormalizeForReplace(GroupType(), body, before);
    if (!normalized) return scim::Fail(normalized.error());
    auto it = normalized->find("members");
    std::vector<std::string> wanted = MemberIds(it == normalized->end() ? nullptr : &*it);
    MemberWriter writer(sql, caller.tenant, id);
    if (auto locked = writer.LockUsers(wanted, true); !locked) return locked;
    if (auto r = writer.ReplaceAll(wanted); !r) return r;
    if (auto st = StoreGroup(sql, caller, rec.row, before, std::move(*normalized), writer); !st) {
      return st;
    }
    rec.members = LoadMembers(sql, caller.tenant, {id})[id];
    return scim::Ok();
  });
  if (!s) return scim::Fail(s.error());
  return rec;
}

scim::Result<ResourceRow> PatchGroup(store::Database& db, const Caller& caller,
                                     const std::string& id, const scim::PatchRequest& patch,
                                     const std::string& if_match) {
  auto plan = scim::PlanGroupPatch(GroupType(), patch);
  if (!plan) return scim::Fail(plan.error());
  ResourceRow row;
  auto s = ScimWrite(db, [&](soci::session& sql) -> scim::Status {
    auto loaded = LoadForWrite(sql, ResourceKind::kGroup, caller.tenant, id, if_match);
    if (!loaded) return scim::Fail(loaded.error());
    row = std::move(*loaded);
    json before = ParseStored(row.resource);
    json doc = before;
    doc["id"] = row.id;
    MemberWriter writer(sql, caller.tenant, id);
    if (plan->needs_member_list) {
      // Rare shapes (sub-attribute paths, other filters on members): patch
      // the whole group in memory, then turn the member diff into rows. Every
      // current member and every id the patch names is locked first.
      std::vector<std::string> mentioned;
      for (const scim::PatchOperation& op : patch.operations) CollectValues(op.value, mentioned);
      if (auto locked = writer.LockUsers(std::move(mentioned), true); !locked) return locked;
      json members = json::array();
      // The map is held in a variable: a range-for over `LoadMembers(…)[id]`
      // would iterate a vector inside a temporary destroyed before the body
      // runs (range-init temporaries live on only from C++23's P2718).
      std::map<std::string, std::vector<Ref>> current = LoadMembers(sql, caller.tenant, {id});
      for (const Ref& m : current[id]) {
        members.push_back({{"value", m.value}, {"type", m.type}, {"display", m.display}});
      }
      if (!members.empty()) doc["members"] = members;
      auto outcome = scim::ApplyPatch(GroupType(), patch, doc);
      if (!outcome) return scim::Fail(outcome.error());
      auto it = outcome->resource.find("members");
      std::vector<std::string> wanted =
          MemberIds(it == outcome->resource.end() ? nullptr : &*it);
      if (auto r = writer.ReplaceAll(wanted); !r) return r;
      return StoreGroup(sql, caller, row, before, std::move(outcome->resource), writer);
    }
    if (!plan->other.operations.empty()) {
      auto outcome = scim::ApplyPatch(GroupType(), plan->other, doc);
      if (!outcome) return scim::Fail(outcome.error());
      doc = std::move(outcome->resource);
    }
    {
      // The users whose memberships change, locked before any membership
      // row; every member when the whole set is replaced or the group is
      // renamed (StoreGroup then re-evaluates them all).
      std::vector<std::string> mentioned;
      bool whole_set = StringOr(before, "displayName") != StringOr(doc, "displayName") ||
                       StringOr(before, "externalId") != StringOr(doc, "externalId");
      for (const scim::MemberChange& change : plan->member_changes) {
        for (const json& m : change.members) mentioned.push_back(m.value("value", ""));
        mentioned.insert(mentioned.end(), change.ids.begin(), change.ids.end());
        if (change.kind == scim::MemberChange::Kind::kRemoveAll ||
            change.kind == scim::MemberChange::Kind::kReplaceAll) {
          whole_set = true;
        }
      }
      if (auto locked = writer.LockUsers(std::move(mentioned), whole_set); !locked) return locked;
    }
    for (const scim::MemberChange& change : plan->member_changes) {
      switch (change.kind) {
        case scim::MemberChange::Kind::kAdd:
          for (const json& m : change.members) {
            if (auto r = writer.Add(m.value("value", "")); !r) return r;
          }
          break;
        case scim::MemberChange::Kind::kRemove:
          for (const std::string& m : change.ids) writer.Remove(m);
          break;
        case scim::MemberChange::Kind::kRemoveAll:
          writer.RemoveAll();
          break;
        case scim::MemberChange::Kind::kReplaceAll: {
          std::vector<std::string> wanted;
          for (const json& m : change.members) wanted.push_back(m.value("value", ""));
          if (auto r = writer.ReplaceAll(wanted); !r) return r;
          break;
        }
      }
    }
    return StoreGroup(sql, caller, row, before, std::move(doc), writer);
  });
  if (!s) return scim::Fail(s.error());
  return row;
}

scim::Status DeleteGroup(store::Database& db, const Caller& caller, const std::string& id,
                         const std::string& if_match) {
  return ScimWrite(db, [&](soci::session& sql) -> scim::Status {
    auto loaded = LoadForWrite(sql, ResourceKind::kGroup, caller.tenant, id, if_match);
    if (!loaded) return scim::Fail(loaded.error());
    MemberWriter writer(sql, caller.tenant, id);
    if (auto locked = writer.LockUsers({}, true); !locked) return locked;
    std::set<std::string> users;
    const size_t members = writer.AllMembers(&users).size();
    const std::string now = NowRfc3339();
    sql << "DELETE FROM scim_group_members WHERE tenant_id = :t AND (group_id = :g OR member_id "
           "= :m)",
        soci::use(caller.tenant), soci::use(id), soci::use(id);
    sql << "UPDATE scim_groups SET deleted_at = :d, updated_at = :u, version = version + 1 WHERE "
           "tenant_id = :t AND id = :id",
        soci::use(now), soci::use(now), soci::use(caller.tenant), soci::use(id);
    BumpListState(sql, caller.tenant, ResourceKind::kGroup, -1);
    json before = GroupSummary(ParseStored(loaded->resource));
    before["members"] = members;
    if (auto a = AuditIdentity(sql, caller, "group.deleted", "group", id, before, nullptr); !a) {
      return a;
    }
    return NotifyUsersChanged(sql, caller, std::vector<std::string>(users.begin(), users.end()));
  });
}

std::map<std::string, std::vector<Ref>> LoadMembers(soci::session& sql, const std::string& tenant,
                                                    const std::vector<std::string>& ids) {
  std::map<std::string, std::vector<Ref>> out;
  if (ids.empty()) return out;
  SqlParams params;
  std::string text =
      "SELECT m.group_id, m.member_id, m.member_type, COALESCE(u.display_name, u.user_name, "
      "x.display_name, '') FROM scim_group_members m LEFT JOIN scim_users u ON u.tenant_id = "
      "m.tenant_id AND u.id = m.member_id AND m.member_type = 'User' LEFT JOIN scim_groups x ON "
      "x.tenant_id = m.tenant_id AND x.id = m.member_id AND m.member_type = 'Group' WHERE "
      "m.tenant_id = " +
      params.Add(tenant) + " AND m.group_id IN " + params.AddList(ids) +
      " ORDER BY m.group_id, m.member_id";
  std::string group, member, type, display;
  soci::statement st(sql);
  st.exchange(soci::into(group));
  st.exchange(soci::into(member));
  st.exchange(soci::into(type));
  st.exchange(soci::into(display));
  params.BindAll(st);
  st.alloc();
  st.prepare(text);
  st.define_and_bind();
  st.execute(false);
  for (const std::string& id : ids) out[id];
  while (st.fetch()) out[group].push_back(Ref{member, type, display});
  return out;
}

}  // namespace allot::scim_api
