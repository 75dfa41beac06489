// server/base/error.h — allot's error value and Result<T> for the server layers.
//
// Domain and storage functions return Result<T>: a value, or an Error with a
// code (what kind of failure, which decides the HTTP status, the admin API's
// error code and the SCIM scimType through one table in http/error_table.h)
// and a message that names what is wrong and how to mend it.
// Thread-safety: plain values.
#pragma once

#include <expected>
#include <string>
#include <utility>

namespace allot {

enum class ErrorCode {
  kInvalidRequest,      // the input is malformed or not allowed
  kUnauthorized,        // no valid credential
  kForbidden,           // the principal's role does not allow the action
  kNotFound,            // no such resource (or not in the principal's scope)
  kNoSeats,             // the subscription has no free seat
  kConflict,            // uniqueness or state conflict
  kPreconditionFailed,  // If-Match did not match
  kPayloadTooLarge,     // body over the configured limit
  kTooManyRequests,     // overloaded; retry later
  kUnavailable,         // the database is busy or unreachable
  kTenantSuspended,     // the operator suspended the credential's tenant (403)
  kInternal,            // a bug; logged with the request id
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
};

template <typename T>
using Result = std::expected<T, Error>;
using Status = Result<void>;

inline Status Ok() { return {}; }
inline std::unexpected<Error> Fail(ErrorCode code, std::string message) {
  return std::unexpected(Error{code, std::move(message)});
}

}  // namespace allot
