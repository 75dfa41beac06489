// ApplyPatch: the semantics of RFC 7644 §3.5.2.1–3 on a JSON resource.
// See scim/patch.h for the decisions taken where the RFC is silent.
#include <string>
#include <unordered_set>

#include "scim/filter_eval.h"
#include "scim/json_access.h"
#include "scim/patch.h"
#include "scim/resource.h"
#include "scim/value.h"

namespace scim {
namespace {

using internal::FindMember;
using nlohmann::json;

// Elements of `attr` whose "value" is immutable (group members) are the same
// element when their values are equal; others only when wholly equal.
bool IdentifiedByValue(const Attribute& attr) {
  const Attribute* v = attr.FindSub("value");
  return v != nullptr && v->mutability == Mutability::kImmutable;
}

std::string IdentityKey(const Attribute& attr, const json& element) {
  if (IdentifiedByValue(attr) && element.is_object()) {
    if (const json* v = FindMember(element, "value"); v != nullptr) return "v" + v->dump();
  }
  return "e" + element.dump();
}

// Builds {"type":"work"} from `type eq "work"` (and conjunctions of such).
bool ExtractEqualities(const FilterNode& f, const Attribute& attr, json* out) {
  if (const auto* c = std::get_if<Comparison>(&f.node)) {
    if (c->op != CompareOp::kEq || c->value.is_null() || !c->path.urn.empty() || !c->path.sub.empty()) {
      return false;
    }
    const Attribute* sub = attr.FindSub(c->path.attr);
    if (sub == nullptr) return false;
    (*out)[sub->name] = c->value;
    return true;
  }
  if (const auto* l = std::get_if<Logical>(&f.node)) {
    if (l->op != Logical::Op::kAnd) return false;
    for (const FilterPtr& operand : l->operands) {
      if (!ExtractEqualities(*operand, attr, out)) return false;
    }
    return true;
  }
  return false;
}

class Patcher {
 public:
  Patcher(const ResourceType& type, json resource) : type_(type), res_(std::move(resource)) {}

  json& resource() { return res_; }

  Status Apply(const PatchOperation& op) {
    if (op.path) {
      if (op.op == PatchOpType::kRemove) return Remove(*op.path, op.value);
      return Set(op.op, *op.path, op.value);
    }
    if (op.op == PatchOpType::kRemove) return Fail(Error::NoTarget("remove needs a \"path\""));
    if (!op.value.is_object()) {
      return Fail(Error::InvalidValue("add or replace without \"path\" needs an object of attributes as \"value\""));
    }
    for (const auto& [key, v] : op.value.items()) {
      if (EqualsIgnoreCase(key, "schemas") || EqualsIgnoreCase(key, "meta")) continue;
      if (const Schema* ext = StartsWithUrn(key) ? type_.FindExtension(key) : nullptr;
          ext != nullptr && v.is_object()) {
        if (Status s = SetExtension(op.op, *ext, v); !s) return s;
        continue;
      }
      Result<Path> path = ParsePath(key);
      if (!path) continue;  // not an attribute name: ignored like unknown attributes
      if (Status s = Set(op.op, *path, v); !s) return s;
    }
    return Ok();
  }

 private:
  Status SetExtension(PatchOpType op, const Schema& ext, const json& value) {
    for (const auto& [name, v] : value.items()) {
      Result<AttrPath> attr = ParseAttrPath(name);
      if (!attr || !attr->urn.empty()) continue;
      attr->urn = ext.id;
      if (Status s = Set(op, Path{*attr, nullptr}, v); !s) return s;
    }
    return Ok();
  }

  // Resolves the attribute of `path`; nullopt for names the type lacks (such
  // paths are ignored) or a bare extension URN (handled by the callers).
  std::optional<ResolvedAttribute> Resolve(const Path& path) {
    Result<ResolvedAttribute> r = type_.Resolve(AttrPath{path.attr.urn, path.attr.attr, ""});
    if (!r) return std::nullopt;
    if (!path.attr.sub.empty()) {
      r->sub_attribute = r->attribute->FindSub(path.attr.sub);
      if (r->sub_attribute == nullptr) return std::nullopt;
    }
    return *r;
  }

  const Schema* BareExtension(const Path& path) {
    if (path.attr.urn.empty() || !path.attr.sub.empty() || path.filter) return nullptr;
    return type_.FindExtension(path.attr.urn + ":" + path.attr.attr);
  }

  json* Container(const ResolvedAttribute& r, bool create) {
    if (!r.in_extension) return &res_;
    json* ext = FindMember(res_, r.schema->id);
    if (ext == nullptr || !ext->is_object()) {
      if (!create) return nullptr;
      res_[r.schema->id] = json::object();
      ext = &res_[r.schema->id];
    }
    return ext;
  }

