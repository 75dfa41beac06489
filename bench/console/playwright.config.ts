// The console benchmark (not a test): bench/console/run.sh runs it.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: '.',
  testMatch: /.*\.bench\.ts/,
  workers: 1,
  timeout: 30 * 60_000,
  reporter: [['list']],
  outputDir: '/tmp/allot-console-bench-artifacts',
  use: {
    ignoreHTTPSErrors: true,
    viewport: { width: 1360, height: 860 },
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
});
