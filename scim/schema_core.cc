// The schema definitions of RFC 7643 §4 and §8.7, plus allot's licensing
// extension. Descriptions are shortened from the RFC.
#include "scim/schema.h"

namespace scim {
namespace {

Attribute Str(std::string name, std::string description = "") {
  Attribute a;
  a.name = std::move(name);
  a.description = std::move(description);
  return a;
}

Attribute Typed(std::string name, AttrType type) {
  Attribute a = Str(std::move(name));
  a.type = type;
  return a;
}

Attribute Ref(std::string name, std::vector<std::string> types) {
  Attribute a = Typed(std::move(name), AttrType::kReference);
  a.reference_types = std::move(types);
  return a;
}

Attribute Complex(std::string name, std::vector<Attribute> subs, bool multi) {
  Attribute a = Typed(std::move(name), AttrType::kComplex);
  a.multi_valued = multi;
  a.sub_attributes = std::move(subs);
  return a;
}

Attribute WithCanon(Attribute a, std::vector<std::string> canon) {
  a.canonical_values = std::move(canon);
  return a;
}

Attribute ReadOnly(Attribute a) {
  a.mutability = Mutability::kReadOnly;
  for (Attribute& s : a.sub_attributes) s.mutability = Mutability::kReadOnly;
  return a;
}

// The usual value/display/type/primary shape of multi-valued attributes.
Attribute MultiValued(std::string name, Attribute value, std::vector<std::string> types) {
  Attribute display = Str("display");
  display.mutability = Mutability::kReadWrite;
  return Complex(std::move(name),
                 {std::move(value), display, WithCanon(Str("type"), std::move(types)),
                  Typed("primary", AttrType::kBoolean)},
                 true);
}

}  // namespace

const std::vector<Attribute>& CommonAttributes() {
  static const std::vector<Attribute>* common = [] {
    Attribute id = Str("id", "Unique identifier for the resource, assigned by the service provider.");
    id.case_exact = true;
    id.mutability = Mutability::kReadOnly;
    id.returned = Returned::kAlways;
    id.uniqueness = Uniqueness::kServer;
    Attribute external_id = Str("externalId", "Identifier of the resource as defined by the client.");
    external_id.case_exact = true;
    Attribute version = Str("version");
    version.case_exact = true;
    Attribute meta = ReadOnly(Complex("meta",
                                      {Str("resourceType"), Typed("created", AttrType::kDateTime),
                                       Typed("lastModified", AttrType::kDateTime),
                                       Ref("location", {"uri"}), version},
                                      false));
    meta.returned = Returned::kAlways;
    meta.sub_attributes[0].case_exact = true;
    meta.sub_attributes[3].case_exact = true;
    return new std::vector<Attribute>{id, external_id, meta};
  }();
  return *common;
}

Schema UserSchema() {
  Schema s;
  s.id = std::string(kUserSchema);
  s.name = "User";
  s.description = "User Account";
  Attribute user_name = Str("userName", "Unique identifier for the User, used to authenticate.");
  user_name.required = true;
  user_name.uniqueness = Uniqueness::kServer;
  Attribute password = Str("password", "The User's cleartext password; never returned.");
  password.mutability = Mutability::kWriteOnly;
  password.returned = Returned::kNever;
  Attribute group_ref = Ref("$ref", {"User", "Group"});
  Attribute groups = ReadOnly(Complex(
      "groups",
      {Str("value"), group_ref, Str("display"), WithCanon(Str("type"), {"direct", "indirect"})},
      true));
  Attribute cert = Typed("value", AttrType::kBinary);
  s.attributes = {
      user_name,
      Complex("name",
              {Str("formatted"), Str("familyName"), Str("givenName"), Str("middleName"),
               Str("honorificPrefix"), Str("honorificSuffix")},
              false),
      Str("displayName"),
      Str("nickName"),
      Ref("profileUrl", {"external"}),
      Str("title"),
      Str("userType"),
      Str("preferredLanguage"),
      Str("locale"),
      Str("timezone"),
      Typed("active", AttrType::kBoolean),
      password,
      MultiValued("emails", Str("value"), {"work", "home", "other"}),
      MultiValued("phoneNumbers", Str("value"), {"work", "home", "mobile", "fax", "pager", "other"}),
      MultiValued("ims", Str("value"), {"aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"}),
      MultiValued("photos", Ref("value", {"external"}), {"photo", "thumbnail"}),
      Complex("addresses",
              {Str("formatted"), Str("streetAddress"), Str("locality"), Str("region"),
               Str("postalCode"), Str("country"), WithCanon(Str("type"), {"work", "home", "other"}),
               Typed("primary", AttrType::kBoolean)},
              true),
      groups,
      MultiValued("entitlements", Str("value"), {}),
      MultiValued("roles", Str("value"), {}),
      MultiValued("x509Certificates", cert, {}),
  };
  return s;
}

Schema GroupSchema() {
  Schema s;
  s.id = std::string(kGroupSchema);
  s.name = "Group";
  s.description = "Group";
  Attribute display_name = Str("displayName", "A human-readable name for the Group.");
  display_name.required = true;
  Attribute value = Str("value", "Identifier of the member.");
  value.required = true;
  value.case_exact = true;
  Attribute ref = Ref("$ref", {"User", "Group"});
  Attribute display = Str("display");
  Attribute type = WithCanon(Str("type"), {"User", "Group"});
  for (Attribute* a : {&value, &ref, &display, &type}) a->mutability = Mutability::kImmutable;
  s.attributes = {display_name, Complex("members", {value, ref, display, type}, true)};
  return s;
}

Schema EnterpriseUserSchema() {
  Schema s;
  s.id = std::string(kEnterpriseUserSchema);
  s.name = "EnterpriseUser";
  s.description = "Enterprise User";
  Attribute manager_name = Str("displayName");
  manager_name.mutability = Mutability::kReadOnly;
  s.attributes = {
      Str("employeeNumber"), Str("costCenter"), Str("organization"), Str("division"),
      Str("department"),
      Complex("manager", {Str("value"), Ref("$ref", {"User"}), manager_name}, false),
  };
  return s;
}

Schema LicensingSchema() {
  Schema s;
  s.id = std::string(kLicensingSchema);
  s.name = "Licensing";
  s.description = "The licenses allot has assigned to the User (read-only).";
  Attribute licenses = ReadOnly(Complex(
      "licenses",
      {Str("subscriptionId"), Str("productId"),
       WithCanon(Str("state"), {"active", "pending"}), Str("source"),
       Typed("since", AttrType::kDateTime)},
      true));
  for (Attribute& a : licenses.sub_attributes) a.case_exact = a.type == AttrType::kString;
  // Returned only when asked for (attributes=urn:…:licensing:2.0:User or
  // …:User:licenses): reading it costs a query that GET and list traffic
  // from IdPs, which never look at it, should not pay.
  licenses.returned = Returned::kRequest;
  s.attributes = {licenses};
  return s;
}

}  // namespace scim
