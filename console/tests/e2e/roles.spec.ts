// What each role is offered: a Subscription admin sees only its pool and
// its users; a User admin changes licenses but not seats, tokens or
// policies; a refusal shows the API's own words.
import { test, expect, state, apiAs, signIn, settled } from './fixtures';

test('a Subscription admin sees only its subscription and its users', async ({ page }) => {
  const s = state();
  const api = apiAs(s.roleTokens.districtSubscriptionAdmin);
  const who = await api.get('/admin/v1/whoami');
  await signIn(page, s.roleTokens.districtSubscriptionAdmin);
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Users' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Administrators and tokens' })).toHaveCount(0);
  await expect(nav.getByRole('link', { name: 'Policies' })).toHaveCount(0);

  await nav.getByRole('link', { name: 'Subscriptions' }).click();
  await settled(page);
  const rows = page.getByTestId('subscriptions-table').locator('tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('math-2026');

  // Its users: those holding or waiting for math-2026, and only that license.
  await nav.getByRole('link', { name: 'Users' }).click();
  await settled(page);
  const holder = s.district.room12.students[0]!;
  await expect(page.getByTestId('users-table')).toContainText(holder.userName);
  await expect(page.getByTestId('users-table')).not.toContainText(s.district.teachers[0]!.userName);
  await page.getByTestId('users-table').getByRole('link', { name: holder.displayName }).click();
  const licenses = page.getByTestId('licenses-table');
  await expect(licenses).toContainText('math-2026');
  await expect(licenses).not.toContainText('lit-core');
  await expect(page.getByRole('button', { name: 'Revoke all' })).toHaveCount(0);

  // Seats are offered exactly when the role may change them.
  await page.goto('/console/subscriptions/math-2026');
  await settled(page);
  await expect(page.getByRole('button', { name: 'Save seats' })).toHaveCount(who.permissions.change_seats ? 1 : 0);

  // Pages of other roles are not reachable.
  await page.goto('/console/admins');
  await expect(page).toHaveURL(/\/console\/users/);
});

