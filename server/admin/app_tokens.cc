#include "server/admin/app_tokens.h"

#include <soci/soci.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

#include "server/admin/audit_events.h"
#include "server/admin/principals.h"
#include "server/auth/app_tokens.h"
#include "server/base/comma_list.h"
#include "server/base/clock.h"
#include "server/store/database.h"

namespace allot::admin {
namespace {

using nlohmann::json;

constexpr size_t kMaxProducts = 100;

json AuditBody(const AppTokenView& v) {
  json products = v.products.empty() ? json(nullptr) : json(v.products);
  return {{"id", v.id}, {"kind", "app"}, {"name", v.name}, {"products", products}};
}

}  // namespace

Result<CreatedAppToken> CreateAppToken(store::Database& db, const std::string& tenant,
                                       const Actor& actor, const std::string& name,
                                       const std::optional<std::vector<std::string>>& products) {
  if (auto s = ValidateName("name", name); !s) return std::unexpected(s.error());
  std::vector<std::string> wanted;
  if (products) {
    if (products->empty()) {
      return Fail(ErrorCode::kInvalidRequest,
                  "products must name at least one product; leave it out for every product");
    }
    if (products->size() > kMaxProducts) {
      return Fail(ErrorCode::kInvalidRequest, "products may name at most 100 products");
    }
    wanted = *products;
    std::sort(wanted.begin(), wanted.end());
    wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  }
  return db.WriteValue<CreatedAppToken>([&](soci::session& sql) -> Result<CreatedAppToken> {
    for (const std::string& product : wanted) {
      int found = 0;
      sql << "SELECT COUNT(*) FROM products WHERE tenant_id = :t AND id = :id", soci::use(tenant),
          soci::use(product), soci::into(found);
      if (found == 0) {
        return Fail(ErrorCode::kInvalidRequest,
                    "products: no product with id '" + product + "' in this tenant");
      }
    }
    auto issued = auth::IssueAppToken(sql, tenant, name, wanted);
    if (!issued) return std::unexpected(issued.error());
    CreatedAppToken out{.view = {.id = issued->id,
                                 .name = name,
                                 .products = wanted,
                                 .created_at = NowRfc3339()},
                        .token = std::move(issued->token)};
    if (auto s = RecordAudit(sql, tenant, actor, "token.issued", "token", out.view.id, nullptr,
                             AuditBody(out.view));
        !s) {
      return std::unexpected(s.error());
    }
    return out;
  });
}

Result<Listing<AppTokenView>> ListAppTokens(store::Database& db, const std::string& tenant,
                                            const Page& page) {
  return db.ReadValue<Listing<AppTokenView>>(
      [&](soci::session& sql) -> Result<Listing<AppTokenView>> {
        Listing<AppTokenView> out;
        const int fetch = page.limit + 1;
        soci::rowset<soci::row> rows =
            (sql.prepare << "SELECT id, name, products, created_at FROM app_tokens WHERE "
                            "tenant_id = :t AND revoked_at IS NULL AND id > :after ORDER BY id "
                            "LIMIT :n",
             soci::use(tenant), soci::use(page.after), soci::use(fetch));
        for (const soci::row& r : rows) {
          AppTokenView v{.id = r.get<std::string>(0),
                         .name = r.get<std::string>(1),
                         .created_at = r.get<std::string>(3)};
          if (r.get_indicator(2) == soci::i_ok) v.products = SplitCommaList(r.get<std::string>(2));
          out.items.push_back(std::move(v));
        }
        if (static_cast<int>(out.items.size()) > page.limit) {
          out.items.resize(page.limit);
          out.next_key = out.items.back().id;
        }
        return out;
      });
}

Status RevokeAppToken(store::Database& db, const std::string& tenant, const Actor& actor,
                      const std::string& id) {
  return db.Write([&](soci::session& sql) -> Status {
    AppTokenView v{.id = id};
    std::string products;
    soci::indicator products_ind = soci::i_null;
    sql << "SELECT name, products FROM app_tokens WHERE tenant_id = :t AND id = :id AND "
           "revoked_at IS NULL",
        soci::use(tenant), soci::use(id), soci::into(v.name), soci::into(products, products_ind);
    if (!sql.got_data()) return Fail(ErrorCode::kNotFound, "no live app token with id '" + id + "'");
    if (products_ind == soci::i_ok) v.products = SplitCommaList(products);
    if (auto s = auth::RevokeAppToken(sql, tenant, id); !s) return s;
    return RecordAudit(sql, tenant, actor, "token.revoked", "token", id, AuditBody(v), nullptr);
  });
}

}  // namespace allot::admin
