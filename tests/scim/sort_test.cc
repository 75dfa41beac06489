#include "scim/sort.h"

#include <algorithm>

#include <gtest/gtest.h>

namespace scim {
namespace {

using nlohmann::json;

const ResourceType& User() { return *DefaultRegistry().FindResourceType("User"); }

std::vector<std::string> SortedIds(const char* by, const char* order, std::vector<json> users) {
  auto spec = ParseSort(User(), by, order);
  EXPECT_TRUE(spec) << spec.error().detail;
  std::stable_sort(users.begin(), users.end(), SortLess{*spec});
  std::vector<std::string> ids;
  for (const json& u : users) ids.push_back(u["id"]);
  return ids;
}

std::vector<json> Users() {
  return {json::parse(R"({"id":"1","userName":"bob","externalId":"b",
            "emails":[{"value":"z@x"},{"value":"a@x","primary":true}],"meta":{"created":"2024-01-01T10:00:00+02:00"}})"),
          json::parse(R"({"id":"2","userName":"Alice","externalId":"B","emails":[{"value":"m@x"}],
            "meta":{"created":"2024-01-01T09:00:00Z"}})"),
          json::parse(R"({"id":"3","externalId":"a","meta":{"created":"2023-12-31T23:00:00Z"}})"),
          json::parse(R"({"id":"4","userName":"carol"})")};
}

TEST(Sort, CaseInsensitiveStringsAscending) {
  EXPECT_EQ(SortedIds("userName", "", Users()), (std::vector<std::string>{"2", "1", "4", "3"}));
}

TEST(Sort, DescendingKeepsMissingLast) {
  EXPECT_EQ(SortedIds("userName", "DESCENDING", Users()), (std::vector<std::string>{"4", "1", "2", "3"}));
}

TEST(Sort, CaseExactAttributeSortsByCodePoint) {
  EXPECT_EQ(SortedIds("externalId", "ascending", Users()), (std::vector<std::string>{"2", "3", "1", "4"}));
}

TEST(Sort, MultiValuedUsesPrimaryOrFirst) {
  EXPECT_EQ(SortedIds("emails", "", Users()), (std::vector<std::string>{"1", "2", "3", "4"}));
  EXPECT_EQ(SortedIds("emails.value", "descending", Users()), (std::vector<std::string>{"2", "1", "3", "4"}));
}

TEST(Sort, DateTimesSortAsInstants) {
  EXPECT_EQ(SortedIds("meta.created", "", Users()), (std::vector<std::string>{"3", "1", "2", "4"}));
}

TEST(Sort, RejectsUnknownAttributeAndOrder) {
  EXPECT_EQ(ParseSort(User(), "shoeSize", "").error().scim_type, "invalidPath");
  EXPECT_EQ(ParseSort(User(), "userName", "up").error().scim_type, "invalidValue");
}

}  // namespace
}  // namespace scim
