#include "scim/messages.h"

#include <gtest/gtest.h>

namespace scim {
namespace {

using nlohmann::json;

TEST(Messages, ErrorBodyHasStringStatusAndScimType) {
  EXPECT_EQ(ErrorBody(Error::InvalidFilter("bad")),
            json::parse(R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400",
              "scimType":"invalidFilter","detail":"bad"})"));
}

TEST(Messages, ErrorBodyOmitsEmptyScimType) {
  EXPECT_EQ(ErrorBody(Error::NotFound("no such user")),
            json::parse(R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"404",
              "detail":"no such user"})"));
}

TEST(Messages, ErrorBodyReplacesInvalidUtf8) {
  json body = ErrorBody(Error::InvalidPath(std::string("bad \xff\xc3 path \xc3\xa9")));
  EXPECT_EQ(body["detail"], "bad ?? path \xc3\xa9");
  EXPECT_NO_THROW(body.dump());
}

TEST(Messages, ErrorKindsHaveRfcTypesAndStatuses) {
  EXPECT_EQ(ErrorBody(Error::Uniqueness("x"))["status"], "409");
  EXPECT_EQ(ErrorBody(Error::Uniqueness("x"))["scimType"], "uniqueness");
  EXPECT_EQ(ErrorBody(Error::TooMany("x"))["scimType"], "tooMany");
  EXPECT_EQ(ErrorBody(Error::InvalidVersion("x"))["scimType"], "invalidVers");
  EXPECT_EQ(ErrorBody(Error::NoTarget("x"))["scimType"], "noTarget");
  EXPECT_EQ(ErrorBody(Error::Mutability("x"))["scimType"], "mutability");
  EXPECT_EQ(ErrorBody(Error::PreconditionFailed("x"))["status"], "412");
}

TEST(Messages, ListResponseCountsItemsInPage) {
  json list = ListResponse({json{{"id", "a"}}, json{{"id", "b"}}}, 10, 3);
  EXPECT_EQ(list, json::parse(R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
      "totalResults":10,"itemsPerPage":2,"startIndex":3,"Resources":[{"id":"a"},{"id":"b"}]})"));
  EXPECT_TRUE(list["totalResults"].is_number_integer());
}

TEST(Messages, EmptyListResponseForCountZero) {
  json list = ListResponse({}, 42, 1);
  EXPECT_EQ(list["itemsPerPage"], 0);
  EXPECT_EQ(list["totalResults"], 42);
  EXPECT_EQ(list["Resources"], json::array());
}

}  // namespace
}  // namespace scim
