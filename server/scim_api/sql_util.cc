#include "server/scim_api/sql_util.h"

#include <optional>

#include <soci/soci.h>

#include "server/http/error_table.h"

namespace allot::scim_api {

std::string SqlParams::Add(std::string value) {
  std::string name = ":p" + std::to_string(values_.size());
  values_.push_back(std::move(value));
  return name;
}

std::string SqlParams::AddList(const std::vector<std::string>& values) {
  std::string out = "(";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += Add(values[i]);
  }
  out += ')';
  return out;
}

void SqlParams::BindAll(soci::statement& st) {
  // By name, not position: the pieces of a query may be built in any order
  // (operands of + are unsequenced), so text order and Add order can differ.
  for (size_t i = 0; i < values_.size(); ++i) {
    st.exchange(soci::use(values_[i], "p" + std::to_string(i)));
  }
}

std::string LikeEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

scim::Error FromStoreError(const allot::Error& e) {
  // The server's one error table decides status and scimType.
  const http::ErrorMapping& m = http::MappingFor(e.code);
  return scim::Error{m.http_status, std::string(m.scim_type), e.message};
}

allot::Error ToStoreError(const scim::Error& e) {
  ErrorCode code = ErrorCode::kInvalidRequest;
  switch (e.status) {
    case 404: code = ErrorCode::kNotFound; break;
    case 409: code = ErrorCode::kConflict; break;
    case 412: code = ErrorCode::kPreconditionFailed; break;
    case 413: code = ErrorCode::kPayloadTooLarge; break;
    // Busy (a serialization failure on PostgreSQL): the transaction is run
    // again, which needs the code back.
    case 503: code = ErrorCode::kUnavailable; break;
    case 500: code = ErrorCode::kInternal; break;
    default: break;
  }
  return allot::Error{code, e.detail};
}

namespace {
scim::Status Run(store::Database& db, bool write,
                 const std::function<scim::Status(soci::session&)>& fn) {
  std::optional<scim::Error> failed;
  auto body = [&](soci::session& sql) -> allot::Status {
    // A transaction the database runs again (a serialization failure on
    // PostgreSQL) must not answer with the failure of an earlier attempt.
    failed.reset();
    scim::Status s = fn(sql);
    if (!s) {
      failed = s.error();
      return std::unexpected(ToStoreError(s.error()));
    }
    return allot::Ok();
  };
  allot::Status s = write ? db.Write(body) : db.Read(body);
  if (failed) return scim::Fail(*failed);
  if (!s) return scim::Fail(FromStoreError(s.error()));
  return scim::Ok();
}
}  // namespace

scim::Status ScimWrite(store::Database& db, const std::function<scim::Status(soci::session&)>& fn) {
  return Run(db, true, fn);
}
scim::Status ScimRead(store::Database& db, const std::function<scim::Status(soci::session&)>& fn) {
  return Run(db, false, fn);
}

}  // namespace allot::scim_api
