#include "scim/filter_eval.h"

#include <gtest/gtest.h>

namespace scim {
namespace {

using nlohmann::json;

const ResourceType& User() { return *DefaultRegistry().FindResourceType("User"); }

const json& Babs() {
  static const json* user = new json(json::parse(R"({
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
    "id": "2819c223", "externalId": "Ext-1", "userName": "BJensen@example.com",
    "name": {"familyName": "Jensen", "givenName": "Barbara"},
    "title": "", "active": true, "nickName": null,
    "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true},
               {"value": "babs@jensen.org", "type": "home"}],
    "phoneNumbers": [],
    "meta": {"lastModified": "2011-05-13T04:42:34Z", "version": "W/\"a330bc54f0671c9\""},
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
      "employeeNumber": "701984", "manager": {"value": "26118915"}}
  })"));
  return *user;
}

bool Match(std::string_view filter) {
  auto f = ParseFilter(filter);
  EXPECT_TRUE(f) << filter << ": " << f.error().detail;
  return f && Matches(**f, Babs(), User());
}

struct Case {
  const char* filter;
  bool expected;
};

class FilterMatch : public ::testing::TestWithParam<Case> {};

TEST_P(FilterMatch, EvaluatesAgainstUser) {
  EXPECT_EQ(Match(GetParam().filter), GetParam().expected) << GetParam().filter;
}

INSTANTIATE_TEST_SUITE_P(
    Filter, FilterMatch,
    ::testing::Values(
        // userName is not caseExact.
        Case{"userName eq \"bjensen@EXAMPLE.com\"", true}, Case{"USERNAME eq \"bjensen@example.com\"", true},
        // externalId and id are caseExact.
        Case{"externalId eq \"ext-1\"", false}, Case{"externalId eq \"Ext-1\"", true},
        Case{"id eq \"2819c223\"", true},
        Case{"userName sw \"bjen\"", true}, Case{"userName ew \"@Example.com\"", true},
        Case{"userName co \"SEN@\"", true}, Case{"userName co \"nobody\"", false},
        Case{"userName ne \"x\"", true}, Case{"userName ne \"bjensen@example.com\"", false},
        Case{"userName gt \"a\"", true}, Case{"userName lt \"a\"", false},
        Case{"name.familyName eq \"jensen\"", true}, Case{"name.givenName eq \"x\"", false},
        // pr: empty string, null, empty array are not present.
        Case{"title pr", false}, Case{"nickName pr", false}, Case{"phoneNumbers pr", false},
        Case{"emails pr", true}, Case{"displayName pr", false}, Case{"name.familyName pr", true},
        // booleans.
        Case{"active eq true", true}, Case{"active eq false", false}, Case{"active ne false", true},
        Case{"active gt false", false},
        // multi-valued: any value; complex without sub compares "value".
        Case{"emails.value eq \"babs@jensen.org\"", true}, Case{"emails co \"jensen.org\"", true},
        Case{"emails.type eq \"other\"", false},
        Case{"emails[type eq \"work\" and value co \"@example.com\"]", true},
        Case{"emails[type eq \"home\" and value co \"@example.com\"]", false},
        Case{"emails[primary eq true]", true}, Case{"emails[not (type pr)]", false},
        // dateTime compares instants, not text.
        Case{"meta.lastModified gt \"2011-05-13T04:42:33Z\"", true},
        Case{"meta.lastModified eq \"2011-05-13T06:42:34+02:00\"", true},
        Case{"meta.lastModified lt \"2011-05-13T04:42:34Z\"", false},
        // extensions.
        Case{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq \"701984\"", true},
        Case{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq \"26118915\"", true},
        Case{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department pr", false},
        // null.
        Case{"displayName eq null", true}, Case{"userName eq null", false}, Case{"userName ne null", true},
        // logic.
        Case{"userName pr and not (active eq false)", true}, Case{"title pr or active eq true", true},
        Case{"title pr and active eq true", false},
        // unknown attributes match nothing.
        Case{"nothing eq \"x\"", false}, Case{"nothing pr", false}, Case{"not (nothing pr)", true},
        // co/sw on booleans never match.
        Case{"active co \"t\"", false}));

TEST(Filter, NumbersCompareNumerically) {
  Registry r;
  Schema s;
  s.id = "urn:test:Thing";
  s.attributes = {Attribute{.name = "n", .type = AttrType::kInteger},
                  Attribute{.name = "d", .type = AttrType::kDecimal}};
  ASSERT_TRUE(r.AddResourceType("Thing", "/Things", "", s));
  const ResourceType& t = *r.FindResourceType("Thing");
  json thing = {{"n", 10}, {"d", 2.5}};
  auto m = [&](const char* f) { return Matches(**ParseFilter(f), thing, t); };
  EXPECT_TRUE(m("n gt 9"));
  EXPECT_FALSE(m("n gt 10"));
  EXPECT_TRUE(m("n ge 10"));
  EXPECT_TRUE(m("n lt 100"));
  EXPECT_TRUE(m("d lt 2.6"));
  EXPECT_TRUE(m("d eq 2.5"));
  EXPECT_FALSE(m("n eq \"10\""));
  EXPECT_TRUE(m("n gt -1"));
}

TEST(Filter, ResolveFilterListsAttributes) {
  auto f = ParseFilter("userName eq \"a\" and emails[type eq \"work\"] and "
                       "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department pr");
  auto r = ResolveFilter(**f, User());
  ASSERT_TRUE(r);
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].attribute->name, "userName");
  EXPECT_FALSE((*r)[0].target().case_exact);
  EXPECT_EQ((*r)[1].attribute->name, "emails");
  EXPECT_EQ((*r)[1].target().name, "type");
  EXPECT_TRUE((*r)[2].in_extension);
}

