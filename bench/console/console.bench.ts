// The console at 100,000 users: the real allot binary, seeded over SCIM
// /Bulk, driven in Debian's Chromium. Times are taken inside the page
// (performance.now(), polled every animation frame), so Playwright's own
// round trips are not counted. Writes bench/results/console.{json,md}.
import { test, expect, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { AllotApi } from '../../console/tests/support/api';
import { repoRoot, startAllot } from '../../console/tests/support/server';

const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
// 'scim' (default): users pushed over SCIM /Bulk, as an IdP would. 'sql':
// written straight into the SQLite file by seed_sql.sh (seconds, not
// minutes), for iterating on the console; the same shape.
const SEED = process.env.BENCH_SEED ?? 'scim';
const families = ['Rivera', 'Chen', 'Okafor', 'Patel', 'Nowak', 'Adeyemi', 'Silva', 'Kim', 'Petrov', 'Li', 'Mensah', 'Berg', 'Lopez', 'Diallo', 'Haddad', 'Shah', 'Moore', 'Costa', 'Aziz', 'Singh'];
const givens = ['Ana', 'Ben', 'Chloe', 'Dev', 'Elif', 'Femi', 'Gus', 'Hana', 'Ivan', 'Jia', 'Kofi', 'Lena', 'Mateo', 'Nia', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sami', 'Tara'];

// What the browser saw of one admin API request: when it was sent (ms from
// the run's start) and how long until its last byte arrived. The rest of a
// run's time is the page's own: scripts, rendering, and waiting before the
// request was sent.
interface ApiTiming { start: number; ms: number }

// The resource timing of the first request whose URL contains `part` and
// started at or after `since` (performance.now() units), else null.
async function apiTiming(page: Page, part: string, since = 0): Promise<ApiTiming | null> {
  return page.evaluate(([p, t0]) => {
    const e = performance.getEntriesByType('resource').find((x) => x.name.includes(p) && x.startTime >= t0);
    return e ? { start: e.startTime - t0, ms: e.responseEnd - e.startTime } : null;
  }, [part, since] as [string, number]);
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}
const r1 = (x: number) => Math.round(x * 10) / 10;

async function seedUsers(api: AllotApi): Promise<string[]> {
  const ids: string[] = [];
  const batch = 1000;
  for (let start = 0; start < USERS; start += batch) {
    const ops = [];
    for (let i = start; i < Math.min(USERS, start + batch); i++) {
      const given = givens[i % givens.length]!;
      const family = `${families[Math.floor(i / givens.length) % families.length]}${i}`;
      ops.push({
        method: 'POST', path: '/Users', bulkId: `u${i}`,
        data: {
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
          userName: `user${String(i).padStart(6, '0')}@bench.example`,
          displayName: `${given} ${family}`,
          name: { givenName: given, familyName: family },
          emails: [{ value: `user${String(i).padStart(6, '0')}@bench.example`, type: 'work' }],
          active: true,
        },
      });
    }
    const { body } = await api.call<{ Operations: { status: string; location?: string }[] }>('POST', '/scim/v2/Bulk', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: ops,
    }, [200]);
    for (const op of body.Operations) if (op.location) ids.push(op.location.split('/').pop()!);
  }
  expect(ids.length).toBe(USERS);
  return ids;
}

test('console at 100k users', async ({ browser }) => {
  const allot = await startAllot({ tenants: ['bench'], policies: {} });
  try {
    const t = allot.tenants.bench!;
    const scim = new AllotApi(allot.baseUrl, t.scim_token);
    const admin = new AllotApi(allot.baseUrl, t.admin_token);
    const seedStart = Date.now();
    await admin.admin('POST', '/products', { id: 'lit', name: 'Pre-K Literacy' });
    await admin.admin('POST', '/subscriptions', { id: 'lit-2026', product_id: 'lit', seats: 200_000 });
    let group: { id: string };
    if (SEED === 'sql') {
      execFileSync(join(repoRoot, 'bench/console/seed_sql.sh'), [allot.dataDir, String(USERS), 'bench'], { stdio: 'inherit' });
      group = { id: 'g-room12' };
    } else {
      const ids = await seedUsers(scim);
      // A class of 30 licensed students, and licenses on the first pages.
      const middle = Math.floor(USERS / 2);
      const classMembers = ids.slice(middle, middle + 30);
      group = (await scim.call<{ id: string }>('POST', '/scim/v2/Groups', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Grade 3 - Room 12',
        members: classMembers.map((value) => ({ value })),
      }, [201])).body;
      for (let i = 0; i < 100; i++) {
        await scim.call('POST', '/scim/v2/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: `Class ${i}`, members: ids.slice(i * 30, i * 30 + 30).map((value) => ({ value })) }, [201]);
      }
      for (const chunk of [ids.slice(0, 1000), ids.slice(1000, 2000), classMembers]) {
        await admin.admin('POST', '/licenses/bulk', { action: 'assign', user_ids: chunk, subscription_id: 'lit-2026' });
      }
    }
    const seedSeconds = (Date.now() - seedStart) / 1000;

    const base = process.env.CONSOLE_BASE_URL ?? allot.baseUrl;
    const context = await browser.newContext({ baseURL: base, ignoreHTTPSErrors: true });
    const page = await context.newPage();
    await page.goto('/console/signin');
    await page.getByLabel('Admin token').fill(t.admin_token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('users-table').locator('tbody tr').first().waitFor();

    // 1. The users page, loaded afresh (assets from the cache, as on any
    // visit after the first): ms from navigation start to its first rows.
    const loadStart = loadavg()[0];
    const firstRender: number[] = [];
    const firstRenderApi: number[] = [];
    const firstRenderApiStart: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      await page.goto('/console/users');
      const ms = await page.waitForFunction(() => {
        const rows = document.querySelectorAll('[data-testid=users-table] tbody tr').length;
        return rows >= 50 && !document.querySelector('.el-loading-mask, [aria-busy=true]') ? performance.now() : false;
      }, undefined, { polling: 'raf' });
      firstRender.push(await ms.jsonValue() as number);
      const api = await apiTiming(page, '/admin/v1/users?');
      if (api) {
        firstRenderApi.push(api.ms);
        firstRenderApiStart.push(api.start);
      }
    }
    // The same with an empty cache (a new browser context, signed in by
    // cookie): the whole bundle is downloaded first.
    const cold: number[] = [];
    const cookies = await context.cookies();
    for (let i = 0; i < 5; i++) {
      const c2 = await browser.newContext({ baseURL: base, ignoreHTTPSErrors: true });
      await c2.addCookies(cookies);
      const p2 = await c2.newPage();
      await p2.goto('/console/users');
      const ms = await p2.waitForFunction(() => {
        const rows = document.querySelectorAll('[data-testid=users-table] tbody tr').length;
        return rows >= 50 && !document.querySelector('.el-loading-mask, [aria-busy=true]') ? performance.now() : false;
      }, undefined, { polling: 'raf' });
      cold.push(await ms.jsonValue() as number);
      await c2.close();
    }

    // 2. Search: ms from Enter to the first matching row.
    const search: number[] = [];
    const searchApi: number[] = [];
    let searchUnavailable = false;
    const input = page.getByLabel('Search users');
    for (let i = 0; i < RUNS * 2; i++) {
      const n = (i * 7919) % USERS;
      const term = `${families[Math.floor(n / givens.length) % families.length]}${n}`.toLowerCase();
      await input.fill(term);
      const t0 = await page.evaluate(() => {
        performance.clearResourceTimings();
        return ((window as unknown as { t0: number }).t0 = performance.now());
      });
      await input.press('Enter');
      const ms = await page.waitForFunction((want: string) => {
        const row = document.querySelector('[data-testid=users-table] tbody tr');
        const w = window as unknown as { t0: number };
        return row && row.textContent!.toLowerCase().includes(want) && !document.querySelector('.el-loading-mask, [aria-busy=true]')
          ? performance.now() - w.t0 : false;
      }, term, { polling: 'raf', timeout: 10_000 }).catch(() => null);
      if (!ms) {
        // A server without GET /users?q= answers its first page instead.
        searchUnavailable = true;
        break;
      }
      search.push(await ms.jsonValue() as number);
      const api = await apiTiming(page, `q=${term}`, t0);
      if (api) searchApi.push(api.ms);
    }

    // 3. A class of 30 with every member's licenses.
    const classRender: number[] = [];
    const classApi: number[] = [];
    const classApiStart: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      await page.goto(`/console/groups/${group.id}`);
      const ms = await page.waitForFunction(() => {
        const rows = document.querySelectorAll('[data-testid=members-table] tbody tr');
        if (rows.length !== 30 || document.querySelector('.el-loading-mask')) return false;
        for (const r of rows) if (!r.textContent!.includes('lit-2026')) return false;
        return performance.now();
      }, undefined, { polling: 'raf' });
      classRender.push(await ms.jsonValue() as number);
      const api = await apiTiming(page, 'group_id=');
      if (api) {
        classApi.push(api.ms);
        classApiStart.push(api.start);
      }
    }
    const loadEnd = loadavg()[0];
    await context.close();

    // 4. The JavaScript of the whole console, gzipped.
    const dist = join(repoRoot, 'build/console/dist/assets');
    let jsRaw = 0;
    let jsGzip = 0;
    for (const f of readdirSync(dist).filter((f) => f.endsWith('.js'))) {
      const data = readFileSync(join(dist, f));
      jsRaw += data.length;
      jsGzip += gzipSync(data, { level: 9 }).length;
    }

    const stats = (xs: number[]) => (xs.length ? { p50: r1(pct(xs, 50)), p95: r1(pct(xs, 95)) } : null);
    const result = {
      users: USERS,
      runs: RUNS,
      seed: SEED,
      seed_seconds: Math.round(seedSeconds),
      load_average_1m: { start: r1(loadStart), end: r1(loadEnd) },
      users_page_first_render_ms: { p50: r1(pct(firstRender, 50)), p95: r1(pct(firstRender, 95)), target: 1000,
        api_request_ms: stats(firstRenderApi), api_request_sent_at_ms: stats(firstRenderApiStart) },
      users_page_empty_cache_ms: { p50: r1(pct(cold, 50)), max: r1(Math.max(...cold)) },
      search_results_ms: searchUnavailable
        ? { unavailable: 'this server ignores GET /users?q=' }
        : { p50: r1(pct(search, 50)), p95: r1(pct(search, 95)), target_p95: 300, api_request_ms: stats(searchApi) },
      class_of_30_with_licenses_ms: { p50: r1(pct(classRender, 50)), p95: r1(pct(classRender, 95)), target: 500,
        api_request_ms: stats(classApi), api_request_sent_at_ms: stats(classApiStart) },
      js_kb: { raw: Math.round(jsRaw / 1024), gzip: Math.round(jsGzip / 1024), target_gzip: 300 },
      chromium: browser.version(),
      via: process.env.CONSOLE_BASE_URL ? 'a development proxy' : 'allot directly',
    };
    console.log(JSON.stringify(result, null, 2));
    writeFileSync(join(repoRoot, 'bench/results/console.json'), JSON.stringify(result, null, 2) + '\n');
  } finally {
    await allot.stop();
  }
});
