// The console's pages. History mode under /console/: allot serves index.html
// for every /console/… path that is not a file.
import { createRouter, createWebHistory, type RouteLocationNormalized, type RouteRecordRaw } from 'vue-router';
import { session, restore, can } from './session';
import { prefetch, setUnauthorizedHandler } from './api/client';
import { groupMembersQuery, groupPath, userFiltersOf, usersPageQuery } from './api/lists';

const routes: RouteRecordRaw[] = [
  { path: '/', redirect: '/users' },
  { path: '/signin', name: 'signin', component: () => import('./views/SignIn.vue'), meta: { public: true, title: 'Sign in' } },
  { path: '/users', name: 'users', component: () => import('./views/UsersView.vue'), meta: { title: 'Users' } },
  { path: '/users/:id', name: 'user', component: () => import('./views/UserView.vue'), props: true, meta: { title: 'User' } },
  { path: '/groups', name: 'groups', component: () => import('./views/GroupsView.vue'), meta: { title: 'Groups and classes' } },
  { path: '/groups/:id', name: 'group', component: () => import('./views/GroupView.vue'), props: true, meta: { title: 'Group' } },
  { path: '/subscriptions', name: 'subscriptions', component: () => import('./views/SubscriptionsView.vue'), meta: { title: 'Subscriptions' } },
  { path: '/subscriptions/:id', name: 'subscription', component: () => import('./views/SubscriptionView.vue'), props: true, meta: { title: 'Subscription' } },
  { path: '/usage', name: 'usage', component: () => import('./views/UsageView.vue'), meta: { title: 'Usage' } },
  { path: '/audit', name: 'audit', component: () => import('./views/AuditView.vue'), meta: { title: 'Audit log', permission: 'read_audit' } },
  { path: '/admins', name: 'admins', component: () => import('./views/AdminsView.vue'), meta: { title: 'Administrators and tokens', permission: 'manage_principals' } },
  { path: '/policies', name: 'policies', component: () => import('./views/PoliciesView.vue'), meta: { title: 'Policies', permission: 'read_policies' } },
  { path: '/:pathMatch(.*)*', name: 'notfound', component: () => import('./views/NotFound.vue'), meta: { title: 'Not found' } },
];

export const router = createRouter({
  history: createWebHistory('/console/'),
  routes,
});

// On a page load, what the first page needs is asked for at once, beside
// the session check, rather than after it: its code (the lazy view chunk)
// and its first data. A page load of /console/users used to wait for the
// session check, then the chunk, then GET /users, one after another.
function startEarly(to: RouteLocationNormalized): void {
  for (const record of to.matched) {
    for (const component of Object.values(record.components ?? {})) {
      if (typeof component === 'function') void (component as () => Promise<unknown>)().catch(() => {});
    }
  }
  if (to.name === 'users') prefetch('/users', usersPageQuery(userFiltersOf(to.query), null));
  if (to.name === 'group' && typeof to.params.id === 'string') {
    prefetch(groupPath(to.params.id));
    prefetch('/users', groupMembersQuery(to.params.id));
  }
}

router.beforeEach(async (to) => {
  if (!session.checked) {
    startEarly(to);
    await restore();
  }
  if (to.meta.public) return true;
  if (!session.who) return { name: 'signin', query: to.fullPath !== '/' ? { next: to.fullPath } : {} };
  const permission = to.meta.permission as Parameters<typeof can>[0] | undefined;
  if (permission && !can(permission)) return { name: 'users' };
  return true;
});

router.afterEach((to) => {
  document.title = `${String(to.meta.title ?? 'Console')} · allot`;
});

setUnauthorizedHandler(() => {
  session.who = null;
  if (router.currentRoute.value.name !== 'signin') {
    void router.push({ name: 'signin', query: { next: router.currentRoute.value.fullPath } });
  }
});
