// server/admin/console_pages.h — serving the admin console: GET / redirects
// to /console/, and /console/… answers with the embedded files
// (console_assets.h). Paths that are not files get index.html, so the
// console's own routes (/console/users/42) load on a reload. Every answer
// carries a Content-Security-Policy that allows only this origin, no inline
// script and no framing; content-hashed assets are cached for a year,
// index.html not at all.
// Thread-safety: call while building the router; handlers are stateless.
#pragma once

#include <string_view>

#include "server/http/router.h"

namespace allot::admin {

// The Content-Security-Policy of every console page.
inline constexpr std::string_view kConsoleContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

void AddConsoleRoutes(http::Router& router);

}  // namespace allot::admin
