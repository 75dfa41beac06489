#include "scim/projection.h"

#include "scim/json_access.h"

namespace scim {
namespace {

using nlohmann::json;

Status ParseList(const ResourceType& type, std::string_view list, std::vector<ResolvedAttribute>* out,
                 std::vector<const Schema*>* extensions) {
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string_view::npos) comma = list.size();
    std::string_view name = list.substr(start, comma - start);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    start = comma + 1;
    if (name.empty()) continue;
    if (const Schema* ext = type.FindExtension(name); ext != nullptr) {
      extensions->push_back(ext);
      continue;
    }
    Result<AttrPath> path = ParseAttrPath(name);
    if (!path) return Fail(path.error());
    Result<ResolvedAttribute> r = type.Resolve(*path);
    if (r) out->push_back(*r);
  }
  return Ok();
}

// How `list` names `attr`: as a whole, or some of its sub-attributes.
struct Selection {
  bool whole = false;
  std::vector<const Attribute*> subs;
  bool named() const { return whole || !subs.empty(); }
};

Selection Select(const std::vector<ResolvedAttribute>& list, const Attribute& attr) {
  Selection s;
  for (const ResolvedAttribute& r : list) {
    if (r.attribute != &attr) continue;
    if (r.sub_attribute == nullptr) {
      s.whole = true;
    } else {
      s.subs.push_back(r.sub_attribute);
    }
  }
  return s;
}

bool Contains(const std::vector<const Schema*>& list, const Schema* s) {
  for (const Schema* x : list) {
    if (x == s) return true;
  }
  return false;
}

json KeepSubs(const json& value, const std::vector<const Attribute*>& subs, bool keep) {
  auto filter_one = [&](const json& element) {
    if (!element.is_object()) return element;
    json out = json::object();
    for (const auto& [k, v] : element.items()) {
      bool listed = false;
      for (const Attribute* s : subs) listed = listed || EqualsIgnoreCase(s->name, k);
      if (listed == keep) out[k] = v;
    }
    return out;
  };
  if (!value.is_array()) return filter_one(value);
  json out = json::array();
  for (const json& e : value) {
    json f = filter_one(e);
    if (!f.empty()) out.push_back(std::move(f));
  }
  return out;
}

// Decides one attribute's output; returns null when it is left out.
json ProjectAttribute(const Attribute& attr, const json& value, const Projection& p, bool extension_named,
                      bool extension_excluded) {
  if (attr.returned == Returned::kNever) return nullptr;
  if (attr.returned == Returned::kAlways) return value;
  if (p.has_attributes) {
    Selection s = Select(p.attributes, attr);
    if (s.whole || extension_named) return value;
    if (!s.subs.empty()) return KeepSubs(value, s.subs, true);
    return nullptr;
  }
  if (attr.returned == Returned::kRequest || extension_excluded) return nullptr;
  Selection s = Select(p.excluded, attr);
  if (s.whole) return nullptr;
  if (!s.subs.empty()) return KeepSubs(value, s.subs, false);
  return value;
}

}  // namespace

Result<Projection> ParseProjection(const ResourceType& type, std::string_view attributes,
                                   std::string_view excluded_attributes) {
  Projection p;
  if (Status s = ParseList(type, attributes, &p.attributes, &p.attribute_extensions); !s) return Fail(s.error());
  if (Status s = ParseList(type, excluded_attributes, &p.excluded, &p.excluded_extensions); !s) {
    return Fail(s.error());
  }
  p.has_attributes = !p.attributes.empty() || !p.attribute_extensions.empty();
  if (!p.has_attributes && !attributes.empty()) {
    // Only unknown names were asked for: return the always-returned ones.
    p.has_attributes = attributes.find_first_not_of(" ,") != std::string_view::npos;
  }
  return p;
}

json ApplyProjection(const ResourceType& type, const Projection& p, const json& resource) {
  json out = json::object();
  if (!resource.is_object()) return out;
  if (const json* schemas = internal::FindMember(resource, "schemas"); schemas != nullptr) {
    out["schemas"] = *schemas;
  }
  auto project = [&](const Attribute& attr, const json& container, json* target, bool named, bool excluded) {
    const json* v = internal::FindMember(container, attr.name);
    if (v == nullptr) return;
    json projected = ProjectAttribute(attr, *v, p, named, excluded);
    if (!projected.is_null() && !(projected.empty() && !v->empty())) {
      (*target)[attr.name] = std::move(projected);
    }
  };
  for (const Attribute& a : CommonAttributes()) project(a, resource, &out, false, false);
  for (const Attribute& a : type.schema->attributes) project(a, resource, &out, false, false);
  for (const SchemaExtension& e : type.extensions) {
    const json* ext = internal::FindMember(resource, e.schema->id);
    if (ext == nullptr || !ext->is_object()) continue;
    json ext_out = json::object();
    bool named = Contains(p.attribute_extensions, e.schema);
    bool excluded = Contains(p.excluded_extensions, e.schema);
    for (const Attribute& a : e.schema->attributes) project(a, *ext, &ext_out, named, excluded);
    if (!ext_out.empty()) out[e.schema->id] = std::move(ext_out);
  }
  return out;
}

bool IsReturned(const ResourceType& type, const Projection& p, std::string_view attr_name) {
  const Attribute* attr = type.schema->Find(attr_name);
  if (attr == nullptr) return false;
  if (attr->returned == Returned::kNever) return false;
  if (attr->returned == Returned::kAlways) return true;
  if (p.has_attributes) return Select(p.attributes, *attr).named();
  if (attr->returned == Returned::kRequest) return false;
  Selection s = Select(p.excluded, *attr);
  return !s.whole;
}

}  // namespace scim
