#include "server/admin/usage_series.h"

#include <soci/soci.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "server/base/clock.h"
#include "server/store/database.h"

namespace allot::admin {
namespace {

using Clock = std::chrono::system_clock;

struct Change {
  Clock::time_point at;
  int delta;
};

}  // namespace

Result<std::vector<UsagePoint>> UsageSeries(store::Database& db, const std::string& tenant,
                                            const std::string& sub, Clock::time_point since,
                                            Clock::time_point until, int points) {
  points = std::max(points, 2);
  return db.ReadValue<std::vector<UsagePoint>>(
      [&](soci::session& sql) -> Result<std::vector<UsagePoint>> {
        int64_t exists = 0;
        sql << "SELECT COUNT(*) FROM subscriptions WHERE tenant_id = :t AND id = :s",
            soci::use(tenant), soci::use(sub), soci::into(exists);
        if (exists == 0) return Fail(ErrorCode::kNotFound, "no subscription " + sub);

        std::vector<UsagePoint> out(static_cast<size_t>(points));
        const auto step = (until - since) / (points - 1);
        for (int i = 0; i < points; ++i) out[i].at = since + step * i;
        out.back().at = until;

        // Assigned: seat periods overlapping the window, swept in time order.
        const std::string since_text = TimeRfc3339(since), until_text = TimeRfc3339(until);
        std::vector<Change> changes;
        {
          std::string started, ended;
          soci::indicator ended_ind = soci::i_null;
          soci::statement st =
              (sql.prepare << "SELECT started_at, ended_at FROM assignment_history "
                              "WHERE tenant_id = :t AND subscription_id = :s AND started_at <= :u "
                              "AND (ended_at IS NULL OR ended_at > :f)",
               soci::use(tenant), soci::use(sub), soci::use(until_text), soci::use(since_text),
               soci::into(started), soci::into(ended, ended_ind));
          st.execute();
          while (st.fetch()) {
            auto s = ParseRfc3339(started);
            if (!s) continue;
            changes.push_back({*s, +1});
            if (ended_ind == soci::i_ok) {
              if (auto e = ParseRfc3339(ended)) changes.push_back({*e, -1});
            }
          }
        }
        std::sort(changes.begin(), changes.end(),
                  [](const Change& a, const Change& b) { return a.at < b.at; });
        int64_t assigned = 0;
        size_t next = 0;
        for (UsagePoint& p : out) {
          while (next < changes.size() && changes[next].at <= p.at) assigned += changes[next++].delta;
          p.assigned = assigned;
        }

        // Pending: from the current queue back through the audit log.
        int64_t pending = 0;
        sql << "SELECT COUNT(*) FROM assignments WHERE tenant_id = :t AND subscription_id = :s "
               "AND state = 'pending'",
            soci::use(tenant), soci::use(sub), soci::into(pending);
        std::vector<Change> undo;  // newest first: what to add to go back past the event
        {
          std::string at, action, before;
          soci::indicator before_ind = soci::i_null;
          soci::statement st =
              (sql.prepare << "SELECT at, action, before_json FROM audit_events "
                              "WHERE tenant_id = :t AND subscription_id = :s AND at > :f AND "
                              "action IN ('assignment.queued', 'assignment.activated', "
                              "'assignment.released') ORDER BY id DESC",
               soci::use(tenant), soci::use(sub), soci::use(since_text), soci::into(at),
               soci::into(action), soci::into(before, before_ind));
          st.execute();
          while (st.fetch()) {
            auto when = ParseRfc3339(at);
            if (!when) continue;
            if (action == "assignment.queued") {
              undo.push_back({*when, -1});
              continue;
            }
            if (before_ind != soci::i_ok) continue;
            auto b = nlohmann::json::parse(before, nullptr, false);
            if (b.is_object() && b.value("state", "") == "pending") undo.push_back({*when, +1});
          }
        }
        size_t undone = 0;
        for (auto p = out.rbegin(); p != out.rend(); ++p) {
          while (undone < undo.size() && undo[undone].at > p->at) pending += undo[undone++].delta;
          p->pending = std::max<int64_t>(0, pending);
        }
        return out;
      });
}

}  // namespace allot::admin
