#include "scim/json_access.h"

#include <cctype>

namespace scim::internal {

using nlohmann::json;

const json* FindMember(const json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  if (it != object.end()) return &*it;
  for (auto i = object.begin(); i != object.end(); ++i) {
    if (EqualsIgnoreCase(i.key(), key)) return &*i;
  }
  return nullptr;
}

json* FindMember(json& object, std::string_view key) {
  return const_cast<json*>(FindMember(static_cast<const json&>(object), key));
}

const json* Container(const json& resource, const ResolvedAttribute& resolved) {
  if (!resolved.in_extension) return &resource;
  return FindMember(resource, resolved.schema->id);
}

const json* AttributeValue(const json& resource, const ResolvedAttribute& resolved) {
  const json* container = Container(resource, resolved);
  if (container == nullptr) return nullptr;
  return FindMember(*container, resolved.attribute->name);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace scim::internal
