#include "server/app/docs_routes.h"

#include "server/app/docs_embedded.h"

namespace allot::app {

void AddDocsRoutes(http::Router& router) {
  router.Add("GET", "/docs", [](const http::Request&, http::Response& res) {
    res.content_type = "text/markdown; charset=utf-8";
    res.body = "# allot documentation\n\n";
    for (const EmbeddedDoc& d : kEmbeddedDocs) {
      res.body += "- [" + std::string(d.name) + "](/docs/" + std::string(d.name) + ")\n";
    }
  });
  router.Add("GET", "/docs/{name}", [](const http::Request& req, http::Response& res) {
    for (const EmbeddedDoc& d : kEmbeddedDocs) {
      if (d.name != req.path_params[0]) continue;
      res.content_type = "text/markdown; charset=utf-8";
      res.body = std::string(d.text);
      return;
    }
    res.status = 404;
    res.content_type = "text/plain; charset=utf-8";
    res.body = "no such page; GET /docs lists them\n";
  });
}

}  // namespace allot::app
