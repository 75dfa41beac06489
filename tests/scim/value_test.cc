#include "scim/value.h"

#include <gtest/gtest.h>

namespace scim {
namespace {

using nlohmann::json;

const Schema& UserCore() { return *DefaultRegistry().FindResourceType("User")->schema; }
const Attribute& Attr(const char* name) { return *UserCore().Find(name); }

TEST(Value, CoercesBooleanStringsInAnyCase) {
  for (const char* s : {"True", "true", "TRUE"}) EXPECT_EQ(*CoerceValue(Attr("active"), s, "active"), json(true));
  for (const char* s : {"False", "false"}) EXPECT_EQ(*CoerceValue(Attr("active"), s, "active"), json(false));
}

TEST(Value, RejectsNonBooleanForBoolean) {
  auto r = CoerceValue(Attr("active"), "yes", "active");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().scim_type, "invalidValue");
  EXPECT_NE(r.error().detail.find("'active'"), std::string::npos);
  EXPECT_FALSE(CoerceValue(Attr("active"), 1, "active"));
}

TEST(Value, RejectsNumberForString) {
  auto r = CoerceValue(Attr("userName"), 5, "userName");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().detail, "attribute 'userName' must be of type string, got number");
}

TEST(Value, EmptyStringIsUnassigned) { EXPECT_TRUE(CoerceValue(Attr("title"), "", "title")->is_null()); }

TEST(Value, WrapsSingleValueOfMultiValuedAttribute) {
  auto r = CoerceValue(Attr("emails"), json{{"value", "a@x"}}, "emails");
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, json::parse(R"([{"value":"a@x"}])"));
}

TEST(Value, CanonicalisesAndDropsUnknownSubAttributes) {
  auto r = CoerceValue(Attr("emails"), json::parse(R"([{"VALUE":"a@x","Primary":"true","foo":1}])"), "emails");
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, json::parse(R"([{"value":"a@x","primary":true}])"));
}

TEST(Value, DropsEmptyElements) {
  auto r = CoerceValue(Attr("emails"), json::parse(R"([{"value":null},{"value":"b"}])"), "emails");
  EXPECT_EQ(*r, json::parse(R"([{"value":"b"}])"));
}

TEST(Value, WrapsPlainValueOfComplexWithValueSubAttribute) {
  const Attribute& manager = *DefaultRegistry().FindSchema(kEnterpriseUserSchema)->Find("manager");
  EXPECT_EQ(*CoerceValue(manager, "boss-id", "manager"), json::parse(R"({"value":"boss-id"})"));
}

TEST(Value, DropsReadOnlySubAttributes) {
  const Attribute& manager = *DefaultRegistry().FindSchema(kEnterpriseUserSchema)->Find("manager");
  EXPECT_EQ(*CoerceValue(manager, json::parse(R"({"value":"b","displayName":"Boss"})"), "manager"),
            json::parse(R"({"value":"b"})"));
}

TEST(Value, RequiresRequiredSubAttribute) {
  const Attribute& members = *DefaultRegistry().FindSchema(kGroupSchema)->Find("members");
  auto r = CoerceValue(members, json::parse(R"([{"display":"x"}])"), "members");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().scim_type, "invalidValue");
}

TEST(Value, DropsNullRef) {
  const Attribute& members = *DefaultRegistry().FindSchema(kGroupSchema)->Find("members");
  EXPECT_EQ(*CoerceValue(members, json::parse(R"([{"value":"u1","$ref":null}])"), "members"),
            json::parse(R"([{"value":"u1"}])"));
}

TEST(Value, ChecksIntegerAndDecimal) {
  Attribute i{.name = "n", .type = AttrType::kInteger};
  Attribute d{.name = "d", .type = AttrType::kDecimal};
  EXPECT_EQ(*CoerceValue(i, 3, "n"), json(3));
  EXPECT_EQ(*CoerceValue(i, 3.0, "n"), json(3));
  EXPECT_FALSE(CoerceValue(i, 3.5, "n"));
  EXPECT_FALSE(CoerceValue(i, "3", "n"));
  EXPECT_EQ(*CoerceValue(d, 3.5, "d"), json(3.5));
  EXPECT_FALSE(CoerceValue(d, "3.5", "d"));
}

TEST(Value, ChecksDateTime) {
  Attribute t{.name = "t", .type = AttrType::kDateTime};
  EXPECT_TRUE(CoerceValue(t, "2024-01-31T12:00:00Z", "t"));
  EXPECT_TRUE(CoerceValue(t, "2024-01-31T12:00:00.123+02:00", "t"));
  for (const char* bad : {"2024-01-31", "2024-13-01T00:00:00Z", "2024-01-31T12:00:00", "yesterday"}) {
    auto r = CoerceValue(t, bad, "t");
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().scim_type, "invalidValue");
  }
}

// Found by fuzz_filter: nanoseconds since 1970 overflow int64 after 2262.
TEST(Value, ParseDateTimeOrdersYearsUpTo9999) {
  auto far = ParseDateTime("4022-05-13T04:42:34Z");
  auto end = ParseDateTime("9999-12-31T23:59:59.999999Z");
  auto now = ParseDateTime("2026-11-22T12:00:00Z");
  ASSERT_TRUE(far && end && now);
  EXPECT_LT(*now, *far);
  EXPECT_LT(*far, *end);
  EXPECT_LT(*ParseDateTime("0001-01-01T00:00:00Z"), 0);
}

TEST(Value, ParseDateTimeHonoursOffsets) {
  EXPECT_EQ(*ParseDateTime("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*ParseDateTime("2024-01-01T02:00:00+02:00"), *ParseDateTime("2024-01-01T00:00:00Z"));
  EXPECT_EQ(*ParseDateTime("1970-01-01T00:00:01.5Z"), 1500000);
}

}  // namespace
}  // namespace scim
