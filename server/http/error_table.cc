#include "server/http/error_table.h"

#include <nlohmann/json.hpp>

namespace allot::http {

const ErrorMapping& MappingFor(ErrorCode code) {
  // Indexed by ErrorCode; keep in the enum's order.
  static constexpr ErrorMapping kTable[] = {
      /* kInvalidRequest     */ {400, "invalid_request", "invalidValue"},
      /* kUnauthorized       */ {401, "unauthorized", ""},
      /* kForbidden          */ {403, "forbidden", ""},
      /* kNotFound           */ {404, "not_found", ""},
      /* kNoSeats            */ {409, "no_seats", ""},
      /* kConflict           */ {409, "conflict", "uniqueness"},
      /* kPreconditionFailed */ {412, "precondition_failed", ""},
      /* kPayloadTooLarge    */ {413, "payload_too_large", ""},
      /* kTooManyRequests    */ {429, "too_many_requests", ""},
      /* kUnavailable        */ {503, "unavailable", ""},
      /* kTenantSuspended    */ {403, "tenant_suspended", ""},
      /* kInternal           */ {500, "internal", ""},
  };
  const auto index = static_cast<size_t>(code);
  return index < std::size(kTable) ? kTable[index] : kTable[std::size(kTable) - 1];
}

void RenderScimError(int status, std::string_view scim_type, std::string_view detail,
                     Response& response) {
  nlohmann::json body = {
      {"schemas", {"urn:ietf:params:scim:api:messages:2.0:Error"}},
      {"status", std::to_string(status)},
      {"detail", detail},
  };
  if (!scim_type.empty()) body["scimType"] = scim_type;
  response.status = status;
  response.content_type = "application/scim+json";
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void RenderAdminError(int status, std::string_view code, std::string_view message,
                      Response& response) {
  nlohmann::json body = {{"error", {{"code", code}, {"message", message}}}};
  response.status = status;
  response.content_type = "application/json";
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void RenderError(Surface surface, const Error& error, Response& response) {
  const ErrorMapping& m = MappingFor(error.code);
  // A 5xx keeps its message here; the server replaces the body with a
  // generic one and logs the message with the request id (dispatcher.h).
  if (surface == Surface::kScim) {
    // A SCIM 409 is a uniqueness conflict only when it is one; other codes
    // carry no scimType.
    RenderScimError(m.http_status, m.scim_type, error.message, response);
  } else {
    RenderAdminError(m.http_status, m.admin_code, error.message, response);
  }
  if (m.http_status == 429 || m.http_status == 503) response.SetHeader("Retry-After", "1");
  if (m.http_status == 401) response.SetHeader("WWW-Authenticate", "Bearer realm=\"allot\"");
}

}  // namespace allot::http
