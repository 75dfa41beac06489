#include "scim/filter_eval.h"

#include <optional>

#include "scim/json_access.h"
#include "scim/value.h"

namespace scim {
namespace {

using internal::FindMember;
using nlohmann::json;

// The values a comparison looks at, and the definition that types them.
struct Operand {
  const Attribute* def = nullptr;  // nullptr: unknown attribute
  std::vector<const json*> values;
};

void CollectFrom(const json* value, const Attribute& attr, std::string_view sub, Operand* out) {
  const Attribute* sub_def = nullptr;
  if (!sub.empty()) {
    sub_def = attr.FindSub(sub);
    if (sub_def == nullptr) return;  // unknown sub-attribute
  } else if (attr.type == AttrType::kComplex) {
    sub_def = attr.FindSub("value");  // `emails co "@x"` compares emails.value
    if (sub_def == nullptr) return;   // complex without "value": not comparable
  }
  out->def = sub_def != nullptr ? sub_def : &attr;
  if (value == nullptr || value->is_null()) return;
  auto add = [&](const json& v) {
    if (sub_def == nullptr) {
      out->values.push_back(&v);
    } else if (const json* s = FindMember(v, sub_def->name); s != nullptr) {
      out->values.push_back(s);
    }
  };
  if (value->is_array()) {
    for (const json& v : *value) add(v);
  } else {
    add(*value);
  }
}

int CompareStrings(const std::string& a, const std::string& b, bool case_exact) {
  if (case_exact) return a.compare(b);
  return internal::Lower(a).compare(internal::Lower(b));
}

// True when one stored value `v` satisfies `op value` (not for ne).
bool CompareOne(const Attribute& def, const json& v, CompareOp op, const json& value) {
  auto ordered = [op](int c) {
    switch (op) {
      case CompareOp::kEq: return c == 0;
      case CompareOp::kGt: return c > 0;
      case CompareOp::kGe: return c >= 0;
      case CompareOp::kLt: return c < 0;
      case CompareOp::kLe: return c <= 0;
      default: return false;
    }
  };
  switch (def.type) {
    case AttrType::kBoolean:
      return op == CompareOp::kEq && v.is_boolean() && value.is_boolean() && v == value;
    case AttrType::kInteger:
    case AttrType::kDecimal: {
      if (!v.is_number() || !value.is_number()) return false;
      if (v.is_number_integer() && value.is_number_integer()) {
        // Compare as integers to keep precision beyond 2^53.
        if (v.is_number_unsigned() || value.is_number_unsigned()) {
          auto negative = [](const json& j) { return !j.is_number_unsigned() && j.get<int64_t>() < 0; };
          if (negative(v)) return ordered(-1);
          if (negative(value)) return ordered(1);
          auto a = v.get<uint64_t>(), b = value.get<uint64_t>();
          return ordered(a < b ? -1 : (a > b ? 1 : 0));
        }
        auto a = v.get<int64_t>(), b = value.get<int64_t>();
        return ordered(a < b ? -1 : (a > b ? 1 : 0));
      }
      double a = v.get<double>(), b = value.get<double>();
      return ordered(a < b ? -1 : (a > b ? 1 : 0));
    }
    case AttrType::kDateTime:
      if (v.is_string() && value.is_string() && op != CompareOp::kCo && op != CompareOp::kSw &&
          op != CompareOp::kEw) {
        std::optional<int64_t> a = ParseDateTime(v.get_ref<const std::string&>());
        std::optional<int64_t> b = ParseDateTime(value.get_ref<const std::string&>());
        if (a && b) return ordered(*a < *b ? -1 : (*a > *b ? 1 : 0));
      }
      break;
    case AttrType::kComplex:
      return false;
    default:
      break;
  }
  if (!v.is_string() || !value.is_string()) return false;
  const std::string& a = v.get_ref<const std::string&>();
  const std::string& b = value.get_ref<const std::string&>();
  const bool exact = def.case_exact;
  switch (op) {
    case CompareOp::kCo: return exact ? a.find(b) != std::string::npos
                                      : internal::Lower(a).find(internal::Lower(b)) != std::string::npos;
    case CompareOp::kSw: return a.size() >= b.size() && CompareStrings(a.substr(0, b.size()), b, exact) == 0;
    case CompareOp::kEw:
      return a.size() >= b.size() && CompareStrings(a.substr(a.size() - b.size()), b, exact) == 0;
    default: return ordered(CompareStrings(a, b, exact));
  }
}

bool EvaluateComparison(const Operand& operand, CompareOp op, const json& value) {
  if (operand.def == nullptr) return false;
  std::vector<const json*> present;
  for (const json* v : operand.values) {
    if (!IsUnassigned(*v)) present.push_back(v);
  }
  if (value.is_null()) {
    if (op == CompareOp::kEq) return present.empty();
    if (op == CompareOp::kNe) return !present.empty();
    return false;
  }
  CompareOp effective = op == CompareOp::kNe ? CompareOp::kEq : op;
  bool any = false;
  for (const json* v : present) {
    if (CompareOne(*operand.def, *v, effective, value)) {
      any = true;
      break;
    }
  }
  return op == CompareOp::kNe ? !any : any;
}

bool EvaluatePresence(const Operand& operand) {
  if (operand.def == nullptr) return false;
  for (const json* v : operand.values) {
    if (!IsUnassigned(*v)) return true;
  }
  return false;
}

// Evaluates a filter inside one element of a complex attribute.
bool EvalElement(const FilterNode& f, const json& element, const Attribute& attr);

Operand ElementOperand(const AttrPath& path, const json& element, const Attribute& attr) {
  Operand op;
  if (!path.urn.empty() || !path.sub.empty()) return op;
  const Attribute* sub = attr.FindSub(path.attr);
  if (sub == nullptr) return op;
  op.def = sub;
  if (const json* v = FindMember(element, sub->name); v != nullptr) {
    if (v->is_array()) {
      for (const json& e : *v) op.values.push_back(&e);
    } else {
      op.values.push_back(v);
    }
  }
  return op;
}

bool EvalElement(const FilterNode& f, const json& element, const Attribute& attr) {
  if (const auto* c = std::get_if<Comparison>(&f.node)) {
    return EvaluateComparison(ElementOperand(c->path, element, attr), c->op, c->value);
  }
  if (const auto* p = std::get_if<Presence>(&f.node)) {
    return EvaluatePresence(ElementOperand(p->path, element, attr));
  }
  if (const auto* l = std::get_if<Logical>(&f.node)) {
    // and: false at the first false operand; or: true at the first true one.
    const bool stop_at = l->op == Logical::Op::kOr;
    for (const FilterPtr& operand : l->operands) {
      if (EvalElement(*operand, element, attr) == stop_at) return stop_at;
    }
    return !stop_at;
  }
  if (const auto* n = std::get_if<Negation>(&f.node)) return !EvalElement(*n->operand, element, attr);
  return false;  // value paths do not nest
}

Operand ResourceOperand(const AttrPath& path, const json& resource, const ResourceType& type) {
  Operand op;
  Result<ResolvedAttribute> r = type.Resolve(AttrPath{path.urn, path.attr, ""});
  if (!r) return op;
  CollectFrom(internal::AttributeValue(resource, *r), *r->attribute, path.sub, &op);
  return op;
}

}  // namespace

bool MatchesElement(const FilterNode& filter, const json& element, const Attribute& attr) {
  return EvalElement(filter, element, attr);
}

bool Matches(const FilterNode& f, const json& resource, const ResourceType& type) {
  if (const auto* c = std::get_if<Comparison>(&f.node)) {
    return EvaluateComparison(ResourceOperand(c->path, resource, type), c->op, c->value);
  }
  if (const auto* p = std::get_if<Presence>(&f.node)) {
    return EvaluatePresence(ResourceOperand(p->path, resource, type));
  }
  if (const auto* l = std::get_if<Logical>(&f.node)) {
    const bool stop_at = l->op == Logical::Op::kOr;
    for (const FilterPtr& operand : l->operands) {
      if (Matches(*operand, resource, type) == stop_at) return stop_at;
    }
    return !stop_at;
  }
  if (const auto* n = std::get_if<Negation>(&f.node)) return !Matches(*n->operand, resource, type);
  const auto& vp = std::get<ValuePath>(f.node);
  Result<ResolvedAttribute> r = type.Resolve(vp.attr);
  if (!r || r->attribute->type != AttrType::kComplex) return false;
  const json* value = internal::AttributeValue(resource, *r);
  if (value == nullptr) return false;
  if (value->is_object()) return EvalElement(*vp.filter, *value, *r->attribute);
  if (!value->is_array()) return false;
  for (const json& element : *value) {
    if (EvalElement(*vp.filter, element, *r->attribute)) return true;
  }
  return false;
}

Result<ResolvedAttribute> ResolveFilterPath(const AttrPath& path, const ResourceType& type,
                                            const AttrPath* outer) {
  AttrPath full = path;
  if (outer != nullptr) {
    if (!path.urn.empty() || !path.sub.empty()) {
      return Fail(Error::InvalidFilter("'" + path.ToString() + "' inside '" + outer->ToString() +
                                       "[...]' must be a sub-attribute name"));
    }
    full = AttrPath{outer->urn, outer->attr, path.attr};
  }
  Result<ResolvedAttribute> r = type.Resolve(full);
  if (!r) return Fail(Error::InvalidFilter(r.error().detail));
  return r;
}

Result<std::vector<ResolvedAttribute>> ResolveFilter(const FilterNode& filter, const ResourceType& type) {
  std::vector<ResolvedAttribute> out;
  struct Walker {
    const ResourceType& type;
    std::vector<ResolvedAttribute>& out;
    Status Walk(const FilterNode& f, const AttrPath* outer) {
      if (const auto* c = std::get_if<Comparison>(&f.node)) return Add(c->path, outer);
      if (const auto* p = std::get_if<Presence>(&f.node)) return Add(p->path, outer);
      if (const auto* l = std::get_if<Logical>(&f.node)) {
        for (const FilterPtr& operand : l->operands) {
          if (Status s = Walk(*operand, outer); !s) return s;
        }
        return Ok();
      }
      if (const auto* n = std::get_if<Negation>(&f.node)) return Walk(*n->operand, outer);
      const auto& vp = std::get<ValuePath>(f.node);
      Result<ResolvedAttribute> r = type.Resolve(vp.attr);
      if (!r) return Fail(Error::InvalidFilter(r.error().detail));
      if (r->attribute->type != AttrType::kComplex) {
        return Fail(Error::InvalidFilter("'" + vp.attr.ToString() + "[...]' needs a complex attribute"));
      }
      return Walk(*vp.filter, &vp.attr);
    }
    Status Add(const AttrPath& path, const AttrPath* outer) {
      Result<ResolvedAttribute> r = ResolveFilterPath(path, type, outer);
      if (!r) return Fail(r.error());
      out.push_back(*r);
      return Ok();
    }
  };
  Walker w{type, out};
  if (Status s = w.Walk(filter, nullptr); !s) return Fail(s.error());
  return out;
}

}  // namespace scim
