// Who is signed in, and what their role may do (from GET /whoami): every
// screen asks `can()` before offering an action, so a role never sees a
// button the API would refuse. The CSRF value lives in memory (client.ts);
// after a reload it is fetched again from GET /sessions/current.
import { reactive } from 'vue';
import { api, dropPrefetched, setCsrf } from './api/client';
import type { WhoAmI } from './api/types';

export const session = reactive({
  who: null as WhoAmI | null,
  checked: false,
});

type Permission = keyof WhoAmI['permissions'];

export function can(permission: Permission): boolean {
  return !!session.who?.permissions[permission];
}

export function roleLabel(role: string): string {
  switch (role) {
    case 'global_admin':
      return 'Global admin';
    case 'subscription_admin':
      return 'Subscription admin';
    case 'user_admin':
      return 'User admin';
    default:
      return role;
  }
}

// Restores a session from its cookie; false when there is none.
export async function restore(): Promise<boolean> {
  try {
    // Both need only the cookie: ask at once.
    const [current, who] = await Promise.all([
      api<{ csrf: string }>('GET', '/sessions/current', { quietUnauthorized: true }),
      api<WhoAmI>('GET', '/whoami', { quietUnauthorized: true }),
    ]);
    setCsrf(current.csrf);
    session.who = who;
    return true;
  } catch {
    session.who = null;
    return false;
  } finally {
    session.checked = true;
  }
}

export async function signIn(token: string): Promise<void> {
  dropPrefetched();
  const created = await api<{ csrf: string }>('POST', '/sessions', {
    body: { token },
    quietUnauthorized: true,
  });
  setCsrf(created.csrf);
  session.who = await api<WhoAmI>('GET', '/whoami');
}

export async function signOut(): Promise<void> {
  try {
    await api('DELETE', '/sessions/current', { quietUnauthorized: true });
  } finally {
    dropPrefetched();
    setCsrf('');
    session.who = null;
  }
}
