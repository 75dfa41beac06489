// server/licensing/policy_store.cc — see policy_store.h.
#include "server/licensing/policy_store.h"

#include <soci/soci.h>

#include "server/base/clock.h"
#include "server/licensing/audit.h"
#include "server/licensing/sql.h"
#include "server/store/database.h"

namespace allot::licensing {
namespace {

StoredPolicy FromRow(const soci::row& r) {
  StoredPolicy p;
  p.name = sql::Str(r, 0);
  p.plugin = sql::Str(r, 1);
  p.priority = static_cast<int>(sql::Int(r, 2));
  p.config = nlohmann::json::parse(sql::Str(r, 3), nullptr, false);
  if (!p.config.is_object()) p.config = nlohmann::json::object();
  p.enabled = sql::Int(r, 4) != 0;
  p.version = sql::Int(r, 5);
  p.created_at = sql::Str(r, 6);
  p.updated_at = sql::Str(r, 7);
  return p;
}

constexpr const char* kColumns =
    "SELECT name, plugin, priority, config, enabled, version, created_at, updated_at FROM "
    "policies WHERE tenant_id = :p0";

nlohmann::json AuditView(const StoredPolicy& p) {
  return {{"plugin", p.plugin},
          {"priority", p.priority},
          {"config", p.config},
          {"enabled", p.enabled},
          {"version", p.version}};
}

template <typename Fn>
Status Guard(Fn&& fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    return std::unexpected(store::ErrorFromException(e));
  }
  return Ok();
}

}  // namespace

std::string LockRows(soci::session& sql, bool exclusive) {
  if (sql.get_backend_name() != "postgresql") return "";
  return exclusive ? " FOR UPDATE" : " FOR SHARE";
}

Result<std::vector<StoredPolicy>> ListStoredPolicies(soci::session& sql,
                                                     const std::string& tenant) {
  std::vector<StoredPolicy> out;
  auto s = sql::Run(sql, std::string(kColumns) + " ORDER BY name", {tenant},
                    [&](const soci::row& r) { out.push_back(FromRow(r)); });
  if (!s) return std::unexpected(s.error());
  return out;
}

Result<std::optional<StoredPolicy>> GetStoredPolicy(soci::session& sql, const std::string& tenant,
                                                    const std::string& name) {
  std::optional<StoredPolicy> out;
  auto s = sql::Run(sql, std::string(kColumns) + " AND name = :p1", {tenant, name},
                    [&](const soci::row& r) { out = FromRow(r); });
  if (!s) return std::unexpected(s.error());
  return out;
}

Result<std::pair<StoredPolicy, bool>> PutStoredPolicy(soci::session& sql,
                                                      const std::string& tenant,
                                                      const std::string& name,
                                                      const PolicyInput& input,
                                                      const Actor& actor) {
  std::optional<StoredPolicy> before;
  auto s = sql::Run(sql, std::string(kColumns) + " AND name = :p1" + LockRows(sql, true),
                    {tenant, name}, [&](const soci::row& r) { before = FromRow(r); });
  if (!s) return std::unexpected(s.error());
  StoredPolicy after{.name = name,
                     .plugin = input.plugin,
                     .priority = input.priority,
                     .config = input.config,
                     .enabled = input.enabled,
                     .version = before ? before->version + 1 : 1,
                     .created_at = before ? before->created_at : NowRfc3339(),
                     .updated_at = NowRfc3339()};
  const std::string config = after.config.dump();
  long long priority = after.priority, version = after.version;
  int enabled = after.enabled ? 1 : 0;
  s = Guard([&] {
    if (before) {
      sql << "UPDATE policies SET plugin = :pl, priority = :pr, config = :c, enabled = :e, "
             "version = :v, updated_at = :u WHERE tenant_id = :t AND name = :n",
          soci::use(after.plugin), soci::use(priority), soci::use(config), soci::use(enabled),
          soci::use(version), soci::use(after.updated_at), soci::use(tenant), soci::use(name);
    } else {
      sql << "INSERT INTO policies (tenant_id, name, plugin, priority, config, enabled, version, "
             "created_at, updated_at) VALUES (:t, :n, :pl, :pr, :c, :e, :v, :ca, :u)",
          soci::use(tenant), soci::use(name), soci::use(after.plugin), soci::use(priority),
          soci::use(config), soci::use(enabled), soci::use(version), soci::use(after.created_at),
          soci::use(after.updated_at);
    }
  });
  if (!s) return std::unexpected(s.error());
  if (auto r = RaisePolicyVersion(sql, tenant); !r) return std::unexpected(r.error());
  AuditEvent event{.action = before ? "policy.updated" : "policy.created",
                   .target_kind = "policy",
                   .target_id = name,
                   .before_json = before ? AuditJson(AuditView(*before)) : "",
                   .after_json = AuditJson(AuditView(after))};
  if (auto w = WriteAudit(sql, tenant, actor, event); !w) return std::unexpected(w.error());
  return std::make_pair(std::move(after), !before.has_value());
}

