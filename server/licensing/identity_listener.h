// server/licensing/identity_listener.h — how the SCIM layer tells licensing
// that identities changed, inside the transaction of the SCIM change: the
// engine marks the users there (so a failed SCIM request leaves no trace,
// and a committed one is never forgotten, even by a crash) and evaluates
// them with the policies after the commit (engine.h).
// Thread-safety: implementations are called concurrently from request
// threads, each with its own session.
#pragma once

#include <string>
#include <vector>

#include "server/base/actor.h"
#include "server/base/error.h"

namespace soci {
class session;
}

namespace allot::licensing {

class IdentityListener {
 public:
  virtual ~IdentityListener() = default;

  // `user_ids` (SCIM ids, no duplicates needed) were created, changed
  // (attributes, active), deleted (deleted_at set, memberships removed), or
  // joined or left a group, or a group of theirs was renamed or deleted.
  // Runs in the caller's transaction `sql` and must stay short (no plugin
  // runs here); an error rolls the SCIM change back too.
  virtual Status UsersChanged(soci::session& sql, const std::string& tenant_id,
                              const std::vector<std::string>& user_ids, const Actor& actor) = 0;
};

}  // namespace allot::licensing
