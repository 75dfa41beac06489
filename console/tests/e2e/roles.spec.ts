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