Status DeleteStoredPolicy(soci::session& sql, const std::string& tenant, const std::string& name,
                          const Actor& actor) {
  std::optional<StoredPolicy> before;
  auto s = sql::Run(sql, std::string(kColumns) + " AND name = :p1" + LockRows(sql, true),
                    {tenant, name}, [&](const soci::row& r) { before = FromRow(r); });
  if (!s) return s;
  if (!before) return Fail(ErrorCode::kNotFound, "no policy named \"" + name + "\"");
  s = sql::Run(sql, "DELETE FROM policies WHERE tenant_id = :p0 AND name = :p1", {tenant, name});
  if (!s) return s;
  s = sql::Run(sql, "DELETE FROM policy_status WHERE tenant_id = :p0 AND name = :p1",
               {tenant, name});
  if (!s) return s;
  if (auto r = RaisePolicyVersion(sql, tenant); !r) return r;
  return WriteAudit(sql, tenant, actor,
                    AuditEvent{.action = "policy.deleted",
                               .target_kind = "policy",
                               .target_id = name,
                               .before_json = AuditJson(AuditView(*before))});
}

namespace {

PolicyVersion VersionFromRow(const soci::row& r, size_t first) {
  return {sql::Int(r, first), sql::Int(r, first + 1), sql::Str(r, first + 2),
          sql::Str(r, first + 3)};
}

}  // namespace

Result<PolicyVersion> LockPolicyVersion(soci::session& sql, const std::string& tenant) {
  const std::string query =
      "SELECT version, reconciled_version, pass_owner, pass_until FROM tenant_policy_state "
      "WHERE tenant_id = :p0" +
      LockRows(sql, false);
  std::optional<PolicyVersion> out;
  auto s = sql::Run(sql, query, {tenant}, [&](const soci::row& r) { out = VersionFromRow(r, 0); });
  if (!s) return std::unexpected(s.error());
  if (out) return *out;
  // A tenant made after the migration: give it its row (waiting, on
  // PostgreSQL, for a policy change inserting it at the same time).
  s = sql::Run(sql,
               "INSERT INTO tenant_policy_state (tenant_id, version, reconciled_version) VALUES "
               "(:p0, 0, 0) ON CONFLICT (tenant_id) DO NOTHING",
               {tenant});
  if (!s) return std::unexpected(s.error());
  s = sql::Run(sql, query, {tenant}, [&](const soci::row& r) { out = VersionFromRow(r, 0); });
  if (!s) return std::unexpected(s.error());
  return out.value_or(PolicyVersion{});
}

