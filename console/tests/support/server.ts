// Starts the real allot binary for the console's browser tests and
// benchmark: a fresh data directory, one `allot init` per tenant, policy
// files, then `allot serve` over HTTPS (its self-signed certificate) on a
// free loopback port. Nothing here is mocked.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const allotBin = process.env.ALLOT_BIN ?? join(repoRoot, 'build/allot');
export const pluginsDir = process.env.ALLOT_PLUGINS ?? join(repoRoot, 'build/plugins');

export interface TenantTokens {
  tenant: string;
  admin_token: string;
  scim_token: string;
}

export interface RunningAllot {
  baseUrl: string;
  dataDir: string;
  tenants: Record<string, TenantTokens>;
  stop: () => Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

export async function startAllot(options: {
  tenants: string[];
  policies: Record<string, unknown>;
  extraArgs?: string[];
}): Promise<RunningAllot> {
  if (!existsSync(allotBin)) {
    throw new Error(`no allot binary at ${allotBin}: build it (scripts/build.sh default allot group_map) or set ALLOT_BIN`);
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'allot-console-'));
  const policiesDir = join(dataDir, 'policy-files');
  mkdirSync(policiesDir);
  for (const [name, policy] of Object.entries(options.policies)) {
    writeFileSync(join(policiesDir, `${name}.json`), JSON.stringify(policy, null, 2));
  }
  const tenants: Record<string, TenantTokens> = {};
  for (const tenant of options.tenants) {
    const out = execFileSync(allotBin, ['init', '--data-dir', dataDir, '--tenant', tenant], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    tenants[tenant] = JSON.parse(out.toString()) as TenantTokens;
  }
  // ALLOT_E2E_PORT pins the port (to put something in front of allot while
  // debugging); by default any free one.
  const port = process.env.ALLOT_E2E_PORT ? Number(process.env.ALLOT_E2E_PORT) : await freePort();
  const listen = `127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    allotBin,
    ['serve', '--data-dir', dataDir, '--listen', listen, '--policies', policiesDir, '--plugins', pluginsDir,
      ...(options.extraArgs ?? [])],
    { stdio: ['ignore', 'ignore', process.env.ALLOT_E2E_LOG ? 'inherit' : 'ignore'] },
  );
  let exited = false;
  child.on('exit', () => (exited = true));
  const baseUrl = `https://${listen}`;
  const deadline = Date.now() + 20_000;
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  for (;;) {
    if (exited) throw new Error('allot serve exited at start; run with ALLOT_E2E_LOG=1 to see why');
    try {
      const r = await fetch(`${baseUrl}/readyz`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('allot serve did not become ready in 20 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    baseUrl,
    dataDir,
    tenants,
    stop: async () => {
      if (!exited) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
