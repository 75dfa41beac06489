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

void Collect(std::vector<std::string>& values, const nlohmann::json& obj, const char* key) {
  auto it = obj.find(key);
  if (it != obj.end() && it->is_string() && !it->get_ref<const std::string&>().empty()) {
    values.push_back(AsciiLower(it->get<std::string>()));
  }
}

}  // namespace

std::string UserSearchText(const nlohmann::json& r) {
  std::vector<std::string> values;
  if (!r.is_object()) return "";
  Collect(values, r, "userName");
  Collect(values, r, "displayName");
  if (auto name = r.find("name"); name != r.end() && name->is_object()) {
    Collect(values, *name, "formatted");
    Collect(values, *name, "givenName");
    Collect(values, *name, "familyName");
  }
  if (auto emails = r.find("emails"); emails != r.end() && emails->is_array()) {
    for (const nlohmann::json& e : *emails) {
      if (e.is_object()) Collect(values, e, "value");
    }
  }
  // A value inside another one adds nothing a search could find (any
  // substring of it is a substring of the longer one): the email that is
  // the userName, the given name inside the display name. Leaving them out
  // keeps the text, and the index the search scans, short. Longest first
  // (then in attribute order), so a value is only ever dropped for one
  // already kept.
  std::stable_sort(values.begin(), values.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  std::string out;
  std::vector<std::string_view> kept;
  for (const std::string& v : values) {
    bool inside = false;
    for (std::string_view k : kept) inside = inside || k.find(v) != std::string_view::npos;
    if (inside) continue;
    kept.push_back(v);
    if (!out.empty()) out += '\n';
    out += v;
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
