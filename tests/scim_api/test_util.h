// tests/scim_api/test_util.h — small helpers shared by the SCIM integration
// tests. Thread-safety: test-only, sequential.
#pragma once

#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "scim_client.h"

namespace allot::scim_test {

inline constexpr const char* kUserSchema = "urn:ietf:params:scim:schemas:core:2.0:User";
inline constexpr const char* kGroupSchema = "urn:ietf:params:scim:schemas:core:2.0:Group";
inline constexpr const char* kEnterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

inline ScimServer& S() { return ScimServer::Get(); }

// Creates a user (POST must answer 201) and returns its id.
inline std::string CreateUser(const std::string& user_name, nlohmann::json extra = nlohmann::json::object()) {
  nlohmann::json body = {{"schemas", {kUserSchema}}, {"userName", user_name}, {"active", true}};
  body.update(extra);
  Reply r = S().Post("/scim/v2/Users", body);
  EXPECT_EQ(r.status, 201) << r.body;
  return r.json.is_object() ? r.json.value("id", "") : "";
}

inline std::string CreateGroup(const std::string& name, nlohmann::json members = nlohmann::json::array()) {
  Reply r = S().Post("/scim/v2/Groups",
                     {{"schemas", {kGroupSchema}}, {"displayName", name}, {"members", members}});
  EXPECT_EQ(r.status, 201) << r.body;
  return r.json.is_object() ? r.json.value("id", "") : "";
}

// The member ids of a group as GET returns them.
inline std::vector<std::string> MemberIds(const std::string& group_id) {
  Reply r = S().Get("/scim/v2/Groups/" + group_id);
  std::vector<std::string> ids;
  if (r.json.is_object() && r.json.contains("members")) {
    for (const auto& m : r.json["members"]) ids.push_back(m.value("value", ""));
  }
  return ids;
}

inline void ExpectScimError(const Reply& r, int status, const std::string& scim_type) {
  EXPECT_EQ(r.status, status) << r.body;
  ASSERT_TRUE(r.json.is_object()) << r.body;
  EXPECT_EQ(r.json.value("status", ""), std::to_string(status)) << r.body;
  if (!scim_type.empty()) {
    EXPECT_EQ(r.json.value("scimType", ""), scim_type) << r.body;
  }
  EXPECT_EQ(r.json["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error");
}

}  // namespace allot::scim_test
