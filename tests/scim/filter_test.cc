#include "scim/filter.h"

#include <gtest/gtest.h>

namespace scim {
namespace {

std::string Canonical(std::string_view text) {
  auto f = ParseFilter(text);
  if (!f) return "ERROR " + f.error().detail;
  return ToString(**f);
}

TEST(Filter, ParsesEveryComparisonOperator) {
  for (const char* op : {"eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"}) {
    EXPECT_EQ(Canonical(std::string("userName ") + op + " \"x\""), std::string("userName ") + op + " \"x\"");
  }
}

TEST(Filter, OperatorsAreCaseInsensitive) {
  EXPECT_EQ(Canonical("userName EQ \"x\" AND title Pr OR NOT (active Eq TRUE)"),
            "((userName eq \"x\" and title pr) or not (active eq true))");
}

TEST(Filter, BuildsComparisonNode) {
  auto f = ParseFilter("name.familyName sw \"J\"");
  ASSERT_TRUE(f);
  const auto& c = std::get<Comparison>((*f)->node);
  EXPECT_EQ(c.path, (AttrPath{"", "name", "familyName"}));
  EXPECT_EQ(c.op, CompareOp::kSw);
  EXPECT_EQ(c.value, "J");
}

TEST(Filter, ParsesValueKinds) {
  EXPECT_EQ(Canonical("a eq true"), "a eq true");
  EXPECT_EQ(Canonical("a eq false"), "a eq false");
  EXPECT_EQ(Canonical("a eq null"), "a eq null");
  EXPECT_EQ(Canonical("a gt 10"), "a gt 10");
  EXPECT_EQ(Canonical("a gt -1.5"), "a gt -1.5");
  EXPECT_EQ(Canonical("a eq \"q\\\"uo\\u00e9\""), "a eq \"q\\\"uoé\"");
}

TEST(Filter, AndBindsTighterThanOr) {
  EXPECT_EQ(Canonical("a pr or b pr and c pr"), "(a pr or (b pr and c pr))");
  EXPECT_EQ(Canonical("a pr and b pr or c pr"), "((a pr and b pr) or c pr)");
}

TEST(Filter, ParenthesesOverridePrecedence) {
  EXPECT_EQ(Canonical("(a pr or b pr) and c pr"), "((a pr or b pr) and c pr)");
}

TEST(Filter, NotBindsTighterThanAnd) {
  EXPECT_EQ(Canonical("not (a pr) and b pr"), "(not (a pr) and b pr)");
}

TEST(Filter, ParsesComplexValueFilter) {
  EXPECT_EQ(Canonical("emails[type eq \"work\" and value co \"@x\"]"),
            "emails[(type eq \"work\" and value co \"@x\")]");
  auto f = ParseFilter("emails[type eq \"work\"]");
  const auto& vp = std::get<ValuePath>((*f)->node);
  EXPECT_EQ(vp.attr.attr, "emails");
  EXPECT_EQ(std::get<Comparison>(vp.filter->node).path.attr, "type");
}

TEST(Filter, ParsesValueFilterCombinedWithOthers) {
  EXPECT_EQ(Canonical("userType eq \"Employee\" and emails[type eq \"work\" and value co \"@example.com\"] or "
                      "ims[type eq \"xmpp\"]"),
            "((userType eq \"Employee\" and emails[(type eq \"work\" and value co \"@example.com\")]) or "
            "ims[type eq \"xmpp\"])");
}

TEST(Filter, ParsesUrnQualifiedPaths) {
  EXPECT_EQ(Canonical("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq \"b\""),
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq \"b\"");
  EXPECT_EQ(Canonical("urn:ietf:params:scim:schemas:core:2.0:User:userName sw \"J\""),
            "urn:ietf:params:scim:schemas:core:2.0:User:userName sw \"J\"");
}

TEST(Filter, ParsesRfcExamples) {
  for (const char* f : {
           "userName eq \"bjensen\"", "name.familyName co \"O'Malley\"", "userName sw \"J\"",
           "title pr", "meta.lastModified gt \"2011-05-13T04:42:34Z\"",
           "title pr and userType eq \"Employee\"", "title pr or userType eq \"Intern\"",
           "schemas eq \"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User\"",
           "userType eq \"Employee\" and (emails co \"example.com\" or emails.value co \"example.org\")",
           "userType ne \"Employee\" and not (emails co \"example.com\" or emails.value co \"example.org\")",
           "emails[type eq \"work\" and value co \"@example.com\"] or ims[type eq \"xmpp\" and value co \"@foo.com\"]"}) {
    auto parsed = ParseFilter(f);
    EXPECT_TRUE(parsed) << f << ": " << parsed.error().detail;
  }
}

TEST(Filter, ToStringReparsesToSameText) {
  for (const char* f : {"a pr or b pr and not (c eq 1)", "emails[type eq \"w\" or primary eq true]",
                        "x eq \"\\n\\t\\\\\"", "((a pr))"}) {
    std::string once = Canonical(f);
    EXPECT_EQ(Canonical(once), once) << f;
  }
}

struct BadFilter {
  const char* text;
  const char* detail;
};

class FilterErrors : public ::testing::TestWithParam<BadFilter> {};

TEST_P(FilterErrors, ReportsPositionAndExpectation) {
  auto f = ParseFilter(GetParam().text);
  ASSERT_FALSE(f) << GetParam().text;
  EXPECT_EQ(f.error().scim_type, "invalidFilter");
  EXPECT_EQ(f.error().status, 400);
  EXPECT_EQ(f.error().detail, GetParam().detail);
}

INSTANTIATE_TEST_SUITE_P(
    Filter, FilterErrors,
    ::testing::Values(
        BadFilter{"userName xx \"a\"",
                  "invalid filter at position 10: expected an operator (eq ne co sw ew gt ge lt le pr), found 'xx \"a\"'"},
        BadFilter{"", "invalid filter at position 1: expected an attribute path, 'not' or '(', found the end of the filter"},
        BadFilter{"userName eq", "invalid filter at position 12: expected a space and a value, found the end of the filter"},
        BadFilter{"userName eq \"abc", "invalid filter at position 13: expected a string closed by '\"', found '\"abc'"},
        BadFilter{"userName eq bob", "invalid filter at position 13: expected a value (a JSON string, number, true, false or null), found 'bob'"},
        BadFilter{"(a pr", "invalid filter at position 6: expected ')', found the end of the filter"},
        BadFilter{"a pr b pr", "invalid filter at position 6: expected 'and', 'or' or the end of the filter, found 'b pr'"},
        BadFilter{"not a pr", "invalid filter at position 5: expected '(' after 'not', found 'a pr'"},
        BadFilter{"emails[type eq \"work\"].value eq \"x\"",
                  "invalid filter at position 23: expected no sub-attribute after ']' (allowed in PATCH paths only), found '.value eq \"x'"},
        BadFilter{"emails[type eq \"work\"", "invalid filter at position 22: expected ']', found the end of the filter"},
        BadFilter{"emails[x[y pr]]", "invalid filter at position 9: expected a comparison (value filters do not nest), found '[y pr]]'"},
        BadFilter{"a eq 1e999", "invalid filter at position 6: expected a value (a JSON string, number, true, false or null), found '1e999'"},
        BadFilter{"a eq \"x\"and b pr", "invalid filter at position 9: expected a space, ')' or the end after the value, found 'and b pr'"},
        BadFilter{"a pr and", "invalid filter at position 9: expected an attribute path, 'not' or '(', found the end of the filter"},
        BadFilter{"1a pr", "invalid filter at position 1: attribute path '1a' has an invalid attribute name"}));

TEST(Filter, RejectsUnknownOperator) {
  auto f = ParseFilter("userName like \"a\"");
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().scim_type, "invalidFilter");
}

TEST(Filter, RejectsExcessiveNesting) {
  std::string text(100, '(');
  text += "a pr" + std::string(100, ')');
  auto f = ParseFilter(text);
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().detail, "filter nests too deeply");
}

}  // namespace
}  // namespace scim
