#include "server/admin/principals.h"

#include <soci/soci.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "server/admin/audit_events.h"
#include "server/admin/subscription_refs.h"
#include "server/base/clock.h"
#include "server/base/random.h"
#include "server/store/database.h"

namespace allot::admin {
namespace {

using nlohmann::json;

json AdminJson(const AdminView& a) {
  return {{"id", a.id}, {"name", a.name}, {"role", a.role}, {"subscriptions", a.subscriptions}};
}

json TokenJson(const std::string& id, const std::string& principal_id, std::string_view kind) {
  return {{"id", id}, {"principal_id", principal_id}, {"kind", kind}};
}

std::vector<std::string> LoadSubscriptions(soci::session& sql, const std::string& tenant,
                                           const std::string& principal_id) {
  std::vector<std::string> out;
  soci::rowset<std::string> rows =
      (sql.prepare << "SELECT subscription_id FROM principal_subscriptions "
                      "WHERE tenant_id = :t AND principal_id = :p ORDER BY subscription_id",
       soci::use(tenant), soci::use(principal_id));
  for (const std::string& s : rows) out.push_back(s);
  return out;
}

// The live administrator `id`, or kNotFound.
Result<AdminView> LoadAdmin(soci::session& sql, const std::string& tenant, const std::string& id) {
  AdminView a;
  std::string role;
  soci::indicator role_ind = soci::i_null;
  sql << "SELECT id, name, role, created_at FROM principals WHERE tenant_id = :t AND id = :id "
         "AND kind = 'admin' AND deleted_at IS NULL",
      soci::use(tenant), soci::use(id), soci::into(a.id), soci::into(a.name),
      soci::into(role, role_ind), soci::into(a.created_at);
  if (!sql.got_data()) return Fail(ErrorCode::kNotFound, "no administrator with id '" + id + "'");
  if (role_ind == soci::i_ok) a.role = role;
  if (a.role == "subscription_admin") a.subscriptions = LoadSubscriptions(sql, tenant, a.id);
  return a;
}

// The lock-out rule of the header: at least one Global admin keeps a live
// token. Checked after the change, inside its transaction, so that the
// rollback undoes a change that breaks it.
Status CheckGlobalAdminRemains(soci::session& sql, const std::string& tenant) {
  int usable = 0;
  sql << "SELECT COUNT(DISTINCT p.id) FROM principals p JOIN tokens k "
         "ON k.tenant_id = p.tenant_id AND k.principal_id = p.id "
         "WHERE p.tenant_id = :t AND p.kind = 'admin' AND p.role = 'global_admin' "
         "AND p.deleted_at IS NULL AND k.revoked_at IS NULL",
      soci::use(tenant), soci::into(usable);
  if (usable == 0) {
    return Fail(ErrorCode::kConflict,
                "this would leave the tenant without a Global admin holding a live token; "
                "create another Global admin (POST /admin/v1/admins) first");
  }
  return Ok();
}

// Serialises the changes that can remove the last usable Global admin. On
// PostgreSQL two such transactions could otherwise each count the other's
// admin as still there and both commit (write skew); a no-op UPDATE of the
// tenant row makes the second wait for the first and then count again.
// SQLite already runs one writer at a time; the statement is harmless there.
void LockTenantAdmins(soci::session& sql, const std::string& tenant) {
  sql << "UPDATE tenants SET created_at = created_at WHERE id = :t", soci::use(tenant);
}

Status CheckRole(const NewAdmin& r) {
  if (!IsValidRole(r.role)) {
    return Fail(ErrorCode::kInvalidRequest,
                "field \"role\" must be global_admin, subscription_admin or user_admin");
  }
  if (r.role == "subscription_admin" && r.subscriptions.empty()) {
    return Fail(ErrorCode::kInvalidRequest,
                "field \"subscriptions\" is required for a subscription_admin: list the "
                "subscription ids it administers");
  }
  if (r.role != "subscription_admin" && !r.subscriptions.empty()) {
    return Fail(ErrorCode::kInvalidRequest,
                "field \"subscriptions\" is only for a subscription_admin; a " + r.role +
                    " is not limited to subscriptions");
  }
  for (const std::string& s : r.subscriptions) {
    if (!IsValidSlug(s)) {
      return Fail(ErrorCode::kInvalidRequest,
                  "field \"subscriptions\": '" + s + "' is not a subscription id");
    }
  }
  return Ok();
}

}  // namespace

Status ValidateName(const std::string& field, const std::string& name) {
  if (name.empty() || name.size() > 200) {
    return Fail(ErrorCode::kInvalidRequest,
                "field \"" + field + "\" must be 1 to 200 characters long");
  }
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) {
      return Fail(ErrorCode::kInvalidRequest,
                  "field \"" + field + "\" must not contain control characters");
    }
  }
  return Ok();
}

