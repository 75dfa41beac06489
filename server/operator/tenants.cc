#include "server/operator/tenants.h"

#include <soci/soci.h>

#include <nlohmann/json.hpp>

#include "server/auth/tenants.h"
#include "server/base/random.h"
#include "server/licensing/audit.h"
#include "server/licensing/sql.h"

namespace allot::operator_api {
namespace {

namespace sql = licensing::sql;

constexpr const char* kColumns =
    "SELECT id, COALESCE(name, id), status, self_managed_catalog, created_at FROM tenants ";

Tenant TenantOf(const soci::row& r) {
  return {sql::Str(r, 0), sql::Str(r, 1), sql::Str(r, 2), sql::Int(r, 3) != 0, sql::Str(r, 4)};
}

nlohmann::json AuditShape(const Tenant& t) {
  return {{"id", t.id},
          {"name", t.name},
          {"status", t.status},
          {"self_managed_catalog", t.self_managed_catalog}};
}

Result<Tenant> ReadTenant(soci::session& session, const std::string& id) {
  std::optional<Tenant> out;
  auto s = sql::Run(session, std::string(kColumns) + "WHERE id = :p0", {id},
                    [&](const soci::row& r) { out = TenantOf(r); });
  if (!s) return std::unexpected(s.error());
  if (!out) return Fail(ErrorCode::kNotFound, "no tenant " + id);
  return *out;
}

}  // namespace

Result<TenantPage> ListTenants(store::Database& db, int limit, const std::string& after) {
  return db.ReadValue<TenantPage>([&](soci::session& session) -> Result<TenantPage> {
    TenantPage page;
    auto s = sql::Run(session,
                      std::string(kColumns) + "WHERE id > :p0 ORDER BY id LIMIT " +
                          std::to_string(limit + 1),
                      {after}, [&](const soci::row& r) { page.items.push_back(TenantOf(r)); });
    if (!s) return std::unexpected(s.error());
    if (page.items.size() > static_cast<size_t>(limit)) {
      page.items.pop_back();
      page.next_after = page.items.back().id;
    }
    return page;
  });
}

Result<Tenant> GetTenant(store::Database& db, const std::string& id) {
  return db.ReadValue<Tenant>([&](soci::session& session) { return ReadTenant(session, id); });
}

Result<OnboardedTenant> OnboardTenant(store::Database& db, const std::string& requested_id,
                                      const std::string& name, const Actor& actor) {
  if (name.empty()) return Fail(ErrorCode::kInvalidRequest, "name must not be empty");
  const std::string id = requested_id.empty() ? "t-" + RandomUuid() : requested_id;
  std::optional<Tenant> made;
  // The rest of the onboarding runs in CreateTenant's transaction: the
  // tenant, its principals, tokens, catalog mode and audit events are
  // committed together or not at all.
  auto written = [&](soci::session& session, const auth::TenantCredentials& c) -> Status {
    if (auto s = sql::Run(session,
                          "UPDATE tenants SET name = :p0, self_managed_catalog = 0 WHERE id = :p1",
                          {name, c.tenant});
        !s) {
      return s;
    }
    auto tenant = ReadTenant(session, c.tenant);
    if (!tenant) return std::unexpected(tenant.error());
    made = *tenant;
    using licensing::AuditJson;
    const std::vector<licensing::AuditEvent> events = {
        {.action = "tenant.created",
         .target_kind = "tenant",
         .target_id = c.tenant,
         .after_json = AuditJson(AuditShape(*tenant))},
        {.action = "admin.created",
         .target_kind = "principal",
         .target_id = c.admin_id,
         .after_json = AuditJson({{"id", c.admin_id},
                                  {"name", "initial admin"},
                                  {"role", "global_admin"},
                                  {"subscriptions", nlohmann::json::array()}})},
        {.action = "token.issued",
         .target_kind = "token",
         .target_id = c.admin_token_id,
         .after_json = AuditJson(
             {{"id", c.admin_token_id}, {"principal_id", c.admin_id}, {"kind", "admin"}})},
        {.action = "token.issued",
         .target_kind = "token",
         .target_id = c.scim_token_id,
         .after_json = AuditJson({{"id", c.scim_token_id},
                                  {"principal_id", c.scim_client_id},
                                  {"kind", "scim"},
                                  {"name", "default SCIM client"}})},
    };
    return licensing::WriteAuditBatch(session, c.tenant, actor, events);
  };
  auto created = auth::CreateTenant(db, id, written);
  if (!created) return std::unexpected(created.error());
  return OnboardedTenant{*made, created->admin_token, created->scim_token};
}

Result<Tenant> UpdateTenant(store::Database& db, const std::string& id, const TenantChange& change,
                            const Actor& actor) {
  if (change.name && change.name->empty()) {
    return Fail(ErrorCode::kInvalidRequest, "name must not be empty");
  }
  if (change.status && *change.status != "active" && *change.status != "suspended") {
    return Fail(ErrorCode::kInvalidRequest, "status must be \"active\" or \"suspended\"");
  }
  return db.WriteValue<Tenant>([&](soci::session& session) -> Result<Tenant> {
    auto before = ReadTenant(session, id);
    if (!before) return before;
    Tenant after = *before;
    if (change.name) after.name = *change.name;
    if (change.status) after.status = *change.status;
    if (change.self_managed_catalog) after.self_managed_catalog = *change.self_managed_catalog;
    if (auto s = sql::Run(session,
                          "UPDATE tenants SET name = :p0, status = :p1, self_managed_catalog = " +
                              std::string(after.self_managed_catalog ? "1" : "0") +
                              " WHERE id = :p2",
                          {after.name, after.status, id});
        !s) {
      return std::unexpected(s.error());
    }
    std::vector<licensing::AuditEvent> events;
    const nlohmann::json was = AuditShape(*before), now = AuditShape(after);
    if (was != now) {
      events.push_back({.action = "tenant.updated",
                        .target_kind = "tenant",
                        .target_id = id,
                        .before_json = licensing::AuditJson(was),
                        .after_json = licensing::AuditJson(now)});
    }
    if (before->status != after.status) {
      events.push_back({.action = after.status == "suspended" ? "tenant.suspended"
                                                              : "tenant.activated",
                        .target_kind = "tenant",
                        .target_id = id});
    }
    if (auto s = licensing::WriteAuditBatch(session, id, actor, events); !s) {
      return std::unexpected(s.error());
    }
    return after;
  });
}

}  // namespace allot::operator_api
