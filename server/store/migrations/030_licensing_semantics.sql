-- Licensing semantics admins can trust (issue 10).
--
-- Overrides carry why they were set and, optionally, when they lapse; the
-- expiry sweep finds them across tenants through the partial index.
ALTER TABLE overrides ADD COLUMN reason TEXT;
ALTER TABLE overrides ADD COLUMN expires_at TEXT;  -- RFC 3339 UTC, NULL: never
CREATE INDEX overrides_expiring ON overrides(expires_at) WHERE expires_at IS NOT NULL;
CREATE INDEX overrides_by_subscription ON overrides(tenant_id, subscription_id, user_id);

-- Make before break: an active assignment kept while its user waits for the
-- license that replaces it (a family swap, a queued move) names that
-- subscription here; it is released in the transaction that activates it.
ALTER TABLE assignments ADD COLUMN held_for TEXT;
CREATE INDEX assignments_held_for ON assignments(tenant_id, held_for, user_id) WHERE held_for IS NOT NULL;

-- auto: a freed seat goes to the first in the queue; manual: it stays free
-- for administrators to hand out.
ALTER TABLE subscriptions ADD COLUMN fill TEXT NOT NULL DEFAULT 'auto';

-- Revoke all: while a user is on hold, no policy, override or queue gives
-- them a seat.
CREATE TABLE user_holds (
  tenant_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  set_by TEXT NOT NULL,
  set_at TEXT NOT NULL,
  reason TEXT NOT NULL,
  PRIMARY KEY (tenant_id, user_id)
);
