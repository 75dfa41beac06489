#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "server/admin/audit_events.h"
#include "server/app/commands.h"
#include "server/app/data_dir.h"
#include "server/auth/operator_tokens.h"
#include "server/auth/tenants.h"
#include "server/store/database.h"
#include "server/store/migrations.h"

namespace allot::app {

int Die(int status, const std::string& message) {
  std::cerr << "allot: " << message << std::endl;
  return status;
}

std::string DatabaseUrl(const std::string& data_dir, const std::string& db_url) {
  return db_url.empty() ? data_dir + "/allot.db" : db_url;
}

int RunInit(const InitOptions& options) {
  if (!auth::IsValidTenantId(options.tenant)) {
    return Die(2, "invalid --tenant '" + options.tenant +
                      "': use 1-64 characters of a-z, 0-9, '.', '_', '-'");
  }
  if (auto s = PrepareDataDir(options.data_dir); !s) return Die(1, s.error().message);
  auto db = store::Database::Open(
      {.url = DatabaseUrl(options.data_dir, options.db_url), .pool_size = 1});
  if (!db) return Die(1, db.error().message);
  if (auto s = store::Migrate(**db); !s) return Die(1, s.error().message);
  // The first administrator and tokens are audited like any later ones,
  // with the system as actor.
  const Actor init_actor{Actor::Kind::kSystem, "allot init"};
  std::string operator_token;
  auto record = [&](soci::session& sql, const auth::TenantCredentials& c) -> Status {
    const std::string& t = c.tenant;
    // The first init of a database also makes the vendor's first operator
    // token, committed with the tenant or not at all.
    auto first = auth::IssueFirstOperatorToken(sql);
    if (!first) return std::unexpected(first.error());
    if (*first) operator_token = (*first)->token;
    if (auto s = admin::RecordAudit(sql, t, init_actor, "admin.created", "principal", c.admin_id,
                                    nullptr,
                                    {{"id", c.admin_id},
                                     {"name", "initial admin"},
                                     {"role", "global_admin"},
                                     {"subscriptions", nlohmann::json::array()}});
        !s) {
      return s;
    }
    if (auto s = admin::RecordAudit(
            sql, t, init_actor, "token.issued", "token", c.admin_token_id, nullptr,
            {{"id", c.admin_token_id}, {"principal_id", c.admin_id}, {"kind", "admin"}});
        !s) {
      return s;
    }
    return admin::RecordAudit(sql, t, init_actor, "token.issued", "token", c.scim_token_id,
                              nullptr,
                              {{"id", c.scim_token_id},
                               {"principal_id", c.scim_client_id},
                               {"kind", "scim"},
                               {"name", "default SCIM client"}});
  };
  auto created = auth::CreateTenant(**db, options.tenant, record);
  if (!created) return Die(1, created.error().message);
  nlohmann::ordered_json out = {{"tenant", created->tenant},
                        {"admin_token", created->admin_token},
                        {"scim_token", created->scim_token}};
  if (!operator_token.empty()) out["operator_token"] = operator_token;
  std::cout << out.dump() << std::endl;
  return 0;
}

}  // namespace allot::app

namespace allot::app {

int RunOperatorToken(const OperatorTokenOptions& options) {
  std::error_code ec;
  if (options.db_url.empty() &&
      !std::filesystem::exists(options.data_dir + "/allot.db", ec)) {
    return Die(1, "no database in " + options.data_dir + ": run 'allot init --data-dir " +
                      options.data_dir + "' first");
  }
  auto db = store::Database::Open(
      {.url = DatabaseUrl(options.data_dir, options.db_url), .pool_size = 1});
  if (!db) return Die(1, db.error().message);
  if (auto s = store::Migrate(**db); !s) return Die(1, s.error().message);
  auto issued = (*db)->WriteValue<auth::IssuedToken>(
      [](soci::session& sql) { return auth::IssueOperatorToken(sql, "operator token"); });
  if (!issued) return Die(1, issued.error().message);
  nlohmann::ordered_json out = {{"id", issued->id}, {"operator_token", issued->token}};
  std::cout << out.dump() << std::endl;
  return 0;
}

}  // namespace allot::app
