// ParsePatchRequest: the request shape of RFC 7644 §3.5.2.
#include "scim/json_access.h"
#include "scim/patch.h"

namespace scim {

using internal::FindMember;
using nlohmann::json;

namespace {

Result<PatchOperation> ParseOperation(const json& op_json, size_t index) {
  std::string where = "Operations[" + std::to_string(index) + "]";
  if (!op_json.is_object()) return Fail(Error::InvalidSyntax(where + " must be an object"));
  const json* op = FindMember(op_json, "op");
  if (op == nullptr || !op->is_string()) return Fail(Error::InvalidSyntax(where + " needs an \"op\" string"));
  PatchOperation out;
  const std::string& name = op->get_ref<const std::string&>();
  if (EqualsIgnoreCase(name, "add")) {
    out.op = PatchOpType::kAdd;
  } else if (EqualsIgnoreCase(name, "remove")) {
    out.op = PatchOpType::kRemove;
  } else if (EqualsIgnoreCase(name, "replace")) {
    out.op = PatchOpType::kReplace;
  } else {
    return Fail(Error::InvalidSyntax(where + " has unknown op '" + name + "' (add, remove or replace)"));
  }
  if (const json* path = FindMember(op_json, "path"); path != nullptr && !path->is_null()) {
    if (!path->is_string()) return Fail(Error::InvalidPath(where + ".path must be a string"));
    const std::string& text = path->get_ref<const std::string&>();
    if (!text.empty()) {
      Result<Path> parsed = ParsePath(text);
      if (!parsed) return Fail(parsed.error());
      out.path = std::move(*parsed);
    }
  }
  if (const json* value = FindMember(op_json, "value"); value != nullptr) out.value = *value;
  if (out.op != PatchOpType::kRemove && !FindMember(op_json, "value")) {
    return Fail(Error::InvalidValue(where + " (" + name + ") needs a \"value\""));
  }
  return out;
}

}  // namespace

Result<PatchRequest> ParsePatchRequest(const json& body) {
  if (!body.is_object()) return Fail(Error::InvalidSyntax("the PATCH body must be a JSON object"));
  const json* schemas = FindMember(body, "schemas");
  bool has_schema = false;
  if (schemas != nullptr && schemas->is_array()) {
    for (const json& s : *schemas) {
      if (s.is_string() && EqualsIgnoreCase(s.get_ref<const std::string&>(), kPatchOpSchema)) has_schema = true;
    }
  }
  if (!has_schema) {
    return Fail(Error::InvalidSyntax("the PATCH body's \"schemas\" must contain \"" + std::string(kPatchOpSchema) + "\""));
  }
  const json* ops = FindMember(body, "Operations");
  if (ops == nullptr || !ops->is_array()) {
    return Fail(Error::InvalidSyntax("the PATCH body needs an \"Operations\" array"));
  }
  if (ops->empty()) return Fail(Error::InvalidValue("\"Operations\" is empty"));
  PatchRequest request;
  for (size_t i = 0; i < ops->size(); ++i) {
    Result<PatchOperation> op = ParseOperation((*ops)[i], i);
    if (!op) return Fail(op.error());
    request.operations.push_back(std::move(*op));
  }
  return request;
}

}  // namespace scim
