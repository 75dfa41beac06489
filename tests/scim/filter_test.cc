#include "scim/filter.h"

#include <algorithm>

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
            "userName eq \"x\" and title pr or not (active eq true)");
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
  EXPECT_EQ(Canonical("a pr or b pr and c pr"), "a pr or b pr and c pr");
  EXPECT_EQ(Canonical("a pr and b pr or c pr"), "a pr and b pr or c pr");
  EXPECT_EQ(Canonical("(a pr and b pr) or c pr"), "a pr and b pr or c pr");
}

TEST(Filter, ParenthesesOverridePrecedence) {
  EXPECT_EQ(Canonical("(a pr or b pr) and c pr"), "(a pr or b pr) and c pr");
  EXPECT_EQ(Canonical("((a pr))"), "a pr");
}

TEST(Filter, NotBindsTighterThanAnd) {
  EXPECT_EQ(Canonical("not (a pr) and b pr"), "not (a pr) and b pr");
  EXPECT_EQ(Canonical("not (a pr or b pr)"), "not (a pr or b pr)");
}

TEST(Filter, ParsesComplexValueFilter) {
  EXPECT_EQ(Canonical("emails[type eq \"work\" and value co \"@x\"]"),
            "emails[type eq \"work\" and value co \"@x\"]");
  auto f = ParseFilter("emails[type eq \"work\"]");
  const auto& vp = std::get<ValuePath>((*f)->node);
  EXPECT_EQ(vp.attr.attr, "emails");
  EXPECT_EQ(std::get<Comparison>(vp.filter->node).path.attr, "type");
}

TEST(Filter, ParsesValueFilterCombinedWithOthers) {
  EXPECT_EQ(Canonical("userType eq \"Employee\" and emails[type eq \"work\" and value co \"@example.com\"] or "
                      "ims[type eq \"xmpp\"]"),
            "userType eq \"Employee\" and emails[type eq \"work\" and value co \"@example.com\"] or "
            "ims[type eq \"xmpp\"]");
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
  EXPECT_EQ(f.error().detail,
            "filter nests too deeply: the limit is 64 levels of parentheses and brackets");
}

// `term glue term glue …`, n terms.
std::string Chain(std::string_view term, std::string_view glue, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    if (i > 0) out += glue;
    out += term;
  }
  return out;
}

int TreeDepth(const FilterNode& f) {
  if (const auto* l = std::get_if<Logical>(&f.node)) {
    int deepest = 0;
    for (const FilterPtr& o : l->operands) deepest = std::max(deepest, TreeDepth(*o));
    return deepest + 1;
  }
  if (const auto* n = std::get_if<Negation>(&f.node)) return TreeDepth(*n->operand) + 1;
  if (const auto* v = std::get_if<ValuePath>(&f.node)) return TreeDepth(*v->filter) + 1;
  return 1;
}

TEST(Filter, ChainIsOneFlatNode) {
  auto f = ParseFilter(Chain("id pr", " and ", 100));
  ASSERT_TRUE(f) << f.error().detail;
  const auto& l = std::get<Logical>((*f)->node);
  EXPECT_EQ(l.op, Logical::Op::kAnd);
  EXPECT_EQ(l.operands.size(), 100u);
  EXPECT_EQ(TreeDepth(**f), 2);
}

TEST(Filter, ParenthesisedChainOfTheSameOpIsSplicedIn) {
  EXPECT_EQ(Canonical("(a pr and b pr) and c pr"), "a pr and b pr and c pr");
  EXPECT_EQ(Canonical("a pr or (b pr or c pr) or d pr"), "a pr or b pr or c pr or d pr");
  EXPECT_EQ(Canonical("a pr or (b pr and c pr) or d pr"), "a pr or b pr and c pr or d pr");
  auto f = ParseFilter("(a pr and b pr) and (c pr and d pr)");
  ASSERT_TRUE(f);
  EXPECT_EQ(std::get<Logical>((*f)->node).operands.size(), 4u);
}

TEST(Filter, AcceptsTwoHundredComparisons) {
  EXPECT_TRUE(ParseFilter(Chain("userName eq \"a\"", " and ", 100)));
  EXPECT_TRUE(ParseFilter(Chain("userName eq \"a\"", " or ", 200)));
  EXPECT_TRUE(ParseFilter(Chain("(a pr and b pr)", " or ", 100)));
}

TEST(Filter, RefusesMoreThanTwoHundredComparisons) {
  for (const char* glue : {" and ", " or "}) {
    auto f = ParseFilter(Chain("id pr", glue, 201));
    ASSERT_FALSE(f) << glue;
    EXPECT_EQ(f.error().scim_type, "invalidFilter");
    EXPECT_EQ(f.error().status, 400);
    EXPECT_EQ(f.error().detail, "the filter has more than 200 comparisons, the limit");
  }
}

TEST(Filter, ComparisonsInsideValueFiltersCount) {
  EXPECT_TRUE(ParseFilter("emails[" + Chain("value pr", " or ", 200) + "]"));
  auto f = ParseFilter("id pr and emails[" + Chain("value pr", " or ", 200) + "]");
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().detail, "the filter has more than 200 comparisons, the limit");
}

TEST(Filter, RefusesFilterLongerThan8KiB) {
  const std::string prefix = "userName eq \"";
  std::string longest = prefix + std::string(kMaxFilterBytes - prefix.size() - 1, 'x') + "\"";
  ASSERT_EQ(longest.size(), 8192u);
  EXPECT_TRUE(ParseFilter(longest));
  auto f = ParseFilter(longest + " ");
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().scim_type, "invalidFilter");
  EXPECT_EQ(f.error().detail, "the filter is 8193 bytes long; the limit is 8192 bytes");
}

// The crash: a chain of 100,000 terms is refused, not walked.
TEST(Filter, HundredThousandTermChainIsRefused) {
  for (const char* glue : {" and ", " or "}) {
    auto f = ParseFilter(Chain("id pr", glue, 100000));
    ASSERT_FALSE(f);
    EXPECT_EQ(f.error().scim_type, "invalidFilter");
  }
}

// The deepest filter the parser accepts, alternating and/or/not so that
// nothing is spliced, stays within kMaxFilterTreeDepth.
TEST(Filter, DeepestAcceptedFilterIsBoundedTree) {
  std::string text;
  const int levels = kMaxFilterNesting - 1;  // the whole filter is the first level
  for (int i = 0; i < levels; ++i) text += i % 2 ? "a pr or not (" : "b pr and (";
  text += "emails[value pr]";
  text += std::string(levels, ')');
  auto f = ParseFilter(text);
  EXPECT_FALSE(f);  // the value filter's brackets are one level too many
  text.replace(text.find("emails[value pr]"), 16, "c pr");
  f = ParseFilter(text);
  ASSERT_TRUE(f) << f.error().detail;
  EXPECT_LE(TreeDepth(**f), kMaxFilterTreeDepth);
  const std::string once = ToString(**f);
  auto again = ParseFilter(once);  // canonical text nests no deeper than the source
  ASSERT_TRUE(again) << again.error().detail;
  EXPECT_EQ(ToString(**again), once);
  EXPECT_FALSE(ParseFilter("(" + text + ")"));
}

}  // namespace
}  // namespace scim