TEST(Filter, ResolveFilterRejectsUnknownAttribute) {
  auto r = ResolveFilter(**ParseFilter("title pr or nope eq 1"), User());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().scim_type, "invalidFilter");
  EXPECT_NE(r.error().detail.find("nope"), std::string::npos);
}

TEST(Filter, ResolveFilterRejectsValueFilterOnSimpleAttribute) {
  auto r = ResolveFilter(**ParseFilter("userName[value eq \"x\"]"), User());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().scim_type, "invalidFilter");
}

std::string Chain(const std::string& term, const char* glue, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += (i ? glue : "") + term;
  return out;
}

// Long chains are one n-ary node: evaluation loops over them, and stops at
// the first operand that decides.
TEST(Filter, LongChainsEvaluate) {
  EXPECT_TRUE(Match(Chain("userName eq \"bjensen@example.com\"", " and ", 200)));
  EXPECT_FALSE(Match(Chain("userName eq \"bjensen@example.com\"", " and ", 199) + " and title pr"));
  EXPECT_TRUE(Match(Chain("userName eq \"nobody\"", " or ", 199) + " or id eq \"2819c223\""));
  EXPECT_FALSE(Match(Chain("userName eq \"nobody\"", " or ", 200)));
  EXPECT_TRUE(Match("emails[" + Chain("type eq \"none\"", " or ", 199) + " or type eq \"home\"]"));
}

// The deepest filter the parser accepts evaluates and resolves. It has 31
// `not`s on the way down, so its result is the opposite of its innermost
// comparison: evaluation reaches the bottom.
TEST(Filter, DeepestAcceptedFilterEvaluates) {
  for (const char* innermost : {"userName sw \"bj\"", "userName sw \"zz\""}) {
    std::string text;
    const int levels = kMaxFilterNesting - 1;
    for (int i = 0; i < levels; ++i) text += i % 2 ? "title pr or not (" : "active eq true and (";
    text += innermost + std::string(levels, ')');
    auto f = ParseFilter(text);
    ASSERT_TRUE(f) << f.error().detail;
    const bool innermost_matches = Match(innermost);
    EXPECT_EQ(Matches(**f, Babs(), User()), !innermost_matches) << innermost;
    auto resolved = ResolveFilter(**f, User());
    ASSERT_TRUE(resolved);
    EXPECT_EQ(resolved->size(), static_cast<size_t>(levels + 1));
  }
}

}  // namespace
}  // namespace scim
