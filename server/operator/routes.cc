#include "server/operator/routes.h"

namespace allot::operator_api {

void AddOperatorRoute(http::Router& router, std::string method, std::string_view pattern,
                      OperatorHandler handler, admin::QueryNames query) {
  router.Add(std::move(method), "/operator/v1" + std::string(pattern),
             [handler = std::move(handler), query = std::move(query)](const http::Request& req,
                                                                    http::Response& res) {
               // The server authenticates /operator/v1 with operator tokens
               // only; anything else here is a wiring bug, answered as 401.
               if (req.principal == nullptr || req.principal->kind != auth::TokenKind::kOperator) {
                 return admin::RenderError({ErrorCode::kUnauthorized, "an operator token is required"},
                                           res);
               }
               if (auto q = admin::CheckQueryNames(req, query); !q) {
                 return admin::RenderError(q.error(), res);
               }
               handler(req, Actor{Actor::Kind::kOperator, req.principal->id}, res);
             });
}

}  // namespace allot::operator_api
