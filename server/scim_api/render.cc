#include "server/scim_api/render.h"

#include <nlohmann/json.hpp>

#include "scim/messages.h"
#include "scim/schema.h"
#include "server/scim_api/list_store.h"

namespace allot::scim_api {
namespace {

using nlohmann::json;

std::string Quote(const std::string& s) {
  return json(s).dump(-1, ' ', false, json::error_handler_t::replace);
}

json MetaJson(const ResourceRow& row, const char* type, const std::string& location) {
  return {{"resourceType", type},
          {"created", row.created},
          {"lastModified", row.updated},
          {"location", location},
          {"version", ETag(row.version)}};
}

json RefsJson(const std::vector<Ref>& refs, const std::string& base_url, bool members) {
  json out = json::array();
  for (const Ref& r : refs) {
    const bool is_group = !members || r.type == "Group";
    json item = {{"value", r.value},
                 {"$ref", is_group ? GroupLocation(base_url, r.value)
                                   : UserLocation(base_url, r.value)},
                 {"type", r.type}};
    if (!r.display.empty()) item["display"] = r.display;
    out.push_back(std::move(item));
  }
  return out;
}

// {"id":…,"meta":…,[extra,] + stored members without the opening brace.
std::string Splice(const ResourceRow& row, const json& meta, const char* extra_key,
                   const json* extra) {
  std::string out;
  out.reserve(row.resource.size() + 256);
  out += "{\"id\":";
  out += Quote(row.id);
  out += ",\"meta\":";
  out += meta.dump(-1, ' ', false, json::error_handler_t::replace);
  if (extra) {
    out += ",\"";
    out += extra_key;
    out += "\":";
    out += extra->dump(-1, ' ', false, json::error_handler_t::replace);
  }
  const std::string& r = row.resource;
  size_t open = r.find('{');
  if (open == std::string::npos) {
    out += '}';
    return out;
  }
  std::string_view rest(r.data() + open + 1, r.size() - open - 1);
  size_t i = 0;
  while (i < rest.size() && (rest[i] == ' ' || rest[i] == '\n')) ++i;
  if (i < rest.size() && rest[i] != '}') out += ',';
  out.append(rest.data(), rest.size());
  return out;
}

std::string Projected(const ResourceRow& row, const char* type_id, const json& meta,
                      const char* extra_key, const json* extra,
                      const scim::Projection& projection, const json* licensing = nullptr) {
  json doc = ParseStored(row.resource);
  doc["id"] = row.id;
  doc["meta"] = meta;
  if (extra) doc[extra_key] = *extra;
  if (licensing) {
    const std::string urn(scim::kLicensingSchema);
    doc[urn] = *licensing;
    if (doc["schemas"].is_array()) doc["schemas"].push_back(urn);
  }
  const scim::ResourceType& type = *scim::DefaultRegistry().FindResourceType(type_id);
  return scim::ApplyProjection(type, projection, doc)
      .dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

std::string ETag(long long version) { return "W/\"" + std::to_string(version) + "\""; }

std::string UserLocation(const std::string& base_url, const std::string& id) {
  return base_url + "/scim/v2/Users/" + id;
}
std::string GroupLocation(const std::string& base_url, const std::string& id) {
  return base_url + "/scim/v2/Groups/" + id;
}

bool WantsLicensing(const scim::Projection* projection) {
  if (projection == nullptr) return false;
  for (const scim::Schema* s : projection->attribute_extensions) {
    if (s->id == scim::kLicensingSchema) return true;
  }
  for (const scim::ResolvedAttribute& a : projection->attributes) {
    if (a.schema != nullptr && a.schema->id == scim::kLicensingSchema) return true;
  }
  return false;
}

std::string RenderUser(const ResourceRow& row, const std::vector<Ref>* groups,
                       const std::string& base_url, const scim::Projection* projection,
                       const json* licensing) {
  json meta = MetaJson(row, "User", UserLocation(base_url, row.id));
  std::optional<json> g;
  if (groups && !groups->empty()) g = RefsJson(*groups, base_url, false);
  if (projection) {
    return Projected(row, "User", meta, "groups", g ? &*g : nullptr, *projection, licensing);
  }
  return Splice(row, meta, "groups", g ? &*g : nullptr);
}

std::string RenderGroup(const ResourceRow& row, const std::vector<Ref>* members,
                        const std::string& base_url, const scim::Projection* projection) {
  json meta = MetaJson(row, "Group", GroupLocation(base_url, row.id));
  std::optional<json> m;
  if (members && !members->empty()) m = RefsJson(*members, base_url, true);
  if (projection) return Projected(row, "Group", meta, "members", m ? &*m : nullptr, *projection);
  return Splice(row, meta, "members", m ? &*m : nullptr);
}

std::string RenderList(long long total, long long start_index,
                       const std::vector<std::string>& resources,
                       const std::optional<std::string>& next_cursor, bool count_zero) {
  std::string out = "{\"schemas\":[\"";
  out += scim::kListResponseSchema;
  out += "\"],\"totalResults\":" + std::to_string(total);
  out += ",\"itemsPerPage\":" + std::to_string(resources.size());
  out += ",\"startIndex\":" + std::to_string(start_index);
  if (next_cursor) out += ",\"nextCursor\":" + Quote(*next_cursor);
  if (!count_zero) {
    out += ",\"Resources\":[";
    for (size_t i = 0; i < resources.size(); ++i) {
      if (i) out += ',';
      out += resources[i];
    }
    out += ']';
  }
  out += '}';
  return out;
}

}  // namespace allot::scim_api