Result<Listing<AdminView>> ListAdmins(store::Database& db, const std::string& tenant,
                                      const Page& page) {
  return db.ReadValue<Listing<AdminView>>([&](soci::session& sql) -> Result<Listing<AdminView>> {
    Listing<AdminView> out;
    const int fetch = page.limit + 1;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT id, name, role, created_at FROM principals "
                        "WHERE tenant_id = :t AND kind = 'admin' AND deleted_at IS NULL "
                        "AND id > :after ORDER BY id LIMIT :n",
         soci::use(tenant), soci::use(page.after), soci::use(fetch));
    for (const soci::row& r : rows) {
      AdminView a;
      a.id = r.get<std::string>(0);
      a.name = r.get<std::string>(1);
      if (r.get_indicator(2) == soci::i_ok) a.role = r.get<std::string>(2);
      a.created_at = r.get<std::string>(3);
      out.items.push_back(std::move(a));
    }
    if (static_cast<int>(out.items.size()) > page.limit) {
      out.items.resize(page.limit);
      out.next_key = out.items.back().id;
    }
    for (AdminView& a : out.items) {
      if (a.role == "subscription_admin") a.subscriptions = LoadSubscriptions(sql, tenant, a.id);
    }
    return out;
  });
}

Result<AdminView> GetAdmin(store::Database& db, const std::string& tenant, const std::string& id) {
  return db.ReadValue<AdminView>(
      [&](soci::session& sql) -> Result<AdminView> { return LoadAdmin(sql, tenant, id); });
}

Result<CreatedAdmin> CreateAdmin(store::Database& db, const std::string& tenant,
                                 const Actor& actor, const NewAdmin& request) {
  if (auto s = ValidateName("name", request.name); !s) return std::unexpected(s.error());
  NewAdmin r = request;
  std::sort(r.subscriptions.begin(), r.subscriptions.end());
  r.subscriptions.erase(std::unique(r.subscriptions.begin(), r.subscriptions.end()),
                        r.subscriptions.end());
  if (auto s = CheckRole(r); !s) return std::unexpected(s.error());

  return db.WriteValue<CreatedAdmin>([&](soci::session& sql) -> Result<CreatedAdmin> {
    for (const std::string& s : r.subscriptions) {
      if (auto ok = CheckSubscriptionExists(sql, tenant, s, "subscriptions"); !ok) {
        return std::unexpected(ok.error());
      }
    }
    CreatedAdmin out;
    out.admin = {.id = RandomUuid(),
                 .name = r.name,
                 .role = r.role,
                 .subscriptions = r.subscriptions,
                 .created_at = NowRfc3339()};
    if (auto s = auth::CreatePrincipal(sql, tenant, out.admin.id, auth::TokenKind::kAdmin, r.name,
                                       r.role);
        !s) {
      return std::unexpected(s.error());
    }
    for (const std::string& s : r.subscriptions) {
      sql << "INSERT INTO principal_subscriptions (tenant_id, principal_id, subscription_id) "
             "VALUES (:t, :p, :s)",
          soci::use(tenant), soci::use(out.admin.id), soci::use(s);
    }
    auto token = auth::IssueToken(sql, tenant, out.admin.id, auth::TokenKind::kAdmin);
    if (!token) return std::unexpected(token.error());
    out.token = std::move(*token);
    if (auto s = RecordAudit(sql, tenant, actor, "admin.created", "principal", out.admin.id, nullptr,
                             AdminJson(out.admin));
        !s) {
      return std::unexpected(s.error());
    }
    if (auto s = RecordAudit(sql, tenant, actor, "token.issued", "token", out.token.id,
                             nullptr, TokenJson(out.token.id, out.admin.id, "admin"));
        !s) {
      return std::unexpected(s.error());
    }
    return out;
  });
}

