// server/policy/attribute_path.h — a SCIM attribute path resolved once
// (`userType`, `name.givenName`, `emails.value`,
// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`)
// and walked many times over in-memory User resources, with no allocation.
// Thread-safety: an AttributePath is immutable; Visit is reentrant.
#pragma once

#include <charconv>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace allot::policy {

class AttributePath {
 public:
  // Parses `path`. Error: a message saying what is malformed.
  static std::expected<AttributePath, std::string> Parse(std::string_view path);

  // Calls fn(std::string_view) for every scalar value at this path in
  // `resource` (each element of a multi-valued attribute; booleans as
  // "true"/"false", numbers in JSON form; nulls and objects skipped); stops
  // early when fn returns false. Returns the number of values visited.
  template <typename Fn>
  int Visit(const nlohmann::json& resource, Fn&& fn) const;

 private:
  AttributePath() = default;
  // Member `key` of `obj` (exact match first, then ASCII case-insensitive as
  // SCIM attribute names are); null when absent or `obj` is no object.
  static const nlohmann::json* Member(const nlohmann::json& obj, std::string_view key);
  template <typename Fn>
  static bool Emit(const nlohmann::json& v, Fn& fn, int& count);

  std::string schema_;  // extension URN; empty for the core User schema
  std::vector<std::string> names_;  // attribute, then optional sub-attribute
};

template <typename Fn>
bool AttributePath::Emit(const nlohmann::json& v, Fn& fn, int& count) {
  char buf[32];
  std::string_view text;
  switch (v.type()) {
    case nlohmann::json::value_t::string:
      text = v.get_ref<const std::string&>();
      break;
    case nlohmann::json::value_t::boolean:
      text = v.get<bool>() ? "true" : "false";
      break;
    case nlohmann::json::value_t::number_integer:
      text = {buf, std::to_chars(buf, buf + sizeof buf, v.get<int64_t>()).ptr};
      break;
    case nlohmann::json::value_t::number_unsigned:
      text = {buf, std::to_chars(buf, buf + sizeof buf, v.get<uint64_t>()).ptr};
      break;
    case nlohmann::json::value_t::number_float:
      text = {buf, std::to_chars(buf, buf + sizeof buf, v.get<double>()).ptr};
      break;
    default:
      return true;  // null, object, array: no scalar value here
  }
  ++count;
  return fn(text);
}

template <typename Fn>
int AttributePath::Visit(const nlohmann::json& resource, Fn&& fn) const {
  int count = 0;
  const nlohmann::json* base = &resource;
  if (!schema_.empty() && (base = Member(resource, schema_)) == nullptr) return 0;
  const nlohmann::json* attr = Member(*base, names_[0]);
  if (attr == nullptr) return 0;
  // A multi-valued attribute is an array; its sub-attribute is read in each
  // element (`emails.value`); a singular complex one is an object.
  auto visit_one = [&](const nlohmann::json& v) -> bool {
    if (names_.size() == 1) return Emit(v, fn, count);
    const nlohmann::json* sub = Member(v, names_[1]);
    if (sub == nullptr) return true;
    if (!sub->is_array()) return Emit(*sub, fn, count);
    for (const auto& e : *sub) {
      if (!Emit(e, fn, count)) return false;
    }
    return true;
  };
  if (attr->is_array()) {
    for (const auto& e : *attr) {
      if (!visit_one(e)) break;
    }
  } else {
    visit_one(*attr);
  }
  return count;
}

}  // namespace allot::policy
