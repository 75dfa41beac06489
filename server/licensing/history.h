// server/licensing/history.h — assignment_history: one row per period a user
// held a seat, opened when an assignment becomes active and closed with a
// reason when it ends; rows stay after the user is deleted.
// Thread-safety: stateless; each call uses the caller's transaction.
#pragma once

#include <string>
#include <vector>

#include "server/base/error.h"

namespace soci {
class session;
}

namespace allot::licensing {

struct HistoryOpen {
  std::string user_id, subscription_id, sources;
};
struct HistoryClose {
  std::string user_id, subscription_id, end_reason;
};

// Bulk statements; errors are the database's.
Status OpenHistory(soci::session& sql, const std::string& tenant,
                   const std::vector<HistoryOpen>& rows, const std::string& at);
Status CloseHistory(soci::session& sql, const std::string& tenant,
                    const std::vector<HistoryClose>& rows, const std::string& at);

}  // namespace allot::licensing