Status DeleteAdmin(store::Database& db, const std::string& tenant, const Actor& actor,
                   const std::string& id) {
  return db.Write([&](soci::session& sql) -> Status {
    LockTenantAdmins(sql, tenant);
    auto admin = LoadAdmin(sql, tenant, id);
    if (!admin) return std::unexpected(admin.error());
    std::vector<std::string> live_tokens;
    {
      soci::rowset<std::string> rows =
          (sql.prepare << "SELECT id FROM tokens WHERE tenant_id = :t AND principal_id = :p "
                          "AND revoked_at IS NULL ORDER BY id",
           soci::use(tenant), soci::use(id));
      for (const std::string& t : rows) live_tokens.push_back(t);
    }
    const std::string now = NowRfc3339();
    sql << "UPDATE principals SET deleted_at = :now WHERE tenant_id = :t AND id = :id",
        soci::use(now), soci::use(tenant), soci::use(id);
    // All its tokens at once: authentication also refuses a deleted
    // principal's tokens, this makes the revocation visible in listings.
    sql << "UPDATE tokens SET revoked_at = :now WHERE tenant_id = :t AND principal_id = :id "
           "AND revoked_at IS NULL",
        soci::use(now), soci::use(tenant), soci::use(id);
    if (auto s = CheckGlobalAdminRemains(sql, tenant); !s) return s;
    for (const std::string& token_id : live_tokens) {
      if (auto s = RecordAudit(sql, tenant, actor, "token.revoked", "token", token_id,
                               TokenJson(token_id, id, "admin"), nullptr);
          !s) {
        return s;
      }
    }
    return RecordAudit(sql, tenant, actor, "admin.deleted", "principal", id, AdminJson(*admin),
                       nullptr);
  });
}

Result<std::vector<TokenView>> ListAdminTokens(store::Database& db, const std::string& tenant,
                                               const std::string& admin_id) {
  return db.ReadValue<std::vector<TokenView>>(
      [&](soci::session& sql) -> Result<std::vector<TokenView>> {
        auto admin = LoadAdmin(sql, tenant, admin_id);
        if (!admin) return std::unexpected(admin.error());
        std::vector<TokenView> out;
        soci::rowset<soci::row> rows =
            (sql.prepare << "SELECT id, created_at FROM tokens WHERE tenant_id = :t "
                            "AND principal_id = :p AND revoked_at IS NULL ORDER BY created_at, id",
             soci::use(tenant), soci::use(admin_id));
        for (const soci::row& r : rows) {
          out.push_back({.id = r.get<std::string>(0),
                         .principal_id = admin_id,
                         .name = admin->name,
                         .created_at = r.get<std::string>(1)});
        }
        return out;
      });
}

Result<auth::IssuedToken> IssueAdminToken(store::Database& db, const std::string& tenant,
                                          const Actor& actor, const std::string& admin_id) {
  return db.WriteValue<auth::IssuedToken>([&](soci::session& sql) -> Result<auth::IssuedToken> {
    auto admin = LoadAdmin(sql, tenant, admin_id);
    if (!admin) return std::unexpected(admin.error());
    auto token = auth::IssueToken(sql, tenant, admin_id, auth::TokenKind::kAdmin);
    if (!token) return std::unexpected(token.error());
    if (auto s = RecordAudit(sql, tenant, actor, "token.issued", "token", token->id, nullptr,
                             TokenJson(token->id, admin_id, "admin"));
        !s) {
      return std::unexpected(s.error());
    }
    return token;
  });
}