Result<std::map<std::string, PolicyVersion>> AllPolicyVersions(soci::session& sql) {
  std::map<std::string, PolicyVersion> out;
  // Every row; a parameter used once (a name repeated, `:p0 = :p0`, is two
  // parameters on PostgreSQL, so that query failed there).
  auto s = sql::Run(sql,
                    "SELECT tenant_id, version, reconciled_version, pass_owner, pass_until FROM "
                    "tenant_policy_state WHERE tenant_id <> :p0",
                    {""}, [&](const soci::row& r) { out[sql::Str(r, 0)] = VersionFromRow(r, 1); });
  if (!s) return std::unexpected(s.error());
  return out;
}

Status RaisePolicyVersion(soci::session& sql, const std::string& tenant) {
  return sql::Run(sql,
                  "INSERT INTO tenant_policy_state (tenant_id, version, reconciled_version) "
                  "VALUES (:p0, 1, 0) ON CONFLICT (tenant_id) DO UPDATE SET version = "
                  "tenant_policy_state.version + 1",
                  {tenant});
}

Result<bool> ClaimPass(soci::session& sql, const std::string& tenant, const std::string& owner,
                       const std::string& now, const std::string& until) {
  if (auto v = LockPolicyVersion(sql, tenant); !v) return std::unexpected(v.error());
  int64_t changed = 0;
  auto s = Guard([&] {
    soci::statement st =
        (sql.prepare << "UPDATE tenant_policy_state SET pass_owner = :o, pass_until = :u WHERE "
                        "tenant_id = :t AND (pass_owner IS NULL OR pass_owner = :o2 OR "
                        "pass_until IS NULL OR pass_until < :n)",
         soci::use(owner), soci::use(until), soci::use(tenant), soci::use(owner), soci::use(now));
    st.execute(true);
    changed = st.get_affected_rows();
  });
  if (!s) return std::unexpected(s.error());
  return changed > 0;
}

Status FinishPass(soci::session& sql, const std::string& tenant, const std::string& owner,
                  int64_t version) {
  long long v = version;
  return Guard([&] {
    sql << "UPDATE tenant_policy_state SET reconciled_version = CASE WHEN reconciled_version < "
           ":v THEN :v2 ELSE reconciled_version END, pass_owner = CASE WHEN pass_owner = :o THEN "
           "NULL ELSE pass_owner END, pass_until = CASE WHEN pass_owner = :o2 THEN NULL ELSE "
           "pass_until END WHERE tenant_id = :t",
        soci::use(v), soci::use(v), soci::use(owner), soci::use(owner), soci::use(tenant);
  });
}

Result<std::map<std::string, StoredStatus>> ReadPolicyStatuses(soci::session& sql,
                                                               const std::string& tenant) {
  std::map<std::string, StoredStatus> out;
  auto s = sql::Run(sql, "SELECT name, status, error, failed_at FROM policy_status WHERE tenant_id = :p0",
                    {tenant}, [&](const soci::row& r) {
                      out[sql::Str(r, 0)] = {sql::Str(r, 1), sql::Str(r, 2), sql::Str(r, 3)};
                    });
  if (!s) return std::unexpected(s.error());
  return out;
}

Status RecordPolicyFailure(soci::session& sql, const std::string& tenant, const std::string& name,
                           const std::string& error) {
  return sql::Run(sql,
                  "INSERT INTO policy_status (tenant_id, name, status, error, failed_at) VALUES "
                  "(:p0, :p1, 'failed', :p2, :p3) ON CONFLICT (tenant_id, name) DO UPDATE SET "
                  "status = 'failed', error = excluded.error, failed_at = excluded.failed_at",
                  {tenant, name, error, NowRfc3339()});
}

Status RecordPolicySuccess(soci::session& sql, const std::string& tenant, const std::string& name) {
  return sql::Run(sql,
                  "UPDATE policy_status SET status = 'ok', error = NULL, failed_at = NULL WHERE "
                  "tenant_id = :p0 AND name = :p1 AND status = 'failed'",
                  {tenant, name});
}

}  // namespace allot::licensing
