#include "server/admin/console_pages.h"

#include <cstdlib>
#include <string>

#include "server/admin/console_assets.h"

namespace allot::admin {
namespace {

constexpr std::string_view kNotBuilt =
    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>allot</title></head>"
    "<body><h1>The admin console is not in this build</h1><p>allot was built without Node.js "
    "and npm. Run scripts/install-deps.sh and build again; the admin API under /admin/v1 works "
    "as usual.</p></body></html>";

const console::ConsoleFile* Find(std::string_view path) {
  for (const console::ConsoleFile& f : console::ConsoleFiles()) {
    if (f.path == path) return &f;
  }
  return nullptr;
}

// True when Accept-Encoding lists `coding` with a q above 0.
bool Accepts(std::string_view header, std::string_view coding) {
  while (!header.empty()) {
    const size_t comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    const size_t semi = item.find(';');
    std::string_view name = item.substr(0, semi);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    if (name != coding) continue;
    if (semi == std::string_view::npos) return true;
    const std::string params(item.substr(semi + 1));
    const size_t q = params.find("q=");
    return q == std::string::npos || std::strtod(params.c_str() + q + 2, nullptr) > 0.0;
  }
  return false;
}

// The file's bytes in the best coding the client accepts. The files were
// compressed at build time (console/scripts/embed.mjs).
void SetFileBody(const http::Request& req, const console::ConsoleFile& f, http::Response& res) {
  const std::string accept = req.Header("Accept-Encoding");
  res.SetHeader("Vary", "Accept-Encoding");
  if (!f.brotli.empty() && Accepts(accept, "br")) {
    res.SetHeader("Content-Encoding", "br");
    res.body = std::string(f.brotli);
  } else if (!f.gzip.empty() && Accepts(accept, "gzip")) {
    res.SetHeader("Content-Encoding", "gzip");
    res.body = std::string(f.gzip);
  } else {
    res.body = std::string(f.data);
  }
}

void SecurityHeaders(http::Response& res) {
  res.SetHeader("Content-Security-Policy", std::string(kConsoleContentSecurityPolicy));
  res.SetHeader("X-Content-Type-Options", "nosniff");
  res.SetHeader("X-Frame-Options", "DENY");
  res.SetHeader("Referrer-Policy", "no-referrer");
}

void ServeIndex(const http::Request& req, http::Response& res) {
  SecurityHeaders(res);
  res.SetHeader("Cache-Control", "no-store");
  res.content_type = "text/html; charset=utf-8";
  const console::ConsoleFile* index = Find("/index.html");
  if (index) {
    SetFileBody(req, *index, res);
  } else {
    res.body = std::string(kNotBuilt);
  }
}

// /console/<rest>: the file when there is one, else index.html for the
// console's client-side routes. A missing hashed asset is a 404: a stale
// page must not get HTML as JavaScript.
void ServeConsolePath(const http::Request& req, http::Response& res) {
  constexpr std::string_view kPrefix = "/console";
  std::string_view rest = std::string_view(req.path).substr(kPrefix.size());
  if (const console::ConsoleFile* f = rest.empty() ? nullptr : Find(rest)) {
    SecurityHeaders(res);
    res.SetHeader("Cache-Control", f->immutable ? "public, max-age=31536000, immutable" : "no-store");
    res.content_type = std::string(f->content_type);
    SetFileBody(req, *f, res);
    return;
  }
  if (rest.starts_with("/assets/")) {
    SecurityHeaders(res);
    res.status = 404;
    res.content_type = "text/plain; charset=utf-8";
    res.body = "not found";
    return;
  }
  ServeIndex(req, res);
}

}  // namespace

void AddConsoleRoutes(http::Router& router) {
  // Every console answer comes from memory and never blocks: served on the
  // I/O threads, so the console loads even while every worker is busy.
  constexpr auto kInline = http::Router::Execution::kNonBlocking;
  router.Add("GET", "/", [](const http::Request&, http::Response& res) {
    res.status = 302;
    res.SetHeader("Location", "/console/");
    res.SetHeader("Cache-Control", "no-store");
    res.content_type = "text/plain; charset=utf-8";
    res.body = "see /console/";
  }, kInline);
  router.Add("GET", "/console",
             [](const http::Request& req, http::Response& res) { ServeIndex(req, res); }, kInline);
  // The router matches one segment per {param}; the console's paths are at
  // most this deep (assets/<file>, users/<id>, …).
  for (std::string_view pattern : {"/console/{a}", "/console/{a}/{b}", "/console/{a}/{b}/{c}",
                                   "/console/{a}/{b}/{c}/{d}"}) {
    router.Add("GET", pattern, ServeConsolePath, kInline);
  }
}

}  // namespace allot::admin