Status RevokeAdminToken(store::Database& db, const std::string& tenant, const Actor& actor,
                        const std::string& admin_id, const std::string& token_id) {
  return db.Write([&](soci::session& sql) -> Status {
    LockTenantAdmins(sql, tenant);
    auto admin = LoadAdmin(sql, tenant, admin_id);
    if (!admin) return std::unexpected(admin.error());
    const std::string now = NowRfc3339();
    soci::statement st =
        (sql.prepare << "UPDATE tokens SET revoked_at = :now WHERE tenant_id = :t AND id = :id "
                        "AND principal_id = :p AND kind = 'admin' AND revoked_at IS NULL",
         soci::use(now), soci::use(tenant), soci::use(token_id), soci::use(admin_id));
    st.execute(true);
    if (st.get_affected_rows() == 0) {
      return Fail(ErrorCode::kNotFound, "administrator '" + admin_id +
                                            "' has no live token with id '" + token_id + "'");
    }
    if (auto s = CheckGlobalAdminRemains(sql, tenant); !s) return s;
    return RecordAudit(sql, tenant, actor, "token.revoked", "token", token_id,
                       TokenJson(token_id, admin_id, "admin"), nullptr);
  });
}

Result<CreatedScimToken> CreateScimToken(store::Database& db, const std::string& tenant,
                                         const Actor& actor, const std::string& name) {
  const std::string client_name = name.empty() ? "SCIM client" : name;
  if (auto s = ValidateName("name", client_name); !s) return std::unexpected(s.error());
  return db.WriteValue<CreatedScimToken>([&](soci::session& sql) -> Result<CreatedScimToken> {
    const std::string client_id = RandomUuid();
    if (auto s = auth::CreatePrincipal(sql, tenant, client_id, auth::TokenKind::kScim,
                                       client_name, "");
        !s) {
      return std::unexpected(s.error());
    }
    auto token = auth::IssueToken(sql, tenant, client_id, auth::TokenKind::kScim);
    if (!token) return std::unexpected(token.error());
    CreatedScimToken out{.view = {.id = token->id,
                                  .principal_id = client_id,
                                  .name = client_name,
                                  .created_at = NowRfc3339()},
                         .token = std::move(token->token)};
    json after = TokenJson(out.view.id, client_id, "scim");
    after["name"] = client_name;
    if (auto s = RecordAudit(sql, tenant, actor, "token.issued", "token", out.view.id, nullptr,
                             after);
        !s) {
      return std::unexpected(s.error());
    }
    return out;
  });
}

Result<Listing<TokenView>> ListScimTokens(store::Database& db, const std::string& tenant,
                                          const Page& page) {
  return db.ReadValue<Listing<TokenView>>([&](soci::session& sql) -> Result<Listing<TokenView>> {
    Listing<TokenView> out;
    const int fetch = page.limit + 1;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT k.id, k.principal_id, p.name, k.created_at FROM tokens k "
                        "JOIN principals p ON p.tenant_id = k.tenant_id AND p.id = k.principal_id "
                        "WHERE k.tenant_id = :t AND k.kind = 'scim' AND k.revoked_at IS NULL "
                        "AND p.deleted_at IS NULL AND k.id > :after ORDER BY k.id LIMIT :n",
         soci::use(tenant), soci::use(page.after), soci::use(fetch));
    for (const soci::row& r : rows) {
      out.items.push_back({.id = r.get<std::string>(0),
                           .principal_id = r.get<std::string>(1),
                           .name = r.get<std::string>(2),
                           .created_at = r.get<std::string>(3)});
    }
    if (static_cast<int>(out.items.size()) > page.limit) {
      out.items.resize(page.limit);
      out.next_key = out.items.back().id;
    }
    return out;
  });
}

Status RevokeScimToken(store::Database& db, const std::string& tenant, const Actor& actor,
                       const std::string& token_id) {
  return db.Write([&](soci::session& sql) -> Status {
    std::string principal_id;
    sql << "SELECT principal_id FROM tokens WHERE tenant_id = :t AND id = :id AND kind = 'scim' "
           "AND revoked_at IS NULL",
        soci::use(tenant), soci::use(token_id), soci::into(principal_id);
    if (!sql.got_data()) {
      return Fail(ErrorCode::kNotFound, "no live SCIM token with id '" + token_id + "'");
    }
    if (auto s = auth::RevokeToken(sql, tenant, token_id); !s) return s;
    return RecordAudit(sql, tenant, actor, "token.revoked", "token", token_id,
                       TokenJson(token_id, principal_id, "scim"), nullptr);
  });
}

}  // namespace allot::admin
