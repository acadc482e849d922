import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH } from '../../vitest.config.js';
import { ADMIN_KEY, startTestService, type TestService } from '../support/test-service.js';

const ARTIFACTS = path.resolve(import.meta.dirname, '../../test-artifacts/screenshots');

let svc: TestService;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  svc = await startTestService();
  browser = await chromium.launch({
    executablePath: CHROMIUM_PATH!,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await svc?.stop();
});

describe('/docs in a real browser', () => {
  it('renders every operation of /openapi.json under the strict CSP, and "Try it out" reaches the API', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
    page.on('request', (r) => !r.url().startsWith(svc.url) && problems.push(`left the service: ${r.url()}`));
    await page.goto(`${svc.url}/docs`);
    await page.locator('.opblock').first().waitFor();
    const doc = (await svc.api('GET', '/openapi.json', undefined, null)).body;
    const count = Object.values(doc.paths as Record<string, object>).reduce((n, methods) => n + Object.keys(methods).length, 0);
    expect(await page.locator('.opblock').count()).toBe(count);
    // GET (today's purchases) and POST (a purchase) share the path.
    expect(await page.locator('.opblock-summary-path', { hasText: '/api/v1/pos/purchases' }).count()).toBe(2);
    await page.screenshot({ path: path.join(ARTIFACTS, 'api-docs.png') });

    // Authorize with the admin key, then run GET /api/v1/api-keys from the page.
    await page.locator('button.authorize').click();
    await page.locator('.modal-ux input').fill(ADMIN_KEY);
    await page.locator('.modal-ux button.authorize').click();
    await page.locator('.modal-ux button.close-modal').click();
    const op = page.locator('#operations-API_keys-listApiKeys');
    await op.locator('.opblock-summary').click();
    await op.locator('button.try-out__btn').click();
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/api-keys') && r.request().method() === 'GET');
    await op.locator('button.execute').click();
    expect((await answered).status()).toBe(200);
    await op.locator('.responses-table .response-col_status', { hasText: '200' }).first().waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'api-docs-try-it-out.png'), fullPage: false });
    expect(problems).toEqual([]);
  });
});
