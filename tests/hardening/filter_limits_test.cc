// Issue 9, items 1 and 7: long and deep filters through the real binary.
// A filter past a limit is a clear 400 invalidFilter; every filter within the
// limits is answered, on SQLite and PostgreSQL alike — never a crash, never a
// 500 carrying SQL.
#include "hardening_util.h"

namespace allot::hardening {
namespace {

HttpResponse Search(const std::string& path, const std::string& filter) {
  return Client().Post(path, Shared().scim_token(),
                       json{{"schemas", {"urn:ietf:params:scim:api:messages:2.0:SearchRequest"}},
                            {"filter", filter}}
                           .dump(),
                       kScimJson);
}

int64_t Total(const HttpResponse& r) {
  json j = Json(r);
  return j.is_object() ? j.value("totalResults", int64_t{-1}) : -1;
}

class FilterLimits : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    name_ = Unique("filter-limits");
    CreateUser(name_, {{"emails", {{{"value", name_ + "@example.com"}}}}});
  }
  static std::string name_;
};
std::string FilterLimits::name_;

// The crash: 100,000 `and`-ed (or `or`-ed) terms overflowed the
// stack in the evaluator. Now the length limit refuses them at once.
TEST_F(FilterLimits, HundredThousandTermsAreRefusedOnEverySearch) {
  for (const char* path : {"/scim/v2/Users/.search", "/scim/v2/Groups/.search", "/scim/v2/.search"}) {
    for (const char* glue : {" and ", " or "}) {
      SCOPED_TRACE(std::string(path) + glue);
      ExpectScimError(Search(path, Chain("id pr", glue, 100000)), 400, "invalidFilter",
                      "the limit is 8192 bytes");
    }
  }
  ExpectAlive();
}

TEST_F(FilterLimits, MoreThanTwoHundredComparisonsAreRefused) {
  ExpectScimError(Search("/scim/v2/Users/.search", Chain("id pr", " or ", 201)), 400,
                  "invalidFilter", "more than 200 comparisons");
}

// Item 7: 88 or more `and`-ed terms made SQL nested 88 parentheses deep;
// SQLite's parser overflowed and the 500 body carried the SQL.
TEST_F(FilterLimits, AndChainsUpToTheLimitAreAnswered) {
  const std::string term = "userName eq \"" + name_ + "\"";
  for (int n : {87, 88, 100, 200}) {
    SCOPED_TRACE(n);
    HttpResponse r = Search("/scim/v2/Users/.search", Chain(term, " and ", n));
    ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
    EXPECT_EQ(Total(r), 1);
  }
  // The query string too, with the 100 and-ed comparisons the contract names.
  HttpResponse r = Client().Get(
      "/scim/v2/Users?filter=" + Chain("userName%20eq%20%22" + name_ + "%22", "%20and%20", 100),
      Shared().scim_token());
  EXPECT_EQ(r.status, 200) << r.body.substr(0, 300);
  EXPECT_EQ(Total(r), 1);
}

TEST_F(FilterLimits, OrChainsUpToTheLimitAreAnswered) {
  const std::string miss = "userName eq \"nobody-" + name_ + "\"";
  const std::string hit = "emails.value eq \"" + name_ + "@EXAMPLE.com\"";
  HttpResponse r = Search("/scim/v2/Users/.search", Chain(miss, " or ", 199) + " or " + hit);
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
  EXPECT_EQ(Total(r), 1);
  r = Search("/scim/v2/Groups/.search", Chain("members eq \"nobody\"", " or ", 100) + " or " +
                                            Chain("displayName eq \"none\"", " or ", 100));
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
  EXPECT_EQ(Total(r), 0);
  r = Search("/scim/v2/.search", Chain("(id pr and " + miss + ")", " or ", 99) + " or " + hit);
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
  EXPECT_EQ(Total(r), 1);
}

// Nesting as deep as the parser allows, every comparison with a column and
// an EXISTS at the bottom: deeper than SQLite's parser takes, so the SQL
// stops at its nesting budget and memory decides the rest.
TEST_F(FilterLimits, DeepestNestingIsAnswered) {
  std::string deep;
  const int levels = 63;
  for (int i = 0; i < levels; ++i) {
    deep += i % 2 ? "displayName eq \"nobody\" or not (" : "userName eq \"" + name_ + "\" and (";
  }
  deep += "emails eq \"nobody@example.com\"" + std::string(levels, ')');
  HttpResponse r = Search("/scim/v2/Users/.search", deep);
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
  EXPECT_EQ(Total(r), 1);  // 31 `not`s between the top and the false innermost
  ExpectScimError(Search("/scim/v2/Users/.search", "(" + deep + ")"), 400, "invalidFilter",
                  "the limit is 64 levels");
}

// A side of an `or` that SQL cannot answer used to leave its neighbour's
// value bound to a placeholder no longer in the query: a 500 with the
// database's words.
TEST_F(FilterLimits, OrWithAnInexactSideIsAnswered) {
  HttpResponse r = Search("/scim/v2/Users/.search",
                          "userName eq \"" + name_ + "\" or title eq \"nobody\"");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Total(r), 1);
}

}  // namespace
}  // namespace allot::hardening
