#include "scim/value.h"

#include <cctype>
#include <string>

namespace scim {
namespace {

using nlohmann::json;

Error WrongType(std::string_view path, const Attribute& attr, const json& value) {
  return Error::InvalidValue("attribute '" + std::string(path) + "' must be of type " +
                             std::string(ToString(attr.type)) + ", got " +
                             std::string(value.type_name()));
}

int Digits(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) return -1;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  // Howard Hinnant's algorithm: days since 1970-01-01 of a proleptic
  // Gregorian date.
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

}  // namespace

std::optional<int64_t> ParseDateTime(std::string_view s) {
  int year = Digits(s, 0, 4), month = Digits(s, 5, 2), day = Digits(s, 8, 2);
  int hour = Digits(s, 11, 2), minute = Digits(s, 14, 2), second = Digits(s, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 ||
      minute < 0 || minute > 59 || second < 0 || second > 60 || s[4] != '-' || s[7] != '-' ||
      (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':') {
    return std::nullopt;
  }
  size_t pos = 19;
  int64_t micros = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
      if (digits < 6) micros = micros * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (int i = digits; i < 6; ++i) micros *= 10;
  }
  int offset_minutes = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh = Digits(s, pos + 1, 2), om = Digits(s, pos + 4, 2);
    if (oh < 0 || om < 0 || oh > 23 || om > 59 || s[pos + 3] != ':') return std::nullopt;
    offset_minutes = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;  // RFC 7643 requires a time zone designator.
  }
  if (pos != s.size()) return std::nullopt;
  int64_t secs = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 +
                 hour * 3600 + minute * 60 + second - offset_minutes * 60;
  return secs * 1000000 + micros;
}

bool IsUnassigned(const json& v) {
  return v.is_null() || (v.is_string() && v.get_ref<const std::string&>().empty()) ||
         (v.is_array() && v.empty()) || (v.is_object() && v.empty());
}

Result<json> CoerceSingleValue(const Attribute& attr, const json& value, std::string_view path) {
  if (value.is_null()) return json(nullptr);
  switch (attr.type) {
    case AttrType::kString:
    case AttrType::kReference:
    case AttrType::kBinary:
      if (!value.is_string()) return Fail(WrongType(path, attr, value));
      return value;
    case AttrType::kBoolean:
      if (value.is_boolean()) return value;
      if (value.is_string()) {
        const std::string& s = value.get_ref<const std::string&>();
        if (EqualsIgnoreCase(s, "true")) return json(true);
        if (EqualsIgnoreCase(s, "false")) return json(false);
      }
      return Fail(WrongType(path, attr, value));
    case AttrType::kInteger:
      if (value.is_number_integer()) return value;
      if (value.is_number_float()) {
        double d = value.get<double>();
        if (d == static_cast<double>(static_cast<int64_t>(d))) return json(static_cast<int64_t>(d));
      }
      return Fail(WrongType(path, attr, value));
    case AttrType::kDecimal:
      if (value.is_number()) return value;
      return Fail(WrongType(path, attr, value));
    case AttrType::kDateTime:
      if (!value.is_string() || !ParseDateTime(value.get_ref<const std::string&>())) {
        return Fail(Error::InvalidValue("attribute '" + std::string(path) +
                                        "' must be a dateTime such as 2024-01-31T12:00:00Z"));
      }
      return value;
    case AttrType::kComplex:
      break;
  }
  // Complex.
  if (!value.is_object()) {
    const Attribute* v = attr.FindSub("value");
    if (v != nullptr && !value.is_array()) return CoerceSingleValue(attr, json{{"value", value}}, path);
    return Fail(WrongType(path, attr, value));
  }
  json out = json::object();
  for (const auto& [key, sub_value] : value.items()) {
    const Attribute* sub = attr.FindSub(key);
    if (sub == nullptr || sub->mutability == Mutability::kReadOnly) continue;
    std::string sub_path = std::string(path) + "." + sub->name;
    Result<json> coerced = sub->multi_valued ? CoerceValue(*sub, sub_value, sub_path)
                                             : CoerceSingleValue(*sub, sub_value, sub_path);
    if (!coerced) return Fail(coerced.error());
    if (coerced->is_null()) continue;
    out[sub->name] = std::move(*coerced);
  }
  if (out.empty()) return json(nullptr);
  for (const Attribute& sub : attr.sub_attributes) {
    if (sub.required && !out.contains(sub.name)) {
      return Fail(Error::InvalidValue("attribute '" + std::string(path) + "' needs its sub-attribute '" +
                                      sub.name + "'"));
    }
  }
  return out;
}

Result<json> CoerceValue(const Attribute& attr, const json& value, std::string_view path) {
  if (!attr.multi_valued) {
    Result<json> v = CoerceSingleValue(attr, value, path);
    if (v && v->is_string() && v->get_ref<const std::string&>().empty()) return json(nullptr);
    return v;
  }
  if (value.is_null()) return json(nullptr);
  json out = json::array();
  auto add_one = [&](const json& element) -> Status {
    Result<json> v = CoerceSingleValue(attr, element, path);
    if (!v) return Fail(v.error());
    if (!v->is_null()) out.push_back(std::move(*v));
    return Ok();
  };
  if (value.is_array()) {
    for (const json& element : value) {
      if (Status s = add_one(element); !s) return Fail(s.error());
    }
  } else if (Status s = add_one(value); !s) {
    return Fail(s.error());
  }
  if (out.empty()) return json(nullptr);
  return out;
}

}  // namespace scim
