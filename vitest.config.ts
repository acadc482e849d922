import { existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

/** Browser tests drive Debian's Chromium (`apt-get install chromium`); .ci/run installs it. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

if (!CHROMIUM_PATH) {
  if (process.env.REQUIRE_BROWSER_TESTS) throw new Error('REQUIRE_BROWSER_TESTS is set but no Chromium was found (apt-get install chromium)');
  console.warn('\n  Browser tests (test/browser) are NOT run: no Chromium found. Install it with `apt-get install chromium` or set CHROMIUM_PATH.\n');
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: CHROMIUM_PATH ? [] : ['test/browser/**'],
    // The browser tests drive the built apps: built once, fresh, before any file runs.
    globalSetup: CHROMIUM_PATH ? ['test/support/build-web-apps.ts'] : [],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each test file gets its own database (a PGlite instance or a PostgreSQL schema).
    pool: 'forks',
  },
});
