#include "scim/sort.h"

#include <optional>

#include "scim/json_access.h"
#include "scim/value.h"

namespace scim {
namespace {

using nlohmann::json;

const json* PickElement(const json& values) {
  if (!values.is_array()) return &values;
  for (const json& e : values) {
    const json* p = internal::FindMember(e, "primary");
    if (p != nullptr && *p == true) return &e;
  }
  return values.empty() ? nullptr : &values[0];
}

// The value to sort by, and the definition that types it.
const json* SortValue(const SortSpec& spec, const json& resource, const Attribute** def) {
  const ResolvedAttribute& r = spec.attribute;
  const json* v = internal::AttributeValue(resource, r);
  if (v == nullptr || v->is_null()) return nullptr;
  *def = r.attribute;
  if (r.attribute->multi_valued) v = PickElement(*v);
  if (v == nullptr) return nullptr;
  const Attribute* sub = r.sub_attribute;
  if (sub == nullptr && r.attribute->type == AttrType::kComplex) sub = r.attribute->FindSub("value");
  if (sub != nullptr) {
    *def = sub;
    v = internal::FindMember(*v, sub->name);
  }
  if (v == nullptr || IsUnassigned(*v)) return nullptr;
  return v;
}

int Sign(auto a, auto b) { return a < b ? -1 : (a > b ? 1 : 0); }

int CompareValues(const Attribute& def, const json& a, const json& b) {
  if (a.is_number() && b.is_number()) return Sign(a.get<double>(), b.get<double>());
  if (a.is_boolean() && b.is_boolean()) return Sign(a.get<bool>(), b.get<bool>());
  if (a.is_string() && b.is_string()) {
    const std::string& x = a.get_ref<const std::string&>();
    const std::string& y = b.get_ref<const std::string&>();
    if (def.type == AttrType::kDateTime) {
      std::optional<int64_t> tx = ParseDateTime(x), ty = ParseDateTime(y);
      if (tx && ty) return Sign(*tx, *ty);
    }
    if (def.case_exact) return Sign(x.compare(y), 0);
    return Sign(internal::Lower(x).compare(internal::Lower(y)), 0);
  }
  return Sign(static_cast<int>(a.type()), static_cast<int>(b.type()));
}

}  // namespace

Result<SortSpec> ParseSort(const ResourceType& type, std::string_view sort_by, std::string_view sort_order) {
  SortSpec spec;
  if (sort_order.empty() || EqualsIgnoreCase(sort_order, "ascending")) {
    spec.descending = false;
  } else if (EqualsIgnoreCase(sort_order, "descending")) {
    spec.descending = true;
  } else {
    return Fail(Error::InvalidValue("sortOrder must be 'ascending' or 'descending'"));
  }
  Result<AttrPath> path = ParseAttrPath(sort_by);
  if (!path) return Fail(path.error());
  Result<ResolvedAttribute> r = type.Resolve(*path);
  if (!r) return Fail(Error::InvalidPath("sortBy: " + r.error().detail));
  spec.attribute = *r;
  return spec;
}

int CompareForSort(const SortSpec& spec, const json& a, const json& b) {
  const Attribute* def_a = nullptr;
  const Attribute* def_b = nullptr;
  const json* va = SortValue(spec, a, &def_a);
  const json* vb = SortValue(spec, b, &def_b);
  if (va == nullptr || vb == nullptr) return Sign(va == nullptr, vb == nullptr);  // missing last
  int c = CompareValues(*def_a, *va, *vb);
  return spec.descending ? -c : c;
}

}  // namespace scim
