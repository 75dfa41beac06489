// Shapes of the admin API (CONTRACT.md, "Admin API"). Fields that newer
// servers add are optional, so the console works with both.
export type Scope = 'all' | 'own_subscriptions';

export interface WhoAmI {
  principal: { id: string; name: string; kind: string };
  tenant: string;
  role: 'global_admin' | 'subscription_admin' | 'user_admin' | string;
  subscriptions: string[];
  token_id?: string;
  permissions: Partial<Record<
    | 'whoami'
    | 'read_directory'
    | 'change_licenses'
    | 'change_seats'
    | 'change_fill'
    | 'hold_users'
    | 'manage_catalog'
    | 'manage_principals'
    | 'read_policies'
    | 'manage_policies'
    | 'read_audit',
    Scope
  >>;
}

export interface License {
  subscription_id: string;
  product_id: string;
  state: 'active' | 'pending' | string;
  source: string;
  sources?: string[];
  since: string;
  pending_reason?: string;
}

export interface Hold {
  set_by: { id: string; name?: string } | string;
  set_at: string;
  reason?: string;
}

export interface User {
  id: string;
  user_name: string;
  display_name: string | null;
  external_id: string | null;
  active: boolean;
  groups: { id: string; display_name: string }[];
  licenses: License[];
  hold?: Hold | null;
  emails?: { value: string; type?: string; primary?: boolean }[];
  name?: { givenName?: string; familyName?: string; formatted?: string };
  created_at?: string;
  updated_at?: string;
}

export interface Group {
  id: string;
  display_name: string;
  external_id: string | null;
  member_count: number;
  members?: { id: string; type: string; display: string }[];
}

export interface Product {
  id: string;
  name: string;
  family: string | null;
}

export interface Subscription {
  id: string;
  product_id: string;
  seats: number;
  assigned: number;
  pending: number;
  available: number;
  fill?: 'auto' | 'manual';
  starts_at?: string | null;
  ends_at?: string | null;
  status?: string;
}

export interface Assignment {
  user_id: string;
  user_name: string;
  display_name?: string | null;
  state: string;
  source: string;
  since: string;
}

export interface WaitlistEntry {
  position: number;
  user_id: string;
  user_name: string;
  display_name?: string | null;
  since: string;
  reason?: string;
}

export interface Override {
  user_id?: string;
  subscription_id: string;
  kind: 'grant' | 'deny';
  reason?: string | null;
  expires_at?: string | null;
  set_by: { id: string; name?: string } | string;
  set_at: string;
}

export interface HistoryEntry {
  subscription_id: string;
  product_id: string;
  sources: string[] | string;
  started_at: string;
  ended_at: string | null;
  end_reason: string | null;
}

export interface AuditEvent {
  id: number | string;
  at: string;
  actor: { kind: string; id: string; name?: string };
  action: string;
  target: { kind: string; id: string };
  before?: unknown;
  after?: unknown;
}

export interface Admin {
  id: string;
  name: string;
  role: string;
  subscriptions?: string[];
  created_at?: string;
}

export interface TokenView {
  id: string;
  principal_id?: string;
  name?: string;
  created_at: string;
}

export interface Policy {
  name: string;
  plugin: string;
  priority: number;
  status: 'ok' | 'failed' | string;
  error?: string;
  failed_at?: string;
  loaded_at?: string;
  source?: 'file' | 'api' | string;
  enabled?: boolean;
}

export interface UsageRow {
  subscription_id: string;
  product_id: string;
  seats: number;
  assigned: number;
  pending: number;
  available: number;
}

export interface UsageSeries {
  subscription_id: string;
  points: { at: string; assigned: number; pending: number }[];
}

export interface BulkResult {
  applied: boolean;
  succeeded: number;
  failed: number;
  results: { user_id: string; ok: boolean; state?: string; error?: { code: string; message: string } }[];
  error?: { code: string; message: string };
}

export function setByName(v: Override['set_by'] | Hold['set_by'] | undefined): string {
  if (!v) return '';
  if (typeof v === 'string') return v;
  return v.name || v.id;
}

// The body of an assign or unassign that carries a note for its override:
// {reason?, expires_at?}; an expiry day lasts to its end (local time).
// undefined when there is nothing to say, so the request has no body.
export function noteBody(reason: string, expires: Date | null): { reason?: string; expires_at?: string } | undefined {
  const body: { reason?: string; expires_at?: string } = {};
  if (reason.trim()) body.reason = reason.trim();
  if (expires) {
    const end = new Date(expires);
    end.setHours(0, 0, 0, 0);
    end.setDate(end.getDate() + 1);
    body.expires_at = end.toISOString().replace(/\.\d+Z$/, 'Z');
  }
  return Object.keys(body).length ? body : undefined;
}

// What an assign or unassign answers (CONTRACT.md, "Licensing semantics").
export interface AssignResult {
  license: License;
  override: Override | null;
}
export interface UnassignResult {
  released: boolean;
  override: Override | null;
}
