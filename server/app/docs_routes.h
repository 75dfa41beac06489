// server/app/docs_routes.h — allot's documentation, served by allot itself:
// GET /docs/ lists the pages, GET /docs/<name>.md answers one (text/markdown,
// no token needed, like /healthz). The pages are docs/*.md, built into the
// binary, so the SCIM ServiceProviderConfig's documentationUri
// (<base URL>/docs/scim-api.md) always answers with the docs of this build.
// Thread-safety: call while building the router; handlers are reentrant.
#pragma once

#include "server/http/router.h"

namespace allot::app {

void AddDocsRoutes(http::Router& router);

}  // namespace allot::app
