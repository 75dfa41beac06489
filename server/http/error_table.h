// server/http/error_table.h — the one table from error codes to HTTP status,
// admin API error code and SCIM scimType, and the error bodies of each API.
// Thread-safety: stateless.
#pragma once

#include <string_view>

#include "server/base/error.h"
#include "server/http/types.h"

namespace allot::http {

struct ErrorMapping {
  int http_status;
  std::string_view admin_code;  // {"error":{"code":…}}
  std::string_view scim_type;   // RFC 7644 §3.12 scimType, "" for none
};

const ErrorMapping& MappingFor(ErrorCode code);

// Writes `error` as the error body of `surface` (SCIM or admin shape) with
// its status, and Retry-After / WWW-Authenticate where the status calls for
// them.
void RenderError(Surface surface, const Error& error, Response& response);

// Writes an RFC 7644 §3.12 error body: `status` as a string, scimType when
// not empty.
void RenderScimError(int status, std::string_view scim_type, std::string_view detail,
                     Response& response);

// Writes {"error":{"code":…,"message":…}} with `status`.
void RenderAdminError(int status, std::string_view code, std::string_view message,
                      Response& response);

}  // namespace allot::http
