// server/scim_api/bulk.h — POST /Bulk (RFC 7644 §3.7): each operation is
// dispatched to the same route handler a single request would reach, in
// request order, each in its own transaction (RFC 7644 does not make a bulk
// request atomic). `bulkId:x` references in a path or in data are replaced by
// the id the POST with bulkId x created; a reference to an unknown or failed
// bulkId fails that operation (409 per §3.7.3, no retry ordering).
// failOnErrors stops after that many errors. More than kMaxBulkOperations
// operations → 413 (scimType tooMany); the body size limit is the server's
// (413 from the HTTP layer).
// Thread-safety: the handler is thread-safe.
#pragma once

#include "server/http/router.h"
#include "server/scim_api/routes.h"

namespace allot::scim_api {

// `router` must outlive the route (it dispatches the operations through it).
void AddBulkRoute(http::Router& router, const ScimApiDeps& deps);

}  // namespace allot::scim_api
