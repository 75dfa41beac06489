#include "server/admin/subscription_json.h"

#include <nlohmann/json.hpp>

#include "scim/value.h"
#include "server/scim_api/filter_sql.h"

namespace allot::admin {
namespace {

nlohmann::json OptionalJson(const std::optional<std::string>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

Result<TermField> ParseTermField(const nlohmann::json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end()) return TermField();
  if (it->is_null()) return TermField(std::optional<std::string>());
  auto micros = it->is_string() ? scim::ParseDateTime(it->get<std::string>()) : std::nullopt;
  if (!micros) {
    return Fail(ErrorCode::kInvalidRequest, "field \"" + std::string(name) +
                                                "\" must be an RFC 3339 time such as "
                                                "2027-08-31T23:59:59Z, or null");
  }
  return TermField(scim_api::FormatStoredTime(*micros, false));
}

}  // namespace

nlohmann::json SubscriptionJson(const licensing::Subscription& s) {
  return {{"id", s.id},
          {"product_id", s.product_id},
          {"seats", s.seats},
          {"assigned", s.assigned},
          {"pending", s.pending},
          {"available", s.available()},
          {"fill", s.fill},
          {"starts_at", OptionalJson(s.starts_at)},
          {"ends_at", OptionalJson(s.ends_at)},
          {"status", s.status},
          {"created_at", s.created_at}};
}

Result<TermFields> ParseTermFields(std::string_view raw_body) {
  const nlohmann::json body = nlohmann::json::parse(raw_body, nullptr, false);
  TermFields out;
  if (!body.is_object()) return out;  // ParseBody already refused it
  auto starts = ParseTermField(body, "starts_at");
  if (!starts) return std::unexpected(starts.error());
  auto ends = ParseTermField(body, "ends_at");
  if (!ends) return std::unexpected(ends.error());
  out.starts_at = *starts;
  out.ends_at = *ends;
  return out;
}

nlohmann::json ProductJson(const licensing::Product& p) {
  return {{"id", p.id},
          {"name", p.name},
          {"family", p.family ? nlohmann::json(*p.family) : nlohmann::json(nullptr)},
          {"created_at", p.created_at}};
}

int64_t SeatsOf(const nlohmann::json& v) {
  if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
    return INT64_MAX;
  }
  return v.get<int64_t>();
}

}  // namespace allot::admin
