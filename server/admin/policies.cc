// server/admin/policies.cc — see policies.h.
#include "server/admin/policies.h"

#include <limits>
#include <nlohmann/json.hpp>

#include "server/admin/handlers.h"
#include "server/admin/routes.h"

namespace allot::admin {
namespace {

using nlohmann::json;

json PolicyJson(const licensing::PolicyView& v, bool with_config) {
  json j = {{"name", v.name},         {"plugin", v.plugin},   {"priority", v.priority},
            {"source", v.source},     {"enabled", v.enabled}, {"status", v.status},
            {"loaded_at", v.loaded_at}};
  if (v.source == "api") j["version"] = v.version;
  if (!v.error.empty()) j["error"] = v.error;
  if (!v.failed_at.empty()) j["failed_at"] = v.failed_at;
  if (with_config) j["config"] = v.config;
  return j;
}

json PoliciesJson(const std::vector<licensing::PolicyView>& views) {
  json items = json::array();
  for (const auto& v : views) items.push_back(PolicyJson(v, false));
  return items;
}

json CountsJson(const licensing::ReconcileCounts& c) {
  return {{"users", c.users},
          {"batches", c.batches},
          {"activated", c.changes.activated},
          {"queued", c.changes.queued},
          {"released", c.changes.released},
          {"promoted", c.changes.promoted},
          {"policy_failures", c.policy_failures}};
}

// The body of PUT /policies/{name}.
Result<licensing::PolicyInput> ParsePolicyBody(std::string_view body) {
  auto j = ParseBody(body, {{"plugin", FieldType::kString, true},
                            {"priority", FieldType::kInteger, true},
                            {"config", FieldType::kObject, true},
                            {"enabled", FieldType::kBoolean}});
  if (!j) return std::unexpected(j.error());
  const json& priority = (*j)["priority"];
  const bool fits = priority.is_number_unsigned()
                        ? priority.get<uint64_t>() <= uint64_t{std::numeric_limits<int>::max()}
                        : priority.get<int64_t>() >= std::numeric_limits<int>::min() &&
                              priority.get<int64_t>() <= std::numeric_limits<int>::max();
  if (!fits) return Fail(ErrorCode::kInvalidRequest, "\"priority\" must be a 32-bit integer");
  return licensing::PolicyInput{.plugin = (*j)["plugin"],
                                .priority = priority.get<int>(),
                                .config = (*j)["config"],
                                .enabled = j->value("enabled", true)};
}

}  // namespace

void AddPolicyRoutes(http::Router& router, licensing::Engine& engine) {
  AddAdminRoute(router, "GET", "/plugins", Action::kReadPlugins,
                [&engine](const http::Request&, const Access&, http::Response& res) {
                  json items = json::array();
                  for (const licensing::PluginInfo& p : engine.Plugins()) {
                    json j = {{"name", p.name},
                              {"abi_version", p.abi_version >= 0 ? json(p.abi_version) : json(nullptr)}};
                    if (!p.error.empty()) j["error"] = p.error;
                    items.push_back(std::move(j));
                  }
                  RenderJson(200, {{"items", std::move(items)}, {"next_cursor", nullptr}}, res);
                });
  AddAdminRoute(router, "GET", "/policies", Action::kReadPolicies,
                [&engine](const http::Request&, const Access& access, http::Response& res) {
                  auto all = engine.ListPolicies(access.tenant());
                  if (!all) return RenderError(all.error(), res);
                  RenderJson(200, {{"items", PoliciesJson(*all)}, {"next_cursor", nullptr}}, res);
                });
  AddAdminRoute(router, "GET", "/policies/{name}", Action::kReadPolicies,
                [&engine](const http::Request& req, const Access& access, http::Response& res) {
                  auto one = engine.GetPolicy(access.tenant(), req.path_params[0]);
                  if (!one) return RenderError(one.error(), res);
                  RenderJson(200, PolicyJson(*one, true), res);
                });
  AddAdminRoute(router, "PUT", "/policies/{name}", Action::kManagePolicies,
                [&engine](const http::Request& req, const Access& access, http::Response& res) {
                  auto input = ParsePolicyBody(req.body);
                  if (!input) return RenderError(input.error(), res);
                  auto put = engine.PutPolicy(access.tenant(), req.path_params[0], *input,
                                              ActorOf(access));
                  if (!put) return RenderError(put.error(), res);
                  RenderJson(put->created ? 201 : 200, PolicyJson(put->policy, true), res);
                });
  AddAdminRoute(router, "DELETE", "/policies/{name}", Action::kManagePolicies,
                [&engine](const http::Request& req, const Access& access, http::Response& res) {
                  auto s = engine.DeletePolicy(access.tenant(), req.path_params[0], ActorOf(access));
                  if (!s) return RenderError(s.error(), res);
                  res.status = 204;
                });
  AddAdminRoute(router, "POST", "/policies/reload", Action::kManagePolicies,
                [&engine](const http::Request&, const Access& access, http::Response& res) {
                  auto r = engine.ReloadTenantPolicies(access.tenant(), ActorOf(access));
                  if (!r) return RenderError(r.error(), res);
                  RenderJson(200,
                             {{"policies", PoliciesJson(r->policies)},
                              {"reconcile", CountsJson(r->counts)}},
                             res);
                });
  AddAdminRoute(router, "POST", "/reconcile", Action::kManagePolicies,
                [&engine](const http::Request&, const Access& access, http::Response& res) {
                  auto counts = engine.ReconcileTenant(access.tenant(), ActorOf(access));
                  if (!counts) return RenderError(counts.error(), res);
                  RenderJson(200, CountsJson(*counts), res);
                });
  // Whether the licensing outcome of every change so far is applied: what
  // a script polls after a SCIM change before it reads licenses.
  AddAdminRoute(router, "GET", "/reconcile", Action::kReadPolicies,
                [&engine](const http::Request&, const Access& access, http::Response& res) {
                  auto b = engine.Pending(access.tenant());
                  if (!b) return RenderError(b.error(), res);
                  RenderJson(200,
                             {{"settled", b->settled()},
                              {"pending_users", b->marked_users},
                              {"policies_version", b->policy_version},
                              {"reconciled_version", b->reconciled_version}},
                             res);
                });
}

}  // namespace allot::admin
