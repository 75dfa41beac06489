// The first requests of the pages that open on big lists, in one place, so
// that the page and router.ts's prefetch (client.ts) ask for the very same
// URL: the users list and a group's members.
import type { Query } from './client';

export interface UserFilters {
  q?: string;
  group_id?: string;
  subscription_id?: string;
  state?: string;
}

export const usersPageSize = 50;

// GET /users for one page of the users screen.
export function usersPageQuery(filters: UserFilters, cursor: string | null): Query {
  return {
    q: filters.q || undefined,
    group_id: filters.group_id || undefined,
    subscription_id: filters.subscription_id || undefined,
    state: filters.state || undefined,
    limit: usersPageSize,
    cursor: cursor ?? undefined,
  };
}

// The filters of the users screen as its URL carries them.
export function userFiltersOf(query: Record<string, unknown>): UserFilters {
  const text = (k: string) => (typeof query[k] === 'string' ? (query[k] as string) : '');
  return { q: text('q').trim(), group_id: text('group_id'), subscription_id: text('subscription_id'), state: text('state') };
}

// GET /users?group_id= for a group's members with their licenses (a class
// fits one request).
export function groupMembersQuery(groupId: string): Query {
  return { group_id: groupId, limit: 1000 };
}

export function groupPath(groupId: string): string {
  return `/groups/${encodeURIComponent(groupId)}`;
}
