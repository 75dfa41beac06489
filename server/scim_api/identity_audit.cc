#include "server/scim_api/identity_audit.h"

#include "server/licensing/audit.h"
#include "server/scim_api/sql_util.h"

namespace allot::scim_api {
namespace {

using nlohmann::json;

void CopyString(const json& from, const char* key, json& to) {
  auto it = from.find(key);
  if (it != from.end() && it->is_string()) to[key] = *it;
}

bool ActiveOf(const json& resource) {
  auto it = resource.find("active");
  return it == resource.end() || !it->is_boolean() || it->get<bool>();
}

}  // namespace

json UserSummary(const json& resource) {
  json out = json::object();
  CopyString(resource, "userName", out);
  CopyString(resource, "displayName", out);
  CopyString(resource, "externalId", out);
  out["active"] = ActiveOf(resource);
  return out;
}

json GroupSummary(const json& resource) {
  json out = json::object();
  CopyString(resource, "displayName", out);
  CopyString(resource, "externalId", out);
  return out;
}

scim::Status AuditIdentity(soci::session& sql, const Caller& caller, std::string_view action,
                           std::string_view kind, const std::string& id, const json& before,
                           const json& after) {
  allot::Status s = licensing::WriteAudit(
      sql, caller.tenant, caller.actor,
      {.action = std::string(action),
       .target_kind = std::string(kind),
       .target_id = id,
       .user_id = kind == "user" ? id : std::string(),
       .before_json = licensing::AuditJson(before),
       .after_json = licensing::AuditJson(after)});
  if (!s) return scim::Fail(FromStoreError(s.error()));
  return scim::Ok();
}

scim::Status AuditUserChange(soci::session& sql, const Caller& caller, const std::string& id,
                             const json& before, const json& after) {
  const bool was = ActiveOf(before), is = ActiveOf(after);
  const char* action = was == is ? "user.updated" : is ? "user.reactivated" : "user.deactivated";
  return AuditIdentity(sql, caller, action, "user", id, UserSummary(before), UserSummary(after));
}

}  // namespace allot::scim_api
