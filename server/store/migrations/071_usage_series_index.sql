-- The usage chart (GET /admin/v1/reports/usage/series) reads one
-- subscription's seat periods in a time window.
CREATE INDEX assignment_history_by_subscription
  ON assignment_history(tenant_id, subscription_id, started_at);
