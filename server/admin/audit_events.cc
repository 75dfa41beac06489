#include "server/admin/audit_events.h"

#include <nlohmann/json.hpp>

namespace allot::admin {

// Until the licensing engine's audit table is merged this records nothing;
// see the branch notes.
Status RecordAudit(soci::session&, const std::string&, const Actor&, std::string_view,
                   std::string_view, const std::string&, const nlohmann::json&,
                   const nlohmann::json&) {
  return Ok();
}

}  // namespace allot::admin
