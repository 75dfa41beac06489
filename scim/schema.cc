#include "scim/schema.h"

namespace scim {

std::string_view ToString(AttrType t) {
  switch (t) {
    case AttrType::kString: return "string";
    case AttrType::kBoolean: return "boolean";
    case AttrType::kDecimal: return "decimal";
    case AttrType::kInteger: return "integer";
    case AttrType::kDateTime: return "dateTime";
    case AttrType::kReference: return "reference";
    case AttrType::kComplex: return "complex";
    case AttrType::kBinary: return "binary";
  }
  return "string";
}

std::string_view ToString(Mutability m) {
  switch (m) {
    case Mutability::kReadOnly: return "readOnly";
    case Mutability::kReadWrite: return "readWrite";
    case Mutability::kImmutable: return "immutable";
    case Mutability::kWriteOnly: return "writeOnly";
  }
  return "readWrite";
}

std::string_view ToString(Returned r) {
  switch (r) {
    case Returned::kAlways: return "always";
    case Returned::kNever: return "never";
    case Returned::kDefault: return "default";
    case Returned::kRequest: return "request";
  }
  return "default";
}

std::string_view ToString(Uniqueness u) {
  switch (u) {
    case Uniqueness::kNone: return "none";
    case Uniqueness::kServer: return "server";
    case Uniqueness::kGlobal: return "global";
  }
  return "none";
}

const Attribute* Attribute::FindSub(std::string_view n) const {
  for (const Attribute& a : sub_attributes) {
    if (EqualsIgnoreCase(a.name, n)) return &a;
  }
  return nullptr;
}

const Attribute* Schema::Find(std::string_view n) const {
  for (const Attribute& a : attributes) {
    if (EqualsIgnoreCase(a.name, n)) return &a;
  }
  return nullptr;
}

const Schema* ResourceType::FindExtension(std::string_view urn) const {
  for (const SchemaExtension& e : extensions) {
    if (EqualsIgnoreCase(e.schema->id, urn)) return e.schema;
  }
  return nullptr;
}

const Schema* ResourceType::FindSchema(std::string_view urn) const {
  if (EqualsIgnoreCase(schema->id, urn)) return schema;
  return FindExtension(urn);
}

Result<ResolvedAttribute> ResourceType::Resolve(const AttrPath& path) const {
  ResolvedAttribute r;
  if (!path.urn.empty()) {
    r.schema = FindSchema(path.urn);
    if (r.schema == nullptr) {
      return Fail(Error::InvalidPath("unknown schema '" + path.urn + "' for resource type " + id));
    }
    r.in_extension = r.schema != schema;
    r.attribute = r.schema->Find(path.attr);
  } else {
    r.schema = schema;
    r.attribute = schema->Find(path.attr);
    if (r.attribute == nullptr) {
      for (const Attribute& a : CommonAttributes()) {
        if (EqualsIgnoreCase(a.name, path.attr)) {
          r.schema = nullptr;
          r.attribute = &a;
        }
      }
    }
  }
  if (r.attribute == nullptr) {
    return Fail(Error::InvalidPath("unknown attribute '" + path.ToString() + "' for resource type " + id));
  }
  if (!path.sub.empty()) {
    r.sub_attribute = r.attribute->FindSub(path.sub);
    if (r.sub_attribute == nullptr) {
      return Fail(Error::InvalidPath("unknown sub-attribute '" + path.ToString() + "' for resource type " + id));
    }
  }
  return r;
}

Status Registry::AddResourceType(std::string id, std::string endpoint, std::string description,
                                 Schema core) {
  if (FindResourceType(id) != nullptr) return Fail(Error::Conflict("resource type " + id + " exists"));
  if (FindSchema(core.id) != nullptr) return Fail(Error::Conflict("schema " + core.id + " exists"));
  schemas_.push_back(std::make_unique<Schema>(std::move(core)));
  auto rt = std::make_unique<ResourceType>();
  rt->id = id;
  rt->name = std::move(id);
  rt->endpoint = std::move(endpoint);
  rt->description = std::move(description);
  rt->schema = schemas_.back().get();
  resource_types_.push_back(std::move(rt));
  return Ok();
}

Status Registry::AddExtension(std::string_view resource_type_id, Schema schema, bool required) {
  ResourceType* rt = nullptr;
  for (auto& r : resource_types_) {
    if (EqualsIgnoreCase(r->id, resource_type_id)) rt = r.get();
  }
  if (rt == nullptr) {
    return Fail(Error::NotFound("unknown resource type " + std::string(resource_type_id)));
  }
  if (FindSchema(schema.id) != nullptr) return Fail(Error::Conflict("schema " + schema.id + " exists"));
  schemas_.push_back(std::make_unique<Schema>(std::move(schema)));
  rt->extensions.push_back({schemas_.back().get(), required});
  return Ok();
}

const ResourceType* Registry::FindResourceType(std::string_view id) const {
  for (const auto& r : resource_types_) {
    if (EqualsIgnoreCase(r->id, id)) return r.get();
  }
  return nullptr;
}

const Schema* Registry::FindSchema(std::string_view urn) const {
  for (const auto& s : schemas_) {
    if (EqualsIgnoreCase(s->id, urn)) return s.get();
  }
  return nullptr;
}

std::vector<const Schema*> Registry::schemas() const {
  std::vector<const Schema*> out;
  for (const auto& s : schemas_) out.push_back(s.get());
  return out;
}

std::vector<const ResourceType*> Registry::resource_types() const {
  std::vector<const ResourceType*> out;
  for (const auto& r : resource_types_) out.push_back(r.get());
  return out;
}

Registry MakeDefaultRegistry() {
  Registry r;
  // These cannot fail on an empty registry; the results are checked in tests.
  (void)r.AddResourceType("User", "/Users", "User Account", UserSchema());
  (void)r.AddExtension("User", EnterpriseUserSchema(), false);
  (void)r.AddExtension("User", LicensingSchema(), false);
  (void)r.AddResourceType("Group", "/Groups", "Group", GroupSchema());
  return r;
}

const Registry& DefaultRegistry() {
  static const Registry* registry = new Registry(MakeDefaultRegistry());
  return *registry;
}

}  // namespace scim
