// Issue 10's licensing semantics through the console: the overrides an
// assign or unassign leaves, with their reason and expiry; the waitlist in
// order; and a subscription on manual fill, whose freed seat an
// administrator gives to whomever on the waitlist they choose. Each result
// is checked through the admin API. These tests make their own company
// subscriptions, so the other tests' seeds stay as they were.
import { test, expect, state, apiAs, signIn, settled, expectNoCspViolations } from './fixtures';
import type { Page } from '@playwright/test';

interface OverrideItem {
  subscription_id: string;
  kind: string;
  reason: string | null;
  expires_at: string | null;
}

async function openUser(page: Page, search: string, name: string) {
  await page.getByRole('link', { name: 'Users', exact: true }).click();
  await page.getByLabel('Search users').fill(search);
  await page.getByLabel('Search users').press('Enter');
  await settled(page);
  await page.getByTestId('users-table').getByRole('link', { name }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
}

test.beforeAll(async () => {
  const api = apiAs(state().tokens.company.admin);
  await api.admin('POST', '/products', { id: 'coaching', name: 'Coaching' });
  await api.admin('POST', '/subscriptions', { id: 'coach-2026', product_id: 'coaching', seats: 5 });
  await api.admin('POST', '/subscriptions', { id: 'coach-small', product_id: 'coaching', seats: 1 });
});

test("a user's overrides, with the reason and expiry set on assign and unassign", async ({ page }) => {
  const s = state();
  const api = apiAs(s.tokens.company.admin);
  const user = s.company.engineering[5]!;
  expect((await api.licenses(user.id)).map((l) => l.subscription_id)).toContain('learn-std');

  await signIn(page, s.tokens.company.admin);
  await openUser(page, user.userName, user.displayName);

  // Assign a product no policy gives: a grant override keeps it, with the
  // reason and the day it lapses.
  await page.getByRole('button', { name: 'Assign products' }).click();
  const dialog = page.getByRole('dialog', { name: /Assign products to/ });
  await dialog.getByRole('radio', { name: 'Choose coach-2026' }).check();
  await dialog.getByLabel('Reason').fill('pilot cohort');
  await dialog.getByLabel('Expires after').fill('2030-06-30');
  await dialog.getByLabel('Expires after').press('Enter');
  await dialog.getByRole('button', { name: 'Assign' }).click();
  const overrides = page.getByTestId('overrides-table');
  const grantRow = overrides.locator('tr', { hasText: 'coach-2026' });
  await expect(grantRow).toContainText('grant');
  await expect(grantRow).toContainText('pilot cohort');
  await expect(grantRow).toContainText('2030-0');

  // Unassign the license a policy gives: a deny override keeps it away.
  await page.getByTestId('licenses-table').locator('tr', { hasText: 'learn-std' }).getByRole('button', { name: 'Unassign' }).click();
  const unassign = page.getByRole('dialog', { name: 'Unassign learn-std' });
  await unassign.getByLabel('Reason').fill('on leave until autumn');
  await unassign.getByRole('button', { name: 'Unassign' }).click();
  const denyRow = overrides.locator('tr', { hasText: 'learn-std' });
  await expect(denyRow).toContainText('deny');
  await expect(denyRow).toContainText('on leave until autumn');
  await expect(denyRow).toContainText('never');
  await expect(page.getByTestId('licenses-table')).not.toContainText('learn-std');

  const listed = (await api.get<{ items: OverrideItem[] }>(`/admin/v1/users/${user.id}/overrides`)).items;
  const grant = listed.find((o) => o.subscription_id === 'coach-2026');
  expect(grant?.kind).toBe('grant');
  expect(grant?.reason).toBe('pilot cohort');
  // The last day chosen counts whole: the override lapses after it.
  const lapses = Date.parse(grant!.expires_at!);
  expect(lapses).toBeGreaterThan(Date.parse('2030-06-30T00:00:00Z'));
  expect(lapses).toBeLessThanOrEqual(Date.parse('2030-07-01T23:59:59Z'));
  const deny = listed.find((o) => o.subscription_id === 'learn-std');
  expect(deny?.kind).toBe('deny');
  expect(deny?.reason).toBe('on leave until autumn');
  expect(deny?.expires_at).toBeNull();
  const ls = await api.licenses(user.id);
  expect(ls.find((l) => l.subscription_id === 'coach-2026')?.state).toBe('active');
  expect(ls.map((l) => l.subscription_id)).not.toContain('learn-std');

  // Clearing the deny lets the policy decide again: the seat comes back.
  await denyRow.getByRole('button', { name: 'Clear' }).click();
  await expect(page.getByTestId('licenses-table')).toContainText('learn-std');
  expect((await api.licenses(user.id)).map((l) => l.subscription_id)).toContain('learn-std');
  expectNoCspViolations(page);
});

test('the waitlist in order, and a seat given by hand on manual fill', async ({ page }) => {
  const s = state();
  const api = apiAs(s.tokens.company.admin);
  const holder = s.company.engineering[6]!;
  const [first, second] = [s.company.sales[6]!, s.company.sales[7]!];
  await api.admin('PUT', `/users/${holder.id}/licenses/coach-small`);
  await api.admin('PUT', `/users/${first.id}/licenses/coach-small?queue=true`);
  await api.admin('PUT', `/users/${second.id}/licenses/coach-small?queue=true`);

  await signIn(page, s.tokens.company.admin);
  await page.goto('/console/subscriptions/coach-small');
  await settled(page);
  await page.getByRole('tab', { name: /Waitlist/ }).click();
  const rows = page.getByTestId('waitlist-table').locator('tbody tr');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText(first.displayName);
  await expect(rows.nth(0).locator('td').first()).toHaveText('1');
  await expect(rows.nth(1)).toContainText(second.displayName);
  await expect(rows.nth(1).locator('td').first()).toHaveText('2');

  // Freed seats stay for administrators.
  await page.locator('label', { hasText: 'stay available' }).click();
  await expect.poll(async () => (await api.get('/admin/v1/subscriptions/coach-small')).fill).toBe('manual');
  await api.admin('DELETE', `/users/${holder.id}/licenses/coach-small`);
  expect((await api.get('/admin/v1/subscriptions/coach-small')).available).toBe(1);

  await page.reload();
  await settled(page);
  await page.getByRole('tab', { name: /Waitlist/ }).click();
  await expect(page.getByTestId('fill-note')).toContainText('1 free now');
  // The administrator chooses the second in line.
  await rows.filter({ hasText: second.displayName }).getByRole('button', { name: 'Give a seat' }).click();
  await expect(rows).toHaveCount(1);
  await expect(rows.nth(0)).toContainText(first.displayName);
  await expect(rows.nth(0).getByRole('button', { name: 'Give a seat' })).toBeDisabled();

  expect((await api.licenses(second.id)).find((l) => l.subscription_id === 'coach-small')?.state).toBe('active');
  expect((await api.licenses(first.id)).find((l) => l.subscription_id === 'coach-small')?.state).toBe('pending');
  const waitlist = (await api.get<{ items: { user_id: string; position: number }[] }>('/admin/v1/subscriptions/coach-small/waitlist')).items;
  expect(waitlist).toEqual([expect.objectContaining({ user_id: first.id, position: 1 })]);
  expectNoCspViolations(page);
});
