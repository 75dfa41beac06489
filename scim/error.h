// scim/error.h — the SCIM error value (RFC 7644 §3.12) and Result<T>.
//
// Every fallible function of the protocol library returns Result<T>: either a
// value or an Error carrying the HTTP status, the scimType (empty when the RFC
// defines none for the case) and a detail that names what is wrong and how to
// mend it. Nothing in scim/ throws across its interface.
// Thread-safety: plain values; safe to copy between threads.
#pragma once

#include <string>
#include <utility>

#if __has_include(<expected>)
#include <expected>
#endif

namespace scim {

struct Error {
  int status = 400;
  std::string scim_type;  // "invalidFilter", "uniqueness", …; may be empty.
  std::string detail;

  static Error InvalidFilter(std::string d) { return {400, "invalidFilter", std::move(d)}; }
  static Error TooMany(std::string d) { return {400, "tooMany", std::move(d)}; }
  static Error Uniqueness(std::string d) { return {409, "uniqueness", std::move(d)}; }
  static Error Mutability(std::string d) { return {400, "mutability", std::move(d)}; }
  static Error InvalidSyntax(std::string d) { return {400, "invalidSyntax", std::move(d)}; }
  static Error InvalidPath(std::string d) { return {400, "invalidPath", std::move(d)}; }
  static Error NoTarget(std::string d) { return {400, "noTarget", std::move(d)}; }
  static Error InvalidValue(std::string d) { return {400, "invalidValue", std::move(d)}; }
  static Error InvalidVersion(std::string d) { return {400, "invalidVers", std::move(d)}; }
  static Error NotFound(std::string d) { return {404, "", std::move(d)}; }
  static Error Conflict(std::string d) { return {409, "", std::move(d)}; }
  static Error PreconditionFailed(std::string d) { return {412, "", std::move(d)}; }
  static Error PayloadTooLarge(std::string d) { return {413, "", std::move(d)}; }
};

}  // namespace scim

#if defined(__cpp_lib_expected)
namespace scim {
template <typename T>
using Result = std::expected<T, Error>;
// Wraps an Error for returning from a function that returns Result<T>:
// `return scim::Fail(Error::InvalidPath("…"));` (portable to the clang fuzz
// build, whose libstdc++ <expected> is unavailable; std::unexpected works too
// wherever std::expected does).
inline std::unexpected<Error> Fail(Error e) { return std::unexpected<Error>(std::move(e)); }
}  // namespace scim
#else
#include "scim/expected_compat.h"
namespace scim {
template <typename T>
using Result = compat::Expected<T, Error>;
inline compat::Unexpected<Error> Fail(Error e) { return compat::Unexpected<Error>{std::move(e)}; }
}  // namespace scim
#endif

namespace scim {
// For functions that return nothing on success: `return scim::Ok();`
using Status = Result<void>;
inline Status Ok() { return {}; }
}  // namespace scim
