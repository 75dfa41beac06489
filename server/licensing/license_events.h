// server/licensing/license_events.h — the webhook events of licensing
// changes, derived from their audit events at the one place every change
// passes: WriteAuditBatch (audit.h), which every change of an assignment,
// every subscription expiry and every SCIM deprovisioning calls in its own
// transaction. So the outbox (webhooks/outbox.h) is written in the same
// transaction as the change, with no hook at each of the places that
// change assignments.
//
//   assignment.activated        → license.assigned   (state active)
//   assignment.queued           → license.pending    (state pending, reason)
//   assignment.released         → license.released   (state it had, reason)
//   assignment.reassigned       → license.released for the user the seat
//                                 left (reason reassigned), then
//                                 license.assigned for the one it went to
//   subscription.expired        → subscription.expired
//   user.deleted, user.deactivated → user.deprovisioned (reason deleted or
//                                 deactivated)
//
// Thread-safety: stateless; each call uses the caller's transaction.
#pragma once

#include <string>
#include <vector>

#include "server/base/error.h"
#include "server/licensing/audit.h"
#include "server/webhooks/outbox.h"

namespace soci {
class session;
}

namespace allot::licensing {

// The webhook events of `events`, in order (none for actions that are not
// webhook events).
std::vector<webhooks::OutboxEvent> WebhookEventsOf(const std::vector<AuditEvent>& events);

// Writes the webhook events of `events` to the outbox for the tenant's
// webhooks; nothing when none of them is a webhook event or the tenant has
// no webhook. Errors are the database's.
Status PublishWebhookEvents(soci::session& sql, const std::string& tenant,
                            const std::vector<AuditEvent>& events);

}  // namespace allot::licensing
