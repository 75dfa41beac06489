#include "scim/discovery.h"

#include <string>

#include "scim/messages.h"

namespace scim {
namespace {

using nlohmann::json;

json RenderAttribute(const Attribute& a) {
  json out = {{"name", a.name},
              {"type", ToString(a.type)},
              {"multiValued", a.multi_valued},
              {"description", a.description},
              {"required", a.required},
              {"caseExact", a.case_exact},
              {"mutability", ToString(a.mutability)},
              {"returned", ToString(a.returned)},
              {"uniqueness", ToString(a.uniqueness)}};
  if (!a.canonical_values.empty()) out["canonicalValues"] = a.canonical_values;
  if (!a.reference_types.empty()) out["referenceTypes"] = a.reference_types;
  if (!a.sub_attributes.empty()) {
    json subs = json::array();
    for (const Attribute& s : a.sub_attributes) subs.push_back(RenderAttribute(s));
    out["subAttributes"] = std::move(subs);
  }
  return out;
}

}  // namespace

json RenderServiceProviderConfig(const ServiceProviderOptions& o, std::string_view base_url) {
  json out = {
      {"schemas", json::array({"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"})},
      {"patch", {{"supported", o.patch}}},
      {"bulk", {{"supported", o.bulk}, {"maxOperations", o.bulk_max_operations},
                {"maxPayloadSize", o.bulk_max_payload_size}}},
      {"filter", {{"supported", o.filter}, {"maxResults", o.filter_max_results}}},
      {"changePassword", {{"supported", o.change_password}}},
      {"sort", {{"supported", o.sort}}},
      {"etag", {{"supported", o.etag}}},
      {"authenticationSchemes",
       json::array({{{"type", "oauthbearertoken"},
                     {"name", "OAuth Bearer Token"},
                     {"description", "Authentication with a bearer token issued by allot"},
                     {"primary", true}}})},
      {"meta",
       {{"resourceType", "ServiceProviderConfig"}, {"location", std::string(base_url) + "/ServiceProviderConfig"}}}};
  if (!o.documentation_uri.empty()) out["documentationUri"] = o.documentation_uri;
  return out;
}

json RenderSchema(const Schema& schema, std::string_view base_url) {
  json attributes = json::array();
  for (const Attribute& a : schema.attributes) attributes.push_back(RenderAttribute(a));
  return {{"schemas", json::array({"urn:ietf:params:scim:schemas:core:2.0:Schema"})},
          {"id", schema.id},
          {"name", schema.name},
          {"description", schema.description},
          {"attributes", std::move(attributes)},
          {"meta", {{"resourceType", "Schema"}, {"location", std::string(base_url) + "/Schemas/" + schema.id}}}};
}

json RenderResourceType(const ResourceType& type, std::string_view base_url) {
  json extensions = json::array();
  for (const SchemaExtension& e : type.extensions) {
    extensions.push_back({{"schema", e.schema->id}, {"required", e.required}});
  }
  json out = {{"schemas", json::array({"urn:ietf:params:scim:schemas:core:2.0:ResourceType"})},
              {"id", type.id},
              {"name", type.name},
              {"endpoint", type.endpoint},
              {"description", type.description},
              {"schema", type.schema->id},
              {"meta",
               {{"resourceType", "ResourceType"}, {"location", std::string(base_url) + "/ResourceTypes/" + type.id}}}};
  if (!extensions.empty()) out["schemaExtensions"] = std::move(extensions);
  return out;
}

json RenderSchemas(const Registry& registry, std::string_view base_url) {
  std::vector<json> items;
  for (const Schema* s : registry.schemas()) items.push_back(RenderSchema(*s, base_url));
  auto n = static_cast<int64_t>(items.size());
  return ListResponse(std::move(items), n, 1);
}

json RenderResourceTypes(const Registry& registry, std::string_view base_url) {
  std::vector<json> items;
  for (const ResourceType* t : registry.resource_types()) items.push_back(RenderResourceType(*t, base_url));
  auto n = static_cast<int64_t>(items.size());
  return ListResponse(std::move(items), n, 1);
}

}  // namespace scim
