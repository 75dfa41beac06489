#include "scim/resource.h"

#include <string>
#include <unordered_set>

#include "scim/json_access.h"
#include "scim/json_parse.h"
#include "scim/value.h"

namespace scim {
namespace {

using nlohmann::json;

// Stores `value` for `resolved` into `out`, unless the client may not set it.
Status SetFromInput(const ResolvedAttribute& resolved, const json& value, json* out) {
  const Attribute& attr = *resolved.attribute;
  if (attr.mutability == Mutability::kReadOnly) return Ok();
  std::string path = resolved.in_extension ? resolved.schema->id + ":" + attr.name : attr.name;
  Result<json> coerced = CoerceValue(attr, value, path);
  if (!coerced) return Fail(coerced.error());
  if (attr.mutability == Mutability::kWriteOnly) return Ok();  // password: checked, not stored
  if (coerced->is_null()) return Ok();
  if (const Attribute* v = attr.FindSub("value");
      attr.multi_valued && v != nullptr && v->mutability == Mutability::kImmutable) {
    // Members are identified by value: keep the first of duplicates.
    std::unordered_set<std::string> seen;
    json unique = json::array();
    for (json& e : *coerced) {
      const json* id = internal::FindMember(e, "value");
      if (id == nullptr || seen.insert(id->dump()).second) unique.push_back(std::move(e));
    }
    *coerced = std::move(unique);
  }
  json& container = resolved.in_extension ? (*out)[resolved.schema->id] : *out;
  container[attr.name] = std::move(*coerced);
  return Ok();
}

Status CheckSchemas(const json& input) {
  const json* schemas = internal::FindMember(input, "schemas");
  if (schemas == nullptr) return Ok();
  if (!schemas->is_array()) return Fail(Error::InvalidSyntax("'schemas' must be an array of URNs"));
  for (const json& s : *schemas) {
    if (!s.is_string()) return Fail(Error::InvalidSyntax("'schemas' must be an array of URNs"));
  }
  return Ok();
}

Result<json> Normalize(const ResourceType& type, const json& input) {
  if (!input.is_object()) return Fail(Error::InvalidSyntax("the resource must be a JSON object"));
  if (Status s = CheckSchemas(input); !s) return Fail(s.error());
  json out = json::object();
  for (const auto& [key, value] : input.items()) {
    if (EqualsIgnoreCase(key, "schemas")) continue;
    if (StartsWithUrn(key)) {
      if (const Schema* ext = type.FindExtension(key); ext != nullptr) {
        if (value.is_null()) continue;
        if (!value.is_object()) {
          return Fail(Error::InvalidSyntax("'" + ext->id + "' must be an object of its attributes"));
        }
        for (const auto& [name, v] : value.items()) {
          const Attribute* attr = ext->Find(name);
          if (attr == nullptr) continue;
          if (Status s = SetFromInput({ext, true, attr, nullptr}, v, &out); !s) return Fail(s.error());
        }
        continue;
      }
    }
    // A plain or URN-qualified attribute name; anything else is ignored.
    Result<AttrPath> path = ParseAttrPath(key);
    if (!path || !path->sub.empty()) continue;
    Result<ResolvedAttribute> resolved = type.Resolve(*path);
    if (!resolved) continue;
    if (Status s = SetFromInput(*resolved, value, &out); !s) return Fail(s.error());
  }
  return out;
}

// Calls fn(resolved) for every attribute of the resource type.
template <typename Fn>
void ForEachAttribute(const ResourceType& type, Fn fn) {
  for (const Attribute& a : CommonAttributes()) fn(ResolvedAttribute{nullptr, false, &a, nullptr});
  for (const Attribute& a : type.schema->attributes) fn(ResolvedAttribute{type.schema, false, &a, nullptr});
  for (const SchemaExtension& e : type.extensions) {
    for (const Attribute& a : e.schema->attributes) fn(ResolvedAttribute{e.schema, true, &a, nullptr});
  }
}

}  // namespace

Result<json> ParseJsonObject(std::string_view body) {
  json j;
  switch (ParseJsonBounded(body, &j)) {
    case JsonParseStatus::kOk: break;
    case JsonParseStatus::kTooDeep: return Fail(Error::InvalidSyntax(JsonTooDeepMessage()));
    case JsonParseStatus::kInvalid:
      return Fail(Error::InvalidSyntax("the request body is not valid JSON"));
  }
  if (!j.is_object()) return Fail(Error::InvalidSyntax("the request body must be a JSON object"));
  return j;
}

Status CheckRequired(const ResourceType& type, const json& resource) {
  Status result = Ok();
  ForEachAttribute(type, [&](const ResolvedAttribute& r) {
    if (!result || !r.attribute->required || r.attribute->mutability == Mutability::kReadOnly) return;
    const json* v = internal::AttributeValue(resource, r);
    if (v == nullptr || IsUnassigned(*v)) {
      result = Fail(Error::InvalidValue("required attribute '" + r.attribute->name + "' is missing or empty"));
    }
  });
  return result;
}

void RefreshSchemas(const ResourceType& type, json* resource) {
  json schemas = json::array({type.schema->id});
  for (const SchemaExtension& e : type.extensions) {
    auto it = resource->find(e.schema->id);
    if (it == resource->end()) continue;
    if (IsUnassigned(*it)) {
      resource->erase(it);
    } else {
      schemas.push_back(e.schema->id);
    }
  }
  (*resource)["schemas"] = std::move(schemas);
}

Result<json> NormalizeForCreate(const ResourceType& type, const json& input) {
  Result<json> out = Normalize(type, input);
  if (!out) return out;
  if (Status s = CheckRequired(type, *out); !s) return Fail(s.error());
  RefreshSchemas(type, &*out);
  return out;
}

Result<json> NormalizeForReplace(const ResourceType& type, const json& input, const json& existing) {
  Result<json> out = Normalize(type, input);
  if (!out) return out;
  Status status = Ok();
  ForEachAttribute(type, [&](const ResolvedAttribute& r) {
    const Attribute& a = *r.attribute;
    if (!status || a.name == "id" || a.name == "meta") return;
    if (a.mutability != Mutability::kReadOnly && a.mutability != Mutability::kImmutable) return;
    const json* old_value = internal::AttributeValue(existing, r);
    if (old_value == nullptr || IsUnassigned(*old_value)) return;
    json& container = r.in_extension ? (*out)[r.schema->id] : *out;
    auto it = container.find(a.name);
    if (it == container.end()) {
      container[a.name] = *old_value;  // kept: the client may not clear it
    } else if (*it != *old_value) {
      status = Fail(Error::Mutability("attribute '" + a.name + "' is immutable and cannot be changed"));
    }
  });
  if (!status) return Fail(status.error());
  if (Status s = CheckRequired(type, *out); !s) return Fail(s.error());
  RefreshSchemas(type, &*out);
  return out;
}

}  // namespace scim