  static std::string Name(const ResolvedAttribute& r) {
    std::string n = r.in_extension ? r.schema->id + ":" + r.attribute->name : r.attribute->name;
    if (r.sub_attribute) n += "." + r.sub_attribute->name;
    return n;
  }

  // The current value at a plain (filterless) target, or nullptr.
  const json* Current(const ResolvedAttribute& r) {
    if (r.schema == nullptr && r.attribute->name == "id") return FindMember(res_, "id");
    json* c = Container(r, false);
    if (c == nullptr) return nullptr;
    const json* v = FindMember(*c, r.attribute->name);
    if (v == nullptr || r.sub_attribute == nullptr) return v;
    return v->is_object() ? FindMember(*v, r.sub_attribute->name) : nullptr;
  }

  // Enforces mutability for a write of `coerced` to a plain target.
  // Returns true when the write is a no-op that must be skipped.
  Result<bool> CheckWritable(const ResolvedAttribute& r, const json& coerced, bool has_filter) {
    const Attribute& a = *r.attribute;
    const Attribute& t = r.target();
    if (a.mutability == Mutability::kWriteOnly) return true;  // password: dropped
    bool read_only = a.mutability == Mutability::kReadOnly || t.mutability == Mutability::kReadOnly;
    bool immutable = a.mutability == Mutability::kImmutable || t.mutability == Mutability::kImmutable;
    if (!read_only && !immutable) return false;
    const json* current = has_filter ? nullptr : Current(r);
    if (read_only) {
      if (r.schema == nullptr && a.name == "id" && current == nullptr) return true;  // cannot check
      if (current != nullptr && *current == coerced) return true;
      return Fail(Error::Mutability("attribute '" + Name(r) + "' is readOnly"));
    }
    if (has_filter && r.sub_attribute == nullptr) return false;  // elements replaced as a whole
    if (current == nullptr || IsUnassigned(*current)) return false;
    if (*current == coerced) return true;
    return Fail(Error::Mutability("attribute '" + Name(r) + "' is immutable and already set"));
  }

  Status Set(PatchOpType op, const Path& path, const json& value) {
    std::optional<ResolvedAttribute> r = Resolve(path);
    if (!r) {
      if (const Schema* ext = BareExtension(path); ext != nullptr) {
        if (!value.is_object()) return Fail(Error::InvalidValue("'" + ext->id + "' needs an object value"));
        return SetExtension(op, *ext, value);
      }
      return Ok();  // unknown attribute: ignored
    }
    if (path.filter) return SetFiltered(op, *r, *path.filter, value);
    const Attribute& a = *r->attribute;
    if (r->sub_attribute != nullptr) {
      if (a.multi_valued) return SetSubOfAll(op, *r, value);
      Result<json> coerced = CoerceValue(*r->sub_attribute, value, Name(*r));
      if (!coerced) return Fail(coerced.error());
      Result<bool> skip = CheckWritable(*r, *coerced, false);
      if (!skip) return Fail(skip.error());
      if (*skip) return Ok();
      json* c = Container(*r, true);
      json& parent = (*c)[a.name];
      if (!parent.is_object()) parent = json::object();
      if (coerced->is_null()) {
        parent.erase(r->sub_attribute->name);
      } else {
        parent[r->sub_attribute->name] = std::move(*coerced);
      }
      if (parent.empty()) c->erase(a.name);
      return Ok();
    }
    Result<json> coerced = CoerceValue(a, value, Name(*r));
    if (!coerced) return Fail(coerced.error());
    Result<bool> skip = CheckWritable(*r, *coerced, false);
    if (!skip) return Fail(skip.error());
    if (*skip) return Ok();
    json* c = Container(*r, true);
    if (coerced->is_null()) {
      if (op == PatchOpType::kReplace) c->erase(a.name);
      return Ok();
    }
    if (a.multi_valued && op == PatchOpType::kAdd) return AddValues(a, std::move(*coerced), c);
    if (a.type == AttrType::kComplex && !a.multi_valued) {
      // RFC 7644 §3.5.2.1/3: sub-attributes given replace, others stay.
      json& target = (*c)[a.name];
      if (!target.is_object()) target = json::object();
      for (auto& [k, v] : coerced->items()) target[k] = v;
      return Ok();
    }
    if (a.multi_valued) ClearOtherPrimaries(*coerced, nullptr);
    (*c)[a.name] = std::move(*coerced);
    return Ok();
  }

