// scim/schema.h — SCIM schemas, attribute definitions and resource types
// (RFC 7643 §2, §6, §7), and the registry that holds them.
//
// DefaultRegistry() holds the core User schema (every RFC 7643 §4.1
// attribute), the Enterprise User extension, allot's read-only licensing
// extension, and the core Group schema. Attribute names are looked up
// case-insensitively (RFC 7643 §2.1); URN-qualified names resolve to the
// schema with that URN.
// Thread-safety: a Registry is built once and then only read; its const
// methods, and everything they return, are safe to use from many threads.
// Pointers it returns live as long as the Registry.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "scim/attr_path.h"
#include "scim/error.h"

namespace scim {

enum class AttrType { kString, kBoolean, kDecimal, kInteger, kDateTime, kReference, kComplex, kBinary };
enum class Mutability { kReadOnly, kReadWrite, kImmutable, kWriteOnly };
enum class Returned { kAlways, kNever, kDefault, kRequest };
enum class Uniqueness { kNone, kServer, kGlobal };

std::string_view ToString(AttrType t);
std::string_view ToString(Mutability m);
std::string_view ToString(Returned r);
std::string_view ToString(Uniqueness u);

struct Attribute {
  std::string name;  // canonical case, e.g. "userName"
  AttrType type = AttrType::kString;
  bool multi_valued = false;
  bool required = false;
  bool case_exact = false;
  Mutability mutability = Mutability::kReadWrite;
  Returned returned = Returned::kDefault;
  Uniqueness uniqueness = Uniqueness::kNone;
  std::string description{};
  std::vector<Attribute> sub_attributes{};      // for kComplex
  std::vector<std::string> canonical_values{};  // advisory; never enforced
  std::vector<std::string> reference_types{};   // for kReference

  // The sub-attribute named `name` (any case), or nullptr.
  const Attribute* FindSub(std::string_view name) const;
};

struct Schema {
  std::string id;  // the URN
  std::string name;
  std::string description{};
  std::vector<Attribute> attributes;

  // The attribute named `name` (any case), or nullptr.
  const Attribute* Find(std::string_view name) const;
};

// What an attribute path names in a resource type.
struct ResolvedAttribute {
  // The schema the attribute belongs to; nullptr for the common attributes
  // id, externalId and meta (RFC 7643 §3.1), which every resource has.
  const Schema* schema = nullptr;
  bool in_extension = false;  // stored under the key schema->id
  const Attribute* attribute = nullptr;
  const Attribute* sub_attribute = nullptr;  // set when the path has a sub-attribute
  // The definition that governs the value (sub_attribute if set, else attribute).
  const Attribute& target() const { return sub_attribute ? *sub_attribute : *attribute; }
};

struct SchemaExtension {
  const Schema* schema = nullptr;
  bool required = false;
};

struct ResourceType {
  std::string id;        // "User"
  std::string name;      // "User"
  std::string endpoint;  // "/Users"
  std::string description{};
  const Schema* schema = nullptr;  // core schema
  std::vector<SchemaExtension> extensions;

  // Resolves a path to its attribute definitions. `path.urn` may name the
  // core schema or an extension (any case); without it the core schema and
  // the common attributes are searched. A path that is only an extension URN
  // (e.g. attr "User" of "urn:…:enterprise:2.0") is not an attribute: use
  // FindExtension. Fails with invalidPath naming the unknown part; the caller
  // turns it into invalidFilter etc. as fits.
  Result<ResolvedAttribute> Resolve(const AttrPath& path) const;
  // The extension schema with this URN (any case), or nullptr.
  const Schema* FindExtension(std::string_view urn) const;
  // The core or extension schema with this URN (any case), or nullptr.
  const Schema* FindSchema(std::string_view urn) const;
};

// id, externalId and meta: attributes of every resource (RFC 7643 §3.1).
const std::vector<Attribute>& CommonAttributes();

inline constexpr std::string_view kUserSchema = "urn:ietf:params:scim:schemas:core:2.0:User";
inline constexpr std::string_view kGroupSchema = "urn:ietf:params:scim:schemas:core:2.0:Group";
inline constexpr std::string_view kEnterpriseUserSchema =
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
inline constexpr std::string_view kLicensingSchema =
    "urn:allot:params:scim:schemas:extension:licensing:2.0:User";

// The schema definitions shipped with the library (scim/schema_core.cc).
Schema UserSchema();
Schema GroupSchema();
Schema EnterpriseUserSchema();
Schema LicensingSchema();

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;
  Registry(Registry&&) = default;
  Registry& operator=(Registry&&) = default;

  // Adds a schema as the core schema of a new resource type. Fails with
  // Conflict when the resource type id or the schema URN is already known.
  Status AddResourceType(std::string id, std::string endpoint, std::string description,
                         Schema core);
  // Adds an extension schema to an existing resource type (e.g. a server's
  // own read-only extension). Fails with NotFound for an unknown resource
  // type and Conflict for a URN already registered. Call before sharing the
  // registry between threads.
  Status AddExtension(std::string_view resource_type_id, Schema schema, bool required);

  // nullptr when unknown; ids match case-insensitively.
  const ResourceType* FindResourceType(std::string_view id) const;
  const Schema* FindSchema(std::string_view urn) const;

  std::vector<const Schema*> schemas() const;
  std::vector<const ResourceType*> resource_types() const;

 private:
  std::vector<std::unique_ptr<Schema>> schemas_;
  std::vector<std::unique_ptr<ResourceType>> resource_types_;
};

// A registry with User (core + enterprise + licensing extensions) and Group.
Registry MakeDefaultRegistry();
// One shared, immutable default registry (built on first use, thread-safe).
const Registry& DefaultRegistry();

}  // namespace scim
