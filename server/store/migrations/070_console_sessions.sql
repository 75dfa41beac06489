-- Console sign-in sessions (server/auth/sessions.h). The cookie carries a
-- random session secret; only its SHA-256 is stored. A session belongs to the
-- admin token it was opened with: revoking that token or deleting the admin
-- ends it too. It ends after 8 hours without a request (last_seen_at) or at
-- sign-out (ended_at).
CREATE TABLE console_sessions (
  tenant_id TEXT NOT NULL REFERENCES tenants(id),
  id TEXT NOT NULL,
  session_hash TEXT NOT NULL,
  principal_id TEXT NOT NULL,
  token_id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  last_seen_at TEXT NOT NULL,
  ended_at TEXT,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, principal_id) REFERENCES principals(tenant_id, id)
);
CREATE UNIQUE INDEX console_sessions_by_hash ON console_sessions(session_hash);
CREATE INDEX console_sessions_by_last_seen ON console_sessions(tenant_id, last_seen_at);