  // When an element of `incoming` is primary, no other value may be
  // (RFC 7644 §3.5.2): clear "primary" on the elements of `existing`.
  static void ClearOtherPrimaries(const json& incoming, json* existing) {
    bool has_primary = false;
    for (const json& e : incoming) {
      const json* p = FindMember(e, "primary");
      if (p != nullptr && *p == true) has_primary = true;
    }
    if (!has_primary || existing == nullptr) return;
    for (json& e : *existing) {
      if (e.is_object() && e.contains("primary")) e["primary"] = false;
    }
  }

  Status AddValues(const Attribute& a, json incoming, json* container) {
    json& target = (*container)[a.name];
    if (!target.is_array()) target = target.is_null() ? json::array() : json::array({target});
    std::unordered_set<std::string> seen;
    seen.reserve(target.size() + incoming.size());
    for (const json& e : target) seen.insert(IdentityKey(a, e));
    ClearOtherPrimaries(incoming, &target);
    for (json& e : incoming) {
      if (seen.insert(IdentityKey(a, e)).second) target.push_back(std::move(e));
    }
    return Ok();
  }

  // `emails.type` without filter: every element.
  Status SetSubOfAll(PatchOpType op, const ResolvedAttribute& r, const json& value) {
    Result<json> coerced = CoerceValue(*r.sub_attribute, value, Name(r));
    if (!coerced) return Fail(coerced.error());
    if (Result<bool> skip = CheckWritable(r, *coerced, true); !skip) return Fail(skip.error());
    json* c = Container(r, true);
    json* elements = FindMember(*c, r.attribute->name);
    if (elements == nullptr || !elements->is_array() || elements->empty()) {
      if (op == PatchOpType::kReplace) return Fail(Error::NoTarget("'" + Name(r) + "' has no values to replace"));
      if (coerced->is_null()) return Ok();
      (*c)[r.attribute->name] = json::array({json{{r.sub_attribute->name, *coerced}}});
      return Ok();
    }
    for (json& e : *elements) {
      if (coerced->is_null()) {
        e.erase(r.sub_attribute->name);
      } else {
        e[r.sub_attribute->name] = *coerced;
      }
    }
    return Ok();
  }

  Status SetFiltered(PatchOpType op, const ResolvedAttribute& r, const FilterNode& filter, const json& value) {
    const Attribute& a = *r.attribute;
    if (a.type != AttrType::kComplex) {
      return Fail(Error::InvalidPath("'" + a.name + "' has no sub-attributes to filter on"));
    }
    json coerced;
    if (r.sub_attribute != nullptr) {
      Result<json> v = CoerceValue(*r.sub_attribute, value, Name(r));
      if (!v) return Fail(v.error());
      coerced = std::move(*v);
    } else {
      Result<json> v = CoerceSingleValue(a, value, Name(r));
      if (!v) return Fail(v.error());
      coerced = std::move(*v);
      if (coerced.is_null()) return Fail(Error::InvalidValue("'" + Name(r) + "' needs an object value"));
    }
    if (Result<bool> skip = CheckWritable(r, coerced, true); !skip) return Fail(skip.error());
    json* c = Container(r, true);
    json* elements = FindMember(*c, a.name);
    bool matched = false;
    if (elements != nullptr && elements->is_array()) {
      for (json& e : *elements) {
        if (!MatchesElement(filter, e, a)) continue;
        matched = true;
        if (r.sub_attribute != nullptr) {
          if (r.sub_attribute->mutability == Mutability::kImmutable && e.contains(r.sub_attribute->name) &&
              e[r.sub_attribute->name] != coerced) {
            return Fail(Error::Mutability("attribute '" + Name(r) + "' is immutable and already set"));
          }
          if (coerced.is_null()) {
            e.erase(r.sub_attribute->name);
          } else {
            e[r.sub_attribute->name] = coerced;
          }
        } else if (op == PatchOpType::kReplace) {
          e = coerced;
        } else {
          for (auto& [k, v] : coerced.items()) e[k] = v;
        }
      }
    }
    if (matched) {
      if (elements->is_array()) {
        json kept = json::array();
        for (json& e : *elements) {
          if (!IsUnassigned(e)) kept.push_back(std::move(e));
        }
        *elements = std::move(kept);
      }
      return Ok();
    }
    if (op == PatchOpType::kReplace && r.sub_attribute == nullptr) {
      return Fail(Error::NoTarget("no value of '" + a.name + "' matches the filter " + ToString(filter)));
    }
    // No element matched: create it from the filter's eq terms (Entra ID).
    json element = json::object();
    if (!ExtractEqualities(filter, a, &element)) {
      return Fail(Error::NoTarget("no value of '" + a.name + "' matches the filter " + ToString(filter) +
                                  ", and it is not made of 'eq' terms to create one from"));
    }
    if (coerced.is_null()) return Ok();
    if (r.sub_attribute != nullptr) {
      element[r.sub_attribute->name] = coerced;
    } else {
      for (auto& [k, v] : coerced.items()) element[k] = v;
    }
    Result<json> checked = CoerceSingleValue(a, element, Name(r));
    if (!checked) return Fail(checked.error());
    return AddValues(a, json::array({std::move(*checked)}), c);
  }

