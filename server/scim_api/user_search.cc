#include "server/scim_api/user_search.h"

#include <soci/soci.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <vector>

#include "server/base/ascii.h"
#include "server/scim_api/list_store.h"
#include "server/store/database.h"

namespace allot::scim_api {
namespace {

void Add(std::string& out, const nlohmann::json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return;
  if (!out.empty()) out += '\n';
  out += AsciiLower(it->get<std::string>());
}

}  // namespace

std::string UserSearchText(const nlohmann::json& r) {
  std::string out;
  if (!r.is_object()) return out;
  Add(out, r, "userName");
  Add(out, r, "displayName");
  if (auto name = r.find("name"); name != r.end() && name->is_object()) {
    Add(out, *name, "formatted");
    Add(out, *name, "givenName");
    Add(out, *name, "familyName");
  }
  if (auto emails = r.find("emails"); emails != r.end() && emails->is_array()) {
    for (const nlohmann::json& e : *emails) {
      if (e.is_object()) Add(out, e, "value");
    }
  }
  return out;
}

bool IsPlainSearch(std::string_view q) {
  for (unsigned char c : q) {
    if (c < 0x20 || c >= 0x7f) return false;
  }
  return !q.empty();
}

Result<long long> FillMissingUserSearchText(store::Database& db, int batch) {
  auto tenants = db.ReadValue<std::vector<std::string>>(
      [](soci::session& sql) -> Result<std::vector<std::string>> {
        std::vector<std::string> out;
        soci::rowset<std::string> rs = (sql.prepare << "SELECT id FROM tenants ORDER BY id");
        for (const std::string& id : rs) out.push_back(id);
        return out;
      });
  if (!tenants) return std::unexpected(tenants.error());
  long long filled = 0;
  for (const std::string& tenant : *tenants) {
    for (;;) {
      auto done = db.WriteValue<long long>([&](soci::session& sql) -> Result<long long> {
        std::vector<std::pair<std::string, std::string>> rows;  // id, resource
        std::string id, resource;
        soci::statement st =
            (sql.prepare << "SELECT id, resource FROM scim_users WHERE tenant_id = :t AND "
                            "search_text IS NULL AND deleted_at IS NULL LIMIT " +
                                std::to_string(batch),
             soci::use(tenant), soci::into(id), soci::into(resource));
        st.execute();
        while (st.fetch()) rows.emplace_back(id, resource);
        // One UPDATE per 200 users (a round trip each on PostgreSQL): the
        // values as a UNION ALL of one-row SELECTs, which both backends read.
        constexpr size_t kPerStatement = 200;
        for (size_t start = 0; start < rows.size(); start += kPerStatement) {
          const size_t n = std::min(kPerStatement, rows.size() - start);
          std::vector<std::string> values;
          values.reserve(2 * n + 1);
          values.push_back(tenant);
          std::string text = "UPDATE scim_users SET search_text = v.s FROM (";
          for (size_t i = 0; i < n; ++i) {
            const auto& [user, stored] = rows[start + i];
            values.push_back(user);
            values.push_back(UserSearchText(ParseStored(stored)));
            if (i) text += " UNION ALL ";
            text += "SELECT :i" + std::to_string(i) + " AS id, :s" + std::to_string(i) + " AS s";
          }
          text += ") v WHERE scim_users.tenant_id = :t AND scim_users.id = v.id";
          soci::statement update(sql);
          for (size_t i = 0; i < n; ++i) {
            update.exchange(soci::use(values[1 + 2 * i], "i" + std::to_string(i)));
            update.exchange(soci::use(values[2 + 2 * i], "s" + std::to_string(i)));
          }
          update.exchange(soci::use(values[0], "t"));
          update.alloc();
          update.prepare(text);
          update.define_and_bind();
          update.execute(true);
        }
        return static_cast<long long>(rows.size());
      });
      if (!done) return std::unexpected(done.error());
      filled += *done;
      if (*done < batch) break;
    }
  }
  return filled;
}

}  // namespace allot::scim_api
