// The console's pages. History mode under /console/: allot serves index.html
// for every /console/… path that is not a file.
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import { session, restore, can } from './session';
import { setUnauthorizedHandler } from './api/client';

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

router.beforeEach(async (to) => {
  if (!session.checked) await restore();
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
