#include "server/scim_api/user_store.h"
#include "server/scim_api/user_search.h"

#include <soci/soci.h>

#include "scim/resource.h"
#include "scim/schema.h"
#include "server/base/clock.h"
#include "server/base/random.h"
#include "server/licensing/identity_listener.h"
#include "server/scim_api/identity_audit.h"
#include "server/scim_api/list_store.h"
#include "server/scim_api/sql_util.h"
#include "server/store/statement_cache.h"

namespace allot::scim_api {
namespace {

using nlohmann::json;

const scim::ResourceType& UserType() {
  return *scim::DefaultRegistry().FindResourceType("User");
}

// The columns kept beside the JSON.
struct UserColumns {
  std::string user_name;
  std::string user_name_lower;
  std::string external_id;
  soci::indicator external_id_ind = soci::i_null;
  std::string display_name;
  soci::indicator display_name_ind = soci::i_null;
  int active = 1;
  std::vector<std::pair<std::string, std::string>> emails;  // value_lower, type
  std::string search_text;  // user_search.h
};

UserColumns ColumnsOf(const json& r) {
  UserColumns c;
  if (auto it = r.find("userName"); it != r.end() && it->is_string()) c.user_name = *it;
  c.user_name_lower = AsciiLower(c.user_name);
  if (auto it = r.find("externalId"); it != r.end() && it->is_string()) {
    c.external_id = *it;
    c.external_id_ind = soci::i_ok;
  }
  if (auto it = r.find("displayName"); it != r.end() && it->is_string()) {
    c.display_name = *it;
    c.display_name_ind = soci::i_ok;
  }
  if (auto it = r.find("active"); it != r.end() && it->is_boolean()) c.active = it->get<bool>();
  if (auto it = r.find("emails"); it != r.end() && it->is_array()) {
    for (const json& e : *it) {
      if (!e.is_object()) continue;
      auto v = e.find("value");
      if (v == e.end() || !v->is_string()) continue;
      auto t = e.find("type");
      c.emails.emplace_back(AsciiLower(v->get<std::string>()),
                            t != e.end() && t->is_string() ? t->get<std::string>() : "");
    }
  }
  c.search_text = UserSearchText(r);
  return c;
}

std::string Dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

scim::Status CheckUserNameFree(soci::session& sql, const std::string& tenant,
                               const UserColumns& c, const std::string& self_id) {
  std::string other;
  sql << "SELECT id FROM scim_users WHERE tenant_id = :t AND user_name_lower = :n AND "
         "deleted_at IS NULL",
      soci::into(other), soci::use(tenant), soci::use(c.user_name_lower);
  if (sql.got_data() && other != self_id) {
    return scim::Fail(scim::Error::Uniqueness("userName '" + c.user_name +
                                              "' is already taken by another user"));
  }
  return scim::Ok();
}

void WriteEmails(soci::session& sql, const std::string& tenant, const std::string& id,
                 const UserColumns& c, bool replace) {
  if (replace) {
    sql << "DELETE FROM scim_user_emails WHERE tenant_id = :t AND user_id = :u", soci::use(tenant),
        soci::use(id);
  }
  for (const auto& [value, type] : c.emails) {
    std::string v = value;
    std::string t = type;
    soci::indicator ti = t.empty() ? soci::i_null : soci::i_ok;
    sql << "INSERT INTO scim_user_emails (tenant_id, user_id, value_lower, type) VALUES (:t, :u, "
           ":v, :ty)",
        soci::use(tenant), soci::use(id), soci::use(v), soci::use(t, ti);
  }
}

// The INSERTs of a create, prepared once per connection (writes are
// serialised, so their cost is the server's write throughput).
struct InsertUserStatement : store::CachedStatement {
  explicit InsertUserStatement(soci::session& sql)
      : st((sql.prepare << "INSERT INTO scim_users (tenant_id, id, user_name, user_name_lower, "
                           "external_id, display_name, active, resource, version, created_at, "
                           "updated_at, search_text) VALUES (:t, :id, :un, :unl, :e, :d, :a, :r, "
                           ":v, :c, :u, :s)",
            soci::use(tenant), soci::use(row.id), soci::use(c.user_name),
            soci::use(c.user_name_lower), soci::use(c.external_id, c.external_id_ind),
            soci::use(c.display_name, c.display_name_ind), soci::use(c.active),
            soci::use(row.resource), soci::use(row.version), soci::use(row.created),
            soci::use(row.updated), soci::use(c.search_text))) {}
  std::string tenant;
  ResourceRow row;
  UserColumns c;
  soci::statement st;
};

struct InsertEmailStatement : store::CachedStatement {
  explicit InsertEmailStatement(soci::session& sql)
      : st((sql.prepare << "INSERT INTO scim_user_emails (tenant_id, user_id, value_lower, type) "
                           "VALUES (:t, :u, :v, :ty)",
            soci::use(tenant), soci::use(user), soci::use(value), soci::use(type, type_ind))) {}
  std::string tenant, user, value, type;
  soci::indicator type_ind = soci::i_null;
  soci::statement st;
};

void InsertEmails(soci::session& sql, const std::string& tenant,
                  const std::string& id, const UserColumns& c) {
  if (c.emails.empty()) return;
  std::unique_ptr<store::CachedStatement> scratch;
  auto* q = store::Prepared<InsertEmailStatement>(
      sql, "insert_email",
      [](soci::session& conn) { return std::make_unique<InsertEmailStatement>(conn); }, &scratch);
  q->tenant = tenant;
  q->user = id;
  for (const auto& [value, type] : c.emails) {
    q->value = value;
    q->type = type;
    q->type_ind = type.empty() ? soci::i_null : soci::i_ok;
    q->st.execute(true);
  }
}

scim::Error NotFound(const std::string& id) {
  return scim::Error::NotFound("no User with id '" + id + "'");
}

// Writes `resource` over the stored user `row` (version + 1).
scim::Status StoreReplacement(soci::session& sql, const Caller& caller, ResourceRow& row,
                              json resource) {
  resource.erase("id");
  resource.erase("meta");
  resource.erase("groups");
  UserColumns c = ColumnsOf(resource);
  if (auto s = CheckUserNameFree(sql, caller.tenant, c, row.id); !s) return s;
  const json before = ParseStored(row.resource);
  row.resource = Dump(resource);
  row.version += 1;
  row.updated = NowRfc3339();
  try {
    sql << "UPDATE scim_users SET user_name = :un, user_name_lower = :unl, external_id = :e, "
           "display_name = :d, active = :a, resource = :r, version = :v, updated_at = :up, "
           "search_text = :s WHERE tenant_id = :t AND id = :id",
        soci::use(c.user_name), soci::use(c.user_name_lower),
        soci::use(c.external_id, c.external_id_ind), soci::use(c.display_name, c.display_name_ind),
        soci::use(c.active), soci::use(row.resource), soci::use(row.version),
        soci::use(row.updated), soci::use(c.search_text), soci::use(caller.tenant),
        soci::use(row.id);
  } catch (const std::exception& e) {
    // Another user took the name after the check above and committed
    // (READ COMMITTED): the unique index refuses it, as the check would have.
    if (store::ErrorFromException(e).code != ErrorCode::kConflict) throw;
    return scim::Fail(scim::Error::Uniqueness("userName '" + c.user_name +
                                              "' is already taken by another user"));
  }
  WriteEmails(sql, caller.tenant, row.id, c, true);
  if (auto a = AuditUserChange(sql, caller, row.id, before, resource); !a) return a;
  return NotifyUsersChanged(sql, caller, {row.id});
}

}  // namespace

scim::Status NotifyUsersChanged(soci::session& sql, const Caller& caller,
                                const std::vector<std::string>& user_ids) {
  if (caller.listener == nullptr || user_ids.empty()) return scim::Ok();
  allot::Status s = caller.listener->UsersChanged(sql, caller.tenant, user_ids, caller.actor);
  if (!s) return scim::Fail(FromStoreError(s.error()));
  return scim::Ok();
}

scim::Result<ResourceRow> CreateUser(store::Database& db, const Caller& caller, const json& body) {
  auto normalized = scim::NormalizeForCreate(UserType(), body);
  if (!normalized) return scim::Fail(normalized.error());
  json& resource = *normalized;
  resource.erase("groups");
  UserColumns c = ColumnsOf(resource);
  ResourceRow row;
  row.id = TimeOrderedUuid();
  row.resource = Dump(resource);
  row.version = 1;
  row.created = NowRfc3339();
  row.updated = row.created;
  auto s = ScimWrite(db, [&](soci::session& sql) -> scim::Status {
    // The partial unique index on (tenant_id, user_name_lower) decides
    // uniqueness; no SELECT first (writes are serialised, so every statement
    // saved here is throughput).
    std::unique_ptr<store::CachedStatement> scratch;
    auto* q = store::Prepared<InsertUserStatement>(
        sql, "insert_user",
        [](soci::session& conn) { return std::make_unique<InsertUserStatement>(conn); }, &scratch);
    q->tenant = caller.tenant;
    q->row = row;
    q->c = c;
    try {
      q->st.execute(true);
    } catch (const std::exception& e) {
      if (store::ErrorFromException(e).code != ErrorCode::kConflict) throw;
      return scim::Fail(scim::Error::Uniqueness("userName '" + c.user_name +
                                                "' is already taken by another user"));
    }
    InsertEmails(sql, caller.tenant, row.id, c);
    BumpListState(sql, caller.tenant, ResourceKind::kUser, +1);
    if (auto a = AuditIdentity(sql, caller, "user.created", "user", row.id, nullptr,
                               UserSummary(resource));
        !a) {
      return a;
    }
    return NotifyUsersChanged(sql, caller, {row.id});
  });
  if (!s) return scim::Fail(s.error());
  return row;
}

namespace {

// GET by id with the user's groups, one statement (the hottest path).
constexpr const char* kGetUserWithGroups =
    "SELECT u.id, u.resource, u.version, u.created_at, u.updated_at, m.group_id, g.display_name "
    "FROM scim_users u LEFT JOIN scim_group_members m ON m.tenant_id = u.tenant_id AND "
    "m.member_id = u.id LEFT JOIN scim_groups g ON g.tenant_id = m.tenant_id AND g.id = "
    "m.group_id AND g.deleted_at IS NULL WHERE u.tenant_id = :t AND u.id = :id AND "
    "u.deleted_at IS NULL ORDER BY m.group_id";

struct GetUserStatement : store::CachedStatement {
  explicit GetUserStatement(soci::session& sql)
      : st((sql.prepare << kGetUserWithGroups, soci::into(row.id), soci::into(row.resource),
            soci::into(row.version), soci::into(row.created), soci::into(row.updated),
            soci::into(group_id, gi), soci::into(group_name, gn), soci::use(tenant),
            soci::use(id))) {}
  std::string tenant, id;
  ResourceRow row;
  std::string group_id, group_name;
  soci::indicator gi = soci::i_null, gn = soci::i_null;
  soci::statement st;
};

}  // namespace

scim::Result<ResourceRow> GetUser(store::Database& db, const std::string& tenant,
                                  const std::string& id, std::vector<Ref>* groups) {
  std::optional<ResourceRow> row;
  auto s = ScimRead(db, [&](soci::session& sql) -> scim::Status {
    if (!groups) {
      row = FindLiveRow(sql, ResourceKind::kUser, tenant, id);
      return scim::Ok();
    }
    std::unique_ptr<store::CachedStatement> scratch;
    auto* q = store::Prepared<GetUserStatement>(
        sql, kGetUserWithGroups,
        [](soci::session& conn) { return std::make_unique<GetUserStatement>(conn); }, &scratch);
    q->tenant = tenant;
    q->id = id;
    q->st.execute(false);
    while (q->st.fetch()) {
      if (!row) row = q->row;
      // No group (LEFT JOIN): the user has none.
      if (q->gi == soci::i_ok && q->gn == soci::i_ok) {
        groups->push_back(Ref{q->group_id, "direct", q->group_name});
      }
    }
    return scim::Ok();
  });
  if (!s) return scim::Fail(s.error());
  if (!row) return scim::Fail(NotFound(id));
  return *row;
}

scim::Result<ResourceRow> ReplaceUser(store::Database& db, const Caller& caller,
                                      const std::string& id, const json& body,
                                      const std::string& if_match) {
  ResourceRow row;
  auto s = ScimWrite(db, [&](soci::session& sql) -> scim::Status {
    auto loaded = LoadForWrite(sql, ResourceKind::kUser, caller.tenant, id, if_match);
    if (!loaded) return scim::Fail(loaded.error());
    row = std::move(*loaded);
    auto normalized = scim::NormalizeForReplace(UserType(), body, ParseStored(row.resource));
    if (!normalized) return scim::Fail(normalized.error());
    return StoreReplacement(sql, caller, row, std::move(*normalized));
  });
  if (!s) return scim::Fail(s.error());
  return row;
}

scim::Result<ResourceRow> PatchUser(store::Database& db, const Caller& caller,
                                    const std::string& id, const scim::PatchRequest& patch,
                                    const std::string& if_match) {
  ResourceRow row;
  auto s = ScimWrite(db, [&](soci::session& sql) -> scim::Status {
    auto loaded = LoadForWrite(sql, ResourceKind::kUser, caller.tenant, id, if_match);
    if (!loaded) return scim::Fail(loaded.error());
    row = std::move(*loaded);
    json doc = ParseStored(row.resource);
    doc["id"] = row.id;
    auto outcome = scim::ApplyPatch(UserType(), patch, doc);
    if (!outcome) return scim::Fail(outcome.error());
    if (!outcome->changed) return scim::Ok();
    return StoreReplacement(sql, caller, row, std::move(outcome->resource));
  });
  if (!s) return scim::Fail(s.error());
  return row;
}

scim::Status DeleteUser(store::Database& db, const Caller& caller, const std::string& id,
                        const std::string& if_match) {
  return ScimWrite(db, [&](soci::session& sql) -> scim::Status {
    auto loaded = LoadForWrite(sql, ResourceKind::kUser, caller.tenant, id, if_match);
    if (!loaded) return scim::Fail(loaded.error());
    const std::string now = NowRfc3339();
    sql << "UPDATE scim_users SET deleted_at = :d, updated_at = :u, version = version + 1 "
           "WHERE tenant_id = :t AND id = :id",
        soci::use(now), soci::use(now), soci::use(caller.tenant), soci::use(id);
    sql << "DELETE FROM scim_group_members WHERE tenant_id = :t AND member_id = :id",
        soci::use(caller.tenant), soci::use(id);
    BumpListState(sql, caller.tenant, ResourceKind::kUser, -1);
    if (auto a = AuditIdentity(sql, caller, "user.deleted", "user", id,
                               UserSummary(ParseStored(loaded->resource)), nullptr);
        !a) {
      return a;
    }
    return NotifyUsersChanged(sql, caller, {id});
  });
}

std::map<std::string, std::vector<Ref>> LoadUserGroups(soci::session& sql,
                                                       const std::string& tenant,
                                                       const std::vector<std::string>& ids) {
  std::map<std::string, std::vector<Ref>> out;
  if (ids.empty()) return out;
  SqlParams params;
  std::string text =
      "SELECT m.member_id, m.group_id, g.display_name FROM scim_group_members m JOIN scim_groups "
      "g ON g.tenant_id = m.tenant_id AND g.id = m.group_id AND g.deleted_at IS NULL WHERE "
      "m.tenant_id = " +
      params.Add(tenant) + " AND m.member_id IN " + params.AddList(ids) +
      " ORDER BY m.member_id, m.group_id";
  std::string member, group, display;
  soci::statement st(sql);
  st.exchange(soci::into(member));
  st.exchange(soci::into(group));
  st.exchange(soci::into(display));
  params.BindAll(st);
  st.alloc();
  st.prepare(text);
  st.define_and_bind();
  st.execute(false);
  while (st.fetch()) out[member].push_back(Ref{group, "direct", display});
  return out;
}

}  // namespace allot::scim_api