  Status Remove(const Path& path, const json& value) {
    std::optional<ResolvedAttribute> r = Resolve(path);
    if (!r) {
      if (const Schema* ext = BareExtension(path); ext != nullptr) {
        res_.erase(ext->id);
        return Ok();
      }
      return Ok();  // unknown attribute: ignored
    }
    const Attribute& a = *r->attribute;
    const Attribute& t = r->target();
    if (a.mutability == Mutability::kReadOnly || t.mutability == Mutability::kReadOnly) {
      return Fail(Error::Mutability("attribute '" + Name(*r) + "' is readOnly"));
    }
    if ((a.mutability == Mutability::kImmutable || t.mutability == Mutability::kImmutable) && !path.filter) {
      const json* current = Current(*r);
      if (current != nullptr && !IsUnassigned(*current)) {
        return Fail(Error::Mutability("attribute '" + Name(*r) + "' is immutable"));
      }
    }
    json* c = Container(*r, false);
    if (c == nullptr) return Ok();
    json* current = FindMember(*c, a.name);
    if (current == nullptr) return Ok();
    if (path.filter) {
      if (a.type != AttrType::kComplex) {
        return Fail(Error::InvalidPath("'" + a.name + "' has no sub-attributes to filter on"));
      }
      if (!current->is_array()) return Ok();
      json kept = json::array();
      for (json& e : *current) {
        if (!MatchesElement(*path.filter, e, a)) {
          kept.push_back(std::move(e));
        } else if (r->sub_attribute != nullptr) {
          e.erase(r->sub_attribute->name);
          if (!IsUnassigned(e)) kept.push_back(std::move(e));
        }
      }
      *current = std::move(kept);
    } else if (r->sub_attribute != nullptr) {
      if (current->is_object()) current->erase(r->sub_attribute->name);
      if (current->is_array()) {
        for (json& e : *current) e.erase(r->sub_attribute->name);
      }
    } else if (a.multi_valued && !value.is_null()) {
      // Legacy form: {"op":"remove","path":"members","value":[{"value":"id"}]}.
      Result<json> doomed = CoerceValue(a, value, Name(*r));
      if (!doomed) return Fail(doomed.error());
      if (!doomed->is_null() && current->is_array()) {
        std::unordered_set<std::string> keys;
        for (const json& d : *doomed) {
          keys.insert(d.is_object() && d.contains("value") ? "v" + d["value"].dump() : "e" + d.dump());
        }
        json kept = json::array();
        for (json& e : *current) {
          bool by_value = e.is_object() && e.contains("value") && keys.count("v" + e["value"].dump());
          if (!by_value && !keys.count("e" + e.dump())) kept.push_back(std::move(e));
        }
        *current = std::move(kept);
      }
    } else {
      c->erase(a.name);
      return Ok();
    }
    if (IsUnassigned(*current)) c->erase(a.name);
    return Ok();
  }

  const ResourceType& type_;
  json res_;
};

}  // namespace

Result<PatchOutcome> ApplyPatch(const ResourceType& type, const PatchRequest& request, const json& resource) {
  if (!resource.is_object()) return Fail(Error::InvalidSyntax("the resource to patch must be a JSON object"));
  Patcher patcher(type, resource);
  for (const PatchOperation& op : request.operations) {
    if (Status s = patcher.Apply(op); !s) return Fail(s.error());
  }
  json& out = patcher.resource();
  // id and meta belong to the server, whatever the operations said.
  for (const char* key : {"id", "meta"}) {
    if (resource.contains(key)) {
      out[key] = resource[key];
    } else {
      out.erase(key);
    }
  }
  if (resource.contains("schemas")) RefreshSchemas(type, &out);
  for (const SchemaExtension& e : type.extensions) {
    auto it = out.find(e.schema->id);
    if (it != out.end() && IsUnassigned(*it)) out.erase(it);
  }
  if (Status s = CheckRequired(type, out); !s) return Fail(s.error());
  PatchOutcome outcome;
  outcome.changed = out != resource;
  outcome.resource = std::move(out);
  return outcome;
}

}  // namespace scim
