#include "server/store/row_locks.h"

#include <soci/soci.h>

#include <algorithm>
#include <vector>

#include "server/store/bulk.h"
#include "server/store/database.h"
#include "server/store/statement_cache.h"

namespace allot::store {
namespace {

// One kept statement per table: the text does not depend on how many ids.
struct LockStatement : CachedStatement {
  LockStatement(soci::session& sql, const std::string& text)
      : st((sql.prepare << text, soci::into(id), soci::use(tenant), soci::use(ids))) {}
  std::string tenant, ids, id;
  soci::statement st;
};

Status LockInOrder(soci::session& sql, const char* table, const std::string& tenant,
                   std::span<const std::string> ids) {
  if (!LocksRows(sql) || ids.empty()) return Ok();
  std::vector<std::string> sorted(ids.begin(), ids.end());
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  // ORDER BY puts the sort below the lock: rows are locked in id order.
  const std::string text = std::string("SELECT id FROM ") + table +
                           " WHERE tenant_id = :t AND id = ANY(CAST(:ids AS text[])) "
                           "ORDER BY id FOR NO KEY UPDATE";
  try {
    std::unique_ptr<CachedStatement> scratch;
    auto* q = Prepared<LockStatement>(
        sql, text, [&](soci::session& s) { return std::make_unique<LockStatement>(s, text); },
        &scratch);
    q->tenant = tenant;
    q->ids = TextArray(sorted);
    q->st.execute(false);
    while (q->st.fetch()) {
    }
  } catch (const std::exception& e) {
    return std::unexpected(ErrorFromException(e));
  }
  return Ok();
}

}  // namespace

bool LocksRows(soci::session& sql) { return sql.get_backend_name() == "postgresql"; }

const char* ForUpdate(soci::session& sql) { return LocksRows(sql) ? " FOR NO KEY UPDATE" : ""; }

const char* ForUpdateSkipLocked(soci::session& sql) {
  return LocksRows(sql) ? " FOR UPDATE SKIP LOCKED" : "";
}

Status LockUsers(soci::session& sql, const std::string& tenant, std::span<const std::string> ids) {
  return LockInOrder(sql, "scim_users", tenant, ids);
}

Status LockSubscriptions(soci::session& sql, const std::string& tenant,
                         std::span<const std::string> ids) {
  return LockInOrder(sql, "subscriptions", tenant, ids);
}

}  // namespace allot::store
