// Starts allot and seeds the district and the company once for the suite;
// the tests read what was made from ALLOT_E2E_STATE. CONSOLE_BASE_URL, when
// set, points the browser elsewhere (a development proxy); the API checks
// always go to allot itself.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSeeded } from '../support/seed';

export default async function globalSetup(): Promise<() => Promise<void>> {
  const { allot, seeded } = await startSeeded();
  const statePath = join(allot.dataDir, 'e2e-state.json');
  writeFileSync(statePath, JSON.stringify(seeded));
  process.env.ALLOT_E2E_STATE = statePath;
  process.env.ALLOT_E2E_API = allot.baseUrl;
  if (process.env.ALLOT_E2E_PRINT_URL) console.log(`allot for the console tests: ${allot.baseUrl}`);
  if (!process.env.CONSOLE_BASE_URL) process.env.CONSOLE_BASE_URL = allot.baseUrl;
  return async () => {
    await allot.stop();
  };
}
