// The admin API's shared helpers: strict bodies, paging, cursors, slugs.
#include "server/admin/routes.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace allot::admin {
namespace {

const std::initializer_list<FieldSpec> kFields = {{"name", FieldType::kString, true},
                                                  {"seats", FieldType::kInteger},
                                                  {"subscriptions", FieldType::kArrayOfStrings}};

std::string MessageOf(const Result<nlohmann::json>& r) { return r ? "" : r.error().message; }

TEST(ParseBody, AcceptsKnownFieldsOfTheirTypes) {
  auto r = ParseBody(R"({"name":"a","seats":3,"subscriptions":["x"]})", kFields);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ((*r)["seats"], 3);
}

TEST(ParseBody, RejectsUnknownFieldNamingIt) {
  auto r = ParseBody(R"({"name":"a","colour":"red"})", kFields);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidRequest);
  EXPECT_NE(MessageOf(r).find("colour"), std::string::npos);
}

TEST(ParseBody, RejectsWrongTypeNamingTheField) {
  EXPECT_NE(MessageOf(ParseBody(R"({"name":"a","seats":"3"})", kFields)).find("seats"),
            std::string::npos);
  EXPECT_NE(MessageOf(ParseBody(R"({"name":"a","seats":3.5})", kFields)).find("seats"),
            std::string::npos);
  EXPECT_NE(MessageOf(ParseBody(R"({"name":"a","subscriptions":["x",1]})", kFields))
                .find("subscriptions"),
            std::string::npos);
  EXPECT_NE(MessageOf(ParseBody(R"({"name":5})", kFields)).find("name"), std::string::npos);
}

TEST(ParseBody, RejectsMissingRequiredField) {
  EXPECT_NE(MessageOf(ParseBody(R"({"seats":3})", kFields)).find("name"), std::string::npos);
  EXPECT_NE(MessageOf(ParseBody(R"({"name":null})", kFields)).find("name"), std::string::npos);
}

TEST(ParseBody, NullOptionalFieldIsAbsent) {
  auto r = ParseBody(R"({"name":"a","seats":null})", kFields);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->contains("seats"));
}

TEST(ParseBody, RejectsNonObjects) {
  for (const char* body : {"", "[]", "\"x\"", "{", "null", "{\"name\":\"a\"} x"}) {
    EXPECT_FALSE(ParseBody(body, kFields)) << body;
  }
}

TEST(ParseOptionalBody, EmptyBodyIsAnEmptyObject) {
  auto r = ParseOptionalBody("  \n", {{"name", FieldType::kString}});
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->empty());
  EXPECT_FALSE(ParseOptionalBody(R"({"x":1})", {{"name", FieldType::kString}}));
}

http::Request WithQuery(std::multimap<std::string, std::string> query) {
  http::Request r;
  r.query = std::move(query);
  return r;
}

TEST(ParsePage, DefaultsToOneHundred) {
  auto page = ParsePage(WithQuery({}));
  ASSERT_TRUE(page);
  EXPECT_EQ(page->limit, 100);
  EXPECT_TRUE(page->after.empty());
}

TEST(ParsePage, RejectsLimitsOutOfRange) {
  for (const char* limit : {"0", "1001", "-1", "abc", "", "99999", "1e3"}) {
    auto page = ParsePage(WithQuery({{"limit", limit}}));
    ASSERT_FALSE(page) << limit;
    EXPECT_NE(page.error().message.find("limit"), std::string::npos);
  }
}

TEST(ParsePage, CursorRoundTrips) {
  for (const std::string& key : std::vector<std::string>{"a", "ab", "abc", "user@example.com",
                                                          std::string("\x00\xff", 2)}) {
    auto page = ParsePage(WithQuery({{"cursor", EncodeCursor(key)}}));
    ASSERT_TRUE(page) << key;
    EXPECT_EQ(page->after, key);
  }
}

TEST(ParsePage, RejectsMalformedCursor) {
  EXPECT_FALSE(ParsePage(WithQuery({{"cursor", "not a cursor!"}})));
  EXPECT_FALSE(ParsePage(WithQuery({{"cursor", ""}})));
}

TEST(PageBody, NextCursorIsNullOnTheLastPage) {
  EXPECT_TRUE(PageBody(nlohmann::json::array(), "")["next_cursor"].is_null());
  EXPECT_EQ(PageBody(nlohmann::json::array(), "k")["next_cursor"], EncodeCursor("k"));
}

TEST(IsValidSlug, FollowsTheContractPattern) {
  EXPECT_TRUE(IsValidSlug("lit-2026"));
  EXPECT_TRUE(IsValidSlug("a"));
  EXPECT_TRUE(IsValidSlug("0a._-"));
  EXPECT_TRUE(IsValidSlug(std::string(64, 'a')));
  EXPECT_FALSE(IsValidSlug(std::string(65, 'a')));
  EXPECT_FALSE(IsValidSlug(""));
  EXPECT_FALSE(IsValidSlug("-a"));
  EXPECT_FALSE(IsValidSlug("A"));
  EXPECT_FALSE(IsValidSlug("a b"));
}

}  // namespace
}  // namespace allot::admin