test('a User admin changes licenses but not seats, tokens or administrators', async ({ page }) => {
  const s = state();
  const api = apiAs(s.roleTokens.districtUserAdmin);
  await signIn(page, s.roleTokens.districtUserAdmin);
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Administrators and tokens' })).toHaveCount(0);
  await page.goto('/console/subscriptions/lit-core');
  await settled(page);
  await expect(page.getByTestId('pool-counts')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Save seats' })).toHaveCount(0);

  // A refusal is shown in the API's words: the full math pool, no queueing.
  const student = s.district.room12.students[12]!;
  const refused = await api.call('PUT', `/admin/v1/users/${student.id}/licenses/math-2026`);
  expect(refused.status).toBe(409);
  await page.goto(`/console/users/${student.id}`);
  await page.getByRole('button', { name: 'Assign products' }).click();
  const dialog = page.getByRole('dialog', { name: /Assign products to/ });
  await dialog.getByRole('radio', { name: 'Choose math-2026' }).check();
  await dialog.getByRole('button', { name: 'Assign' }).click();
  await expect(page.locator('.el-message--error')).toContainText(refused.body.error.message);
  expect((await api.licenses(student.id)).map((l) => l.subscription_id)).not.toContain('math-2026');
});

// The newer actions (issue 10's semantics in the console) follow GET
// /whoami's permissions: a User admin may revoke all but not decide how a
// pool fills freed seats; a Subscription admin decides that for its own pool
// and may take users off its waitlist, but may not revoke all.
test('a User admin is offered revoke all, not the fill of freed seats', async ({ page }) => {
  const s = state();
  const api = apiAs(s.roleTokens.districtUserAdmin);
  const who = await api.get('/admin/v1/whoami');
  expect(who.permissions.change_fill).toBeUndefined();
  expect(who.permissions.hold_users).toBe('all');
  // The API refuses what the page does not offer.
  const refused = await api.call('PATCH', '/admin/v1/subscriptions/lit-core', { fill: 'manual' });
  expect(refused.status).toBe(403);

  await signIn(page, s.roleTokens.districtUserAdmin);
  await page.goto('/console/subscriptions/lit-core');
  await settled(page);
  await expect(page.getByTestId('pool-counts')).toBeVisible();
  await expect(page.getByRole('radiogroup', { name: 'Freed seats' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Save seats' })).toHaveCount(0);
  await page.goto(`/console/users/${s.district.room7.students[2]!.id}`);
  await settled(page);
  await expect(page.getByRole('button', { name: 'Revoke all' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Assign products' })).toBeVisible();
  await page.goto('/console/policies');
  await expect(page).toHaveURL(/\/console\/users/);
});

test('a Subscription admin is offered its own pool\'s fill and waitlist, not revoke all', async ({ page }) => {
  const s = state();
  const api = apiAs(s.roleTokens.districtSubscriptionAdmin);
  const who = await api.get('/admin/v1/whoami');
  expect(who.permissions.change_fill).toBe('own_subscriptions');
  expect(who.permissions.hold_users).toBeUndefined();

  await signIn(page, s.roleTokens.districtSubscriptionAdmin);
  await page.goto('/console/subscriptions/math-2026');
  await settled(page);
  await expect(page.getByRole('radiogroup', { name: 'Freed seats' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Save seats' })).toHaveCount(who.permissions.change_seats ? 1 : 0);
  const holder = s.district.room12.students[0]!;
  await page.goto(`/console/users/${holder.id}`);
  await settled(page);
  await expect(page.getByTestId('licenses-table')).toContainText('math-2026');
  await expect(page.getByRole('button', { name: 'Revoke all' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Restore' })).toHaveCount(0);
  // Another pool is not found, so its page says so and offers nothing.
  await page.goto('/console/subscriptions/lit-core');
  await expect(page.getByRole('radiogroup', { name: 'Freed seats' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Save seats' })).toHaveCount(0);
});

// A change the role may make in general but not in this case: a
// Subscription admin of lit-plus assigning it to a learner whose lit-core
// (same exclusive family, outside its scope) it would replace. The API
// refuses with 403, and the page shows the API's own words.
test('a 403 is shown in the API\'s own words and changes nothing', async ({ page }) => {
  const s = state();
  const admin = apiAs(s.tokens.district.admin);
  const learner = s.district.room7.students[5]!;
  // A pool of its own that makes the learner visible to the new admin.
  await admin.call('POST', '/admin/v1/subscriptions', { id: 'e2e-scope-math', product_id: 'math', seats: 5 }, [201, 409]);
  await admin.call('PUT', `/admin/v1/users/${learner.id}/licenses/e2e-scope-math`, undefined, [200]);
  const created = (await admin.call<{ token: string }>('POST', '/admin/v1/admins', {
    name: 'Literacy Plus coordinator', role: 'subscription_admin', subscriptions: ['lit-plus', 'e2e-scope-math'],
  }, [201])).body;
  const before = (await admin.licenses(learner.id)).map((l) => `${l.subscription_id}:${l.state}`).sort();
  expect(before).toContain('lit-core:active');
  const scoped = apiAs(created.token);
  const refused = await scoped.call('PUT', `/admin/v1/users/${learner.id}/licenses/lit-plus`);
  expect(refused.status).toBe(403);

  await signIn(page, created.token);
  await page.goto(`/console/users/${learner.id}`);
  await settled(page);
  await page.getByRole('button', { name: 'Assign products' }).click();
  const dialog = page.getByRole('dialog', { name: /Assign products to/ });
  await dialog.getByRole('radio', { name: 'Choose lit-plus' }).check();
  await dialog.getByRole('button', { name: 'Assign' }).click();
  await expect(page.locator('.el-message--error')).toContainText(refused.body.error.message);
  expect((await admin.licenses(learner.id)).map((l) => `${l.subscription_id}:${l.state}`).sort()).toEqual(before);
});
