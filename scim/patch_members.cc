#include "scim/patch_members.h"

#include <unordered_set>

#include "scim/value.h"

namespace scim {
namespace {

using nlohmann::json;

bool IsMembers(const ResourceType& group, const AttrPath& path) {
  if (!EqualsIgnoreCase(path.attr, "members")) return false;
  return path.urn.empty() || EqualsIgnoreCase(path.urn, group.schema->id);
}

// Collects x from `value eq "x"` or `value eq "x" or value eq "y" …`.
bool CollectValueEqualities(const FilterNode& f, std::vector<std::string>* ids) {
  if (const auto* c = std::get_if<Comparison>(&f.node)) {
    if (c->op != CompareOp::kEq || !c->value.is_string() || !c->path.urn.empty() || !c->path.sub.empty() ||
        !EqualsIgnoreCase(c->path.attr, "value")) {
      return false;
    }
    ids->push_back(c->value.get<std::string>());
    return true;
  }
  if (const auto* l = std::get_if<Logical>(&f.node)) {
    if (l->op != Logical::Op::kOr) return false;
    for (const FilterPtr& operand : l->operands) {
      if (!CollectValueEqualities(*operand, ids)) return false;
    }
    return true;
  }
  return false;
}

Result<std::vector<json>> NormaliseMembers(const Attribute& members, const json& value) {
  Result<json> coerced = CoerceValue(members, value, "members");
  if (!coerced) return Fail(coerced.error());
  std::vector<json> out;
  if (coerced->is_null()) return out;
  std::unordered_set<std::string> seen;
  for (json& m : *coerced) {
    if (seen.insert(m["value"].dump()).second) out.push_back(std::move(m));
  }
  return out;
}

std::vector<std::string> Unique(std::vector<std::string> ids) {
  std::unordered_set<std::string> seen;
  std::vector<std::string> out;
  for (std::string& id : ids) {
    if (seen.insert(id).second) out.push_back(std::move(id));
  }
  return out;
}

}  // namespace

Result<GroupPatchPlan> PlanGroupPatch(const ResourceType& group, const PatchRequest& request) {
  GroupPatchPlan plan;
  const Attribute* members = group.schema->Find("members");
  if (members == nullptr) {
    plan.other = request;
    return plan;
  }
  auto add_change = [&](PatchOpType op, const json& value) -> Status {
    Result<std::vector<json>> list = NormaliseMembers(*members, value);
    if (!list) return Fail(list.error());
    MemberChange change;
    change.kind = op == PatchOpType::kReplace ? MemberChange::Kind::kReplaceAll : MemberChange::Kind::kAdd;
    change.members = std::move(*list);
    plan.member_changes.push_back(std::move(change));
    return Ok();
  };
  for (const PatchOperation& op : request.operations) {
    if (!op.path) {
      if (op.op == PatchOpType::kRemove || !op.value.is_object()) {
        plan.other.operations.push_back(op);  // ApplyPatch reports the error
        continue;
      }
      PatchOperation rest = op;
      rest.value = json::object();
      for (const auto& [key, v] : op.value.items()) {
        Result<Path> key_path = ParsePath(key);
        if (key_path && IsMembers(group, key_path->attr)) {
          if (key_path->filter || !key_path->attr.sub.empty()) {
            plan.needs_member_list = true;
            continue;
          }
          if (Status s = add_change(op.op, v); !s) return Fail(s.error());
        } else {
          rest.value[key] = v;
        }
      }
      if (!rest.value.empty()) plan.other.operations.push_back(std::move(rest));
      continue;
    }
    const Path& path = *op.path;
    if (!IsMembers(group, path.attr)) {
      plan.other.operations.push_back(op);
      continue;
    }
    if (!path.attr.sub.empty()) {
      plan.needs_member_list = true;
      continue;
    }
    if (op.op != PatchOpType::kRemove) {
      if (path.filter) {
        plan.needs_member_list = true;
        continue;
      }
      if (Status s = add_change(op.op, op.value); !s) return Fail(s.error());
      continue;
    }
    MemberChange change;
    change.kind = MemberChange::Kind::kRemove;
    if (path.filter) {
      if (!CollectValueEqualities(*path.filter, &change.ids)) {
        plan.needs_member_list = true;
        continue;
      }
    } else if (op.value.is_null()) {
      change.kind = MemberChange::Kind::kRemoveAll;
    } else {
      Result<std::vector<json>> list = NormaliseMembers(*members, op.value);
      if (!list) return Fail(list.error());
      for (json& m : *list) change.ids.push_back(m["value"].get<std::string>());
    }
    change.ids = Unique(std::move(change.ids));
    plan.member_changes.push_back(std::move(change));
  }
  return plan;
}

}  // namespace scim
