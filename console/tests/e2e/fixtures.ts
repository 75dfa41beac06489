// What every console test shares: the seeded state, an API client for the
// checks, signing in through the page, the accessibility scan and the
// screenshots kept as artifacts (and, with ALLOT_CONSOLE_DOCS=1, in
// docs/console/ for the README).
import { test as base, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AllotApi } from '../support/api';
import { repoRoot } from '../support/server';
import type { Seeded } from '../support/seed';

export function state(): Seeded {
  return JSON.parse(readFileSync(process.env.ALLOT_E2E_STATE!, 'utf8')) as Seeded;
}

export function apiAs(token: string): AllotApi {
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  return new AllotApi(process.env.ALLOT_E2E_API!, token);
}

export async function signIn(page: Page, token: string): Promise<void> {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text());
  });
  (page as Page & { cspProblems?: string[] }).cspProblems = problems;
  await page.goto('/');
  await expect(page).toHaveURL(/\/console\/signin/);
  await page.getByLabel('Admin token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('who')).toBeVisible();
  // The token reaches no web storage, and no script can read the session.
  const kept = await page.evaluate(
    () => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie,
  );
  expect(kept).not.toContain(token);
  expect(kept).not.toContain('allot_session');
}

// No CSP violation was reported by the page since sign-in.
export function expectNoCspViolations(page: Page): void {
  expect((page as Page & { cspProblems?: string[] }).cspProblems ?? []).toEqual([]);
}

export async function expectAccessible(page: Page, screen: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    bad.map((v) => `${screen}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`),
  ).toEqual([]);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = join(repoRoot, 'console/test-results/screens');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: false });
  if (process.env.ALLOT_CONSOLE_DOCS === '1') {
    mkdirSync(join(repoRoot, 'docs/console'), { recursive: true });
    await page.screenshot({ path: join(repoRoot, 'docs/console', `${name}.png`), fullPage: false });
  }
}

// Waits for every list to have loaded (aria-busy, set at once) and Element
// Plus's loading masks (shown only for loads slower than 200 ms) to go.
export async function settled(page: Page): Promise<void> {
  await expect(page.locator('[aria-busy=true]')).toHaveCount(0);
  await expect(page.locator('.el-loading-mask')).toHaveCount(0);
}

// allot's port is known only once the global setup has started it.
export const test = base.extend({
  baseURL: async ({}, use) => {
    await use(process.env.CONSOLE_BASE_URL);
  },
});
export { expect };
