// server/licensing/engine.h — the licensing engine: owns the loaded
// PolicySet (swapped whole on reload), implements IdentityListener for the
// SCIM layer (re-evaluates exactly the changed users inside the SCIM
// transaction), and runs full reconciles in batches of kReconcileBatch users
// per transaction. Admin operations that need no plugin (assign, unassign,
// move…) are free functions in licenses.h; catalog.h has products and
// subscriptions.
//
// Thread-safety: thread-safe. Evaluations use a snapshot (shared_ptr) of the
// PolicySet, so a reload never disturbs one in flight.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "server/licensing/apply.h"
#include "server/licensing/identity_listener.h"
#include "server/store/database.h"

namespace allot::policy {
class PolicySet;
struct PolicyStatus;
}  // namespace allot::policy

namespace allot::licensing {

inline constexpr size_t kReconcileBatch = 1000;

struct ReconcileCounts {
  int64_t users = 0;
  int64_t batches = 0;
  ApplyCounts changes;
  int64_t policy_failures = 0;
};

// A policy as GET /policies shows it: its load status, turned to failed by an
// evaluation failure until the policy evaluates fine again.
struct PolicyView {
  std::string name, plugin, status, error, loaded_at;
  int priority = 0;
};

class Engine final : public IdentityListener {
 public:
  // Does not load policies: call ReloadPolicies() (serve does at start).
  Engine(store::Database& db, std::string policies_dir, std::string plugins_dir);
  ~Engine() override;

  // Loads the policies directory again and swaps the set; never fails as a
  // whole (broken policies are kept as failed). Grants of removed policies
  // go at the next evaluation of each user (ReconcileAll after a reload).
  void ReloadPolicies();
  // Uses `set` instead of loading (tests).
  void SetPolicies(std::shared_ptr<const policy::PolicySet> set);
  std::shared_ptr<const policy::PolicySet> policies() const;

  std::vector<PolicyView> PolicyStatuses(const std::string& tenant) const;

  // IdentityListener: evaluates `user_ids` and applies, in `sql`.
  Status UsersChanged(soci::session& sql, const std::string& tenant_id,
                      const std::vector<std::string>& user_ids, const Actor& actor) override;

  // Evaluates every user of `tenant` in batches (each its own transaction);
  // logs progress. Errors: the first failed batch's (earlier batches stay).
  Result<ReconcileCounts> ReconcileTenant(const std::string& tenant, const Actor& actor);
  // Every tenant, one after the other.
  Result<ReconcileCounts> ReconcileAll(const Actor& actor);

  store::Database& db() { return db_; }

 private:
  void NoteFailures(const std::string& tenant, const std::vector<std::string>& evaluated,
                    const std::vector<std::pair<std::string, std::string>>& failures);

  store::Database& db_;
  const std::string policies_dir_, plugins_dir_;
  mutable std::mutex mu_;
  std::shared_ptr<const policy::PolicySet> policies_;  // guarded by mu_
  // (tenant, policy) -> last evaluation error; guarded by mu_.
  std::map<std::pair<std::string, std::string>, std::string> eval_errors_;
};

}  // namespace allot::licensing
