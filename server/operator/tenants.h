// server/operator/tenants.h — the vendor's view of tenants: list, read,
// onboard (a tenant with its first Global admin and SCIM tokens) and change
// (name, suspension, who runs the catalog). Every change is audited in the
// affected tenant's own log with the operator as actor.
// Thread-safety: stateless functions over the thread-safe Database.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "server/base/actor.h"
#include "server/base/error.h"
#include "server/store/database.h"

namespace allot::operator_api {

struct Tenant {
  std::string id;
  std::string name;    // the id for tenants made by `allot init` without a name
  std::string status;  // active | suspended
  bool self_managed_catalog = true;
  std::string created_at;
};

struct TenantPage {
  std::vector<Tenant> items;
  std::string next_after;  // empty on the last page
};

// Tenants ordered by id, `limit` after the id `after`.
Result<TenantPage> ListTenants(store::Database& db, int limit, const std::string& after);
// kNotFound for an unknown id.
Result<Tenant> GetTenant(store::Database& db, const std::string& id);

struct OnboardedTenant {
  Tenant tenant;
  std::string admin_token;  // the first Global admin's, shown once
  std::string scim_token;   // the first SCIM client's, shown once
};

// Creates the tenant (id empty: generated) named `name` with
// self_managed_catalog false, its Global admin "initial admin" and SCIM
// client "default SCIM client" with one token each, and audit events
// (tenant.created, admin.created, token.issued x2) by `actor`, in one
// transaction. kInvalidRequest (bad id, empty name), kConflict (id taken).
Result<OnboardedTenant> OnboardTenant(store::Database& db, const std::string& id,
                                      const std::string& name, const Actor& actor);

struct TenantChange {
  std::optional<std::string> name;
  std::optional<std::string> status;  // active | suspended
  std::optional<bool> self_managed_catalog;
};

// Applies the fields given in one transaction with one tenant.updated event
// (plus tenant.suspended / tenant.activated when the status flips).
// kInvalidRequest (empty name, unknown status), kNotFound.
Result<Tenant> UpdateTenant(store::Database& db, const std::string& id, const TenantChange& change,
                            const Actor& actor);

}  // namespace allot::operator_api
