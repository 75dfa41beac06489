// Every screen: an accessibility scan (axe, WCAG 2.1 A and AA) with no
// serious or critical violation, no Content-Security-Policy violation, and a
// screenshot kept as an artifact (docs/console/ with ALLOT_CONSOLE_DOCS=1).
import { test, expect, state, signIn, settled, expectAccessible, screenshot, expectNoCspViolations } from './fixtures';

test('every screen is accessible and keeps to the CSP', async ({ page }) => {
  // axe takes seconds per screen on a small machine.
  test.setTimeout(240_000);
  const s = state();
  await page.goto('/console/signin');
  await expect(page.getByRole('heading', { name: 'Sign in to allot' })).toBeVisible();
  await expectAccessible(page, 'sign-in');
  await screenshot(page, 'sign-in');

  await signIn(page, s.tokens.district.admin);
  const screens: [string, string, () => Promise<void>][] = [
    ['users', '/console/users', async () => { await expect(page.getByTestId('users-table')).toContainText('@district.example'); }],
    ['user', `/console/users/${s.district.room12.students[0]!.id}`, async () => { await expect(page.getByTestId('idp-note')).toContainText('managed by your identity provider'); }],
    ['groups', '/console/groups', async () => { await expect(page.getByTestId('groups-table')).toContainText('Grade 3 - Room 12'); }],
    ['group', `/console/groups/${s.district.room12.id}`, async () => { await expect(page.getByTestId('members-table')).toContainText('@district.example'); }],
    ['subscriptions', '/console/subscriptions', async () => { await expect(page.getByTestId('subscriptions-table')).toContainText('lit-core'); }],
    ['subscription', '/console/subscriptions/lit-core', async () => { await expect(page.getByTestId('assignments-table')).toContainText('@district.example'); }],
    ['usage', '/console/usage', async () => { await expect(page.getByTestId('usage-chart').locator('canvas')).toBeVisible(); }],
    ['audit', '/console/audit', async () => { await expect(page.getByTestId('audit-table')).toContainText('assignment.activated'); }],
    ['admins', '/console/admins', async () => { await expect(page.getByTestId('admins-table')).toContainText('Math coordinator'); }],
    ['policies', '/console/policies', async () => { await expect(page.getByTestId('policies-table')).toContainText('district-teachers'); }],
  ];
  for (const [name, path, ready] of screens) {
    await page.goto(path);
    await ready();
    await settled(page);
    await expectAccessible(page, name);
    await screenshot(page, name);
  }
  // The assign dialog, with availability, is a screen of its own.
  await page.goto(`/console/users/${s.district.room12.students[3]!.id}`);
  await page.getByRole('button', { name: 'Assign products' }).click();
  await expect(page.getByTestId('available-lit-plus')).toBeVisible();
  await settled(page);
  await expectAccessible(page, 'assign-dialog');
  await screenshot(page, 'assign-dialog');
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog', { name: /Assign products to/ })).toHaveCount(0);
  // Unassign and revoke all take a reason (and, for unassign, an expiry of
  // the deny that keeps a policy's license away): dialogs of their own.
  await page.getByTestId('licenses-table').getByRole('button', { name: 'Unassign' }).first().click();
  const unassign = page.getByRole('dialog', { name: /^Unassign / });
  await expect(unassign).toBeVisible();
  await expectAccessible(page, 'unassign-dialog');
  await screenshot(page, 'unassign-dialog');
  await unassign.getByRole('button', { name: 'Cancel' }).click();
  await expect(unassign).toHaveCount(0);
  await page.getByRole('button', { name: 'Revoke all' }).click();
  const revoke = page.getByRole('dialog', { name: 'Revoke all licenses' });
  await expect(revoke).toBeVisible();
  await expectAccessible(page, 'revoke-dialog');
  await screenshot(page, 'revoke-dialog');
  await revoke.getByRole('button', { name: 'Cancel' }).click();
  await expect(revoke).toHaveCount(0);
  expectNoCspViolations(page);
});
