// The seed workflows, end to end through the console's pages, each checked
// through the admin API afterwards.
import { test, expect, state, apiAs, signIn, settled, expectNoCspViolations } from './fixtures';
import type { Page } from '@playwright/test';

const ids = (ls: { subscription_id: string }[]) => ls.map((l) => l.subscription_id);

async function openUser(page: Page, search: string, name: string) {
  await page.getByRole('link', { name: 'Users', exact: true }).click();
  await page.getByLabel('Search users').fill(search);
  await page.getByLabel('Search users').press('Enter');
  await settled(page);
  await page.getByTestId('users-table').getByRole('link', { name }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
}

// Element Plus covers a select's input with its own wrapper: click that.
async function pick(page: Page, combobox: string, option: string) {
  await page.locator('.el-select__wrapper', { has: page.getByRole('combobox', { name: combobox }) }).click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: option }).first().click();
}

test('find a teacher and remove a product', async ({ page }) => {
  const s = state();
  const api = apiAs(s.tokens.district.admin);
  const ana = s.district.teachers[0]!;
  expect(ids(await api.licenses(ana.id))).toContain('lit-core');

  await signIn(page, s.tokens.district.admin);
  await openUser(page, 'Rivera', 'Ana Rivera');
  const row = page.getByTestId('licenses-table').locator('tr', { hasText: 'lit-core' });
  await row.getByRole('button', { name: 'Unassign' }).click();
  await page.getByRole('dialog', { name: 'Unassign lit-core' }).getByRole('button', { name: 'Unassign' }).click();
  await expect(page.getByTestId('licenses-table')).not.toContainText('lit-core');

  expect(ids(await api.licenses(ana.id))).not.toContain('lit-core');
  expectNoCspViolations(page);
});

test('move a class to another product', async ({ page }) => {
  const s = state();
  const api = apiAs(s.tokens.district.admin);
  await signIn(page, s.tokens.district.admin);
  await page.getByRole('link', { name: 'Groups and classes' }).click();
  await page.getByTestId('groups-table').getByRole('link', { name: 'Grade 4 - Room 7' }).click();
  await expect(page.getByTestId('members-table')).toContainText(s.district.room7.students[0]!.displayName);
  await settled(page);
  await page.getByRole('button', { name: 'Change license type' }).click();
  await pick(page, 'From subscription', 'lit-core');
  await pick(page, 'To subscription', 'lit-plus');
  await page.getByRole('dialog', { name: 'Change license type' }).getByRole('button', { name: 'Change' }).click();
  await expect(page.getByTestId('bulk-result')).toContainText(`${s.district.room7.students.length} succeeded`);

  for (const student of s.district.room7.students) {
    const ls = await api.licenses(student.id);
    expect(ls.find((l) => l.subscription_id === 'lit-plus')?.state, student.userName).toBe('active');
    expect(ids(ls), student.userName).not.toContain('lit-core');
  }
});

test("change a learner's license type", async ({ page }) => {
  const s = state();
  const api = apiAs(s.tokens.company.admin);
  const learner = s.company.sales[2]!;
  expect(ids(await api.licenses(learner.id))).toContain('learn-std');

  await signIn(page, s.tokens.company.admin);
  await openUser(page, learner.userName, learner.displayName);
  await page.getByTestId('licenses-table').locator('tr', { hasText: 'learn-std' }).getByRole('button', { name: 'Change type' }).click();
  await pick(page, 'New license type', 'learn-prem');
  await page.getByRole('dialog', { name: 'Change license type' }).getByRole('button', { name: 'Change' }).click();
  await expect(page.getByTestId('licenses-table')).toContainText('learn-prem');

  const ls = await api.licenses(learner.id);
  expect(ls.find((l) => l.subscription_id === 'learn-prem')?.state).toBe('active');
  expect(ids(ls)).not.toContain('learn-std');
});

test('take a seat from one user and give it to another', async ({ page }) => {
  const s = state();
  const api = apiAs(s.tokens.company.admin);
  const from = s.company.office[0]!;
  const to = s.company.sales[5]!;
  expect(ids(await api.licenses(to.id))).not.toContain('office-e3');

  await signIn(page, s.tokens.company.admin);
  await openUser(page, from.userName, from.displayName);
  await page.getByTestId('licenses-table').locator('tr', { hasText: 'office-e3' }).getByRole('button', { name: 'Reassign' }).click();
  const dialog = page.getByRole('dialog', { name: 'Reassign the seat' });
  await dialog.locator('.el-select__wrapper', { has: page.getByRole('combobox', { name: 'Give the seat to' }) }).click();
  await dialog.getByRole('combobox', { name: 'Give the seat to' }).fill(to.userName);
  await page.locator('.el-select-dropdown__item:visible', { hasText: to.userName }).click();
  await dialog.getByRole('button', { name: 'Reassign' }).click();
  await expect(page.getByTestId('licenses-table')).not.toContainText('office-e3');

  expect(ids(await api.licenses(from.id))).not.toContain('office-e3');
  expect((await api.licenses(to.id)).find((l) => l.subscription_id === 'office-e3')?.state).toBe('active');
});

test('revoke all, then restore', async ({ page }) => {
  const s = state();
  const api = apiAs(s.tokens.company.admin);
  const user = s.company.engineering[3]!;
  expect((await api.licenses(user.id)).length).toBeGreaterThan(0);

  await signIn(page, s.tokens.company.admin);
  await openUser(page, user.userName, user.displayName);
  await page.getByRole('button', { name: 'Revoke all' }).click();
  const dialog = page.getByRole('dialog', { name: 'Revoke all licenses' });
  await dialog.getByLabel('Reason').fill('left the company');
  await dialog.getByRole('button', { name: 'Revoke all' }).click();
  await expect(page.getByText(/On hold since/)).toBeVisible();
  await expect(page.getByText(/On hold since/)).toContainText('left the company');
  expect(await api.licenses(user.id)).toEqual([]);
  const hold = (await api.get(`/admin/v1/users/${user.id}`)).hold;
  expect(hold?.reason).toBe('left the company');
  // Held: an assign is refused, in the API's own words.
  const refused = await api.call('PUT', `/admin/v1/users/${user.id}/licenses/office-e3`);
  expect(refused.status).toBe(409);

  await page.getByRole('button', { name: 'Restore' }).click();
  await expect(page.getByText(/On hold since/)).toHaveCount(0);
  expect(ids(await api.licenses(user.id))).toContain('learn-std');
});

test('check availability before assigning', async ({ page }) => {
  const s = state();
  const api = apiAs(s.tokens.district.admin);
  const student = s.district.room12.students[5]!;
  const math = await api.get('/admin/v1/subscriptions/math-2026');
  const plus = await api.get('/admin/v1/subscriptions/lit-plus');

  await signIn(page, s.tokens.district.admin);
  await openUser(page, student.userName, student.displayName);
  await page.getByRole('button', { name: 'Assign products' }).click();
  const dialog = page.getByRole('dialog', { name: /Assign products to/ });
  await expect(dialog.getByTestId('available-math-2026')).toHaveText(String(math.available));
  await expect(dialog.getByTestId('available-lit-plus')).toHaveText(String(plus.available));
  expect(math.available).toBe(0);
  // The pool is full: the administrator sees it and queues the student.
  await dialog.getByRole('radio', { name: 'Choose math-2026' }).check();
  await expect(dialog.getByText('No free seat in math-2026')).toBeVisible();
  await dialog.getByText('If no seat is free, wait for one').click();
  await dialog.getByRole('button', { name: 'Assign' }).click();
  await expect(page.getByTestId('licenses-table').locator('tr', { hasText: 'math-2026' })).toContainText('pending');

  expect((await api.licenses(student.id)).find((l) => l.subscription_id === 'math-2026')?.state).toBe('pending');
});

test('read the assignments table', async ({ page }) => {
  const s = state();
  const api = apiAs(s.tokens.district.admin);
  const expected = (await api.get<{ items: { user_name: string; state: string }[] }>('/admin/v1/subscriptions/lit-core/assignments?limit=1000')).items;
  expect(expected.length).toBeGreaterThan(20);

  await signIn(page, s.tokens.district.admin);
  await page.getByRole('link', { name: 'Subscriptions' }).click();
  await page.getByTestId('subscriptions-table').getByRole('link', { name: 'lit-core' }).click();
  await settled(page);
  const sub = await api.get('/admin/v1/subscriptions/lit-core');
  await expect(page.getByTestId('pool-counts')).toContainText(`Assigned ${sub.assigned}`);
  const rows = page.getByTestId('assignments-table').locator('tbody tr');
  await expect(rows).toHaveCount(Math.min(expected.length, 100));
  for (const a of expected.slice(0, 5)) {
    await expect(page.getByTestId('assignments-table')).toContainText(a.user_name);
  }
  // The CSV export holds every assignment.
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Export CSV' }).click();
  const csv = await (await download).path();
  const { readFileSync } = await import('node:fs');
  const lines = readFileSync(csv!, 'utf8').trim().split(/\r\n/);
  expect(lines[0]).toContain('user_id,user_name');
  expect(lines.length - 1).toBe(expected.length);
});
