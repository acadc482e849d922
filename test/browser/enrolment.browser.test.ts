import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH } from '../../vitest.config.js';
import { createTestServiceAccount, fakeGoogleEnv, startFakeGoogle, type FakeGoogle } from '../support/fake-google.js';
import { createProgram } from '../support/fixtures.js';
import { startTestService, type TestService } from '../support/test-service.js';
import { captureLogs } from '../support/logs.js';

const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1';
const ANDROID = 'Mozilla/5.0 (Linux; Android 15; Pixel 9) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36';
const ARTIFACTS = path.resolve(import.meta.dirname, '../../test-artifacts/screenshots');

let svc: TestService;
let google: FakeGoogle;
let browser: Browser;
let workDir: string;
/** In development and tests texts go to the log: the code is read from its SMS line, as a developer would. */
const logs = captureLogs();

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  workDir = mkdtempSync(path.join(tmpdir(), 'wl-browser-'));
  const account = createTestServiceAccount();
  google = await startFakeGoogle({ serviceAccounts: [account] });
  svc = await startTestService({ ...fakeGoogleEnv(google, '3388000000033333333', workDir, account), JOB_POLL_MS: '50' }, { logger: logs.logger });
  await createProgram(svc, { slug: 'cafe', name: 'Café Latte', welcomeBonus: 150, terms: 'One point per 10 ₽.' });
  browser = await chromium.launch({
    executablePath: CHROMIUM_PATH!,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await svc?.stop();
  await google?.close();
  rmSync(workDir, { recursive: true, force: true });
});

async function phone(userAgent: string): Promise<BrowserContext> {
  return browser.newContext({
    userAgent,
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'en-US',
    acceptDownloads: true,
  });
}

/** The second step: the code texted to the phone (masked in the log as +7916*****34). */
async function enterCode(page: Page, phoneEnding: string, screenshot?: string): Promise<void> {
  await page.waitForURL(/\/join\/cafe\/verify\//);
  const line = logs
    .records()
    .filter((r) => r.sms?.to?.endsWith(phoneEnding))
    .at(-1);
  const code = /\b(\d{6})\b/.exec(line.sms.text)![1]!;
  expect(await page.locator('h1').textContent()).toMatch(/code|код/i);
  if (screenshot) await page.screenshot({ path: path.join(ARTIFACTS, screenshot), fullPage: true });
  await page.fill('#code', code);
  await Promise.all([page.waitForURL(/\/c\//), page.click('#open-card')]);
}

describe('enrolment in a real browser', () => {
  it('on an iPhone: validation errors, then the card page with "Add to Apple Wallet", then a .pkpass', async () => {
    const context = await phone(IPHONE);
    const page = await context.newPage();
    await page.goto(`${svc.url}/join/cafe?src=qr`);
    expect(await page.locator('h1').textContent()).toContain('Café Latte');
    await page.screenshot({ path: path.join(ARTIFACTS, 'join-iphone.png'), fullPage: true });

    await page.fill('#name', 'Olga');
    await page.fill('#phone', '89167001234');
    expect(await page.inputValue('#phone')).toBe('+7 (916) 700-12-34'); // the mask, when JavaScript runs
    await page.click('button[type=submit]');
    await page.waitForSelector('#consentPersonal-error');
    expect(await page.inputValue('#name')).toBe('Olga'); // what was typed is kept
    await page.screenshot({ path: path.join(ARTIFACTS, 'join-errors.png'), fullPage: true });

    await page.check('input[name=consentPersonal]');
    await page.fill('#birthday', '1990-05-17');
    await page.click('button[type=submit]');
    await enterCode(page, '34', 'join-code.png');
    expect(await page.getByTestId('balance').textContent()).toBe('150');
    const apple = page.locator('a.wallet.apple');
    expect(await apple.textContent()).toBe('Add to Apple Wallet');
    expect(await page.locator('a.wallet.google').count()).toBe(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'card-iphone.png'), fullPage: true });

    const [download] = await Promise.all([page.waitForEvent('download'), apple.click()]);
    expect(download.suggestedFilename()).toMatch(/^cafe-\d{12}\.pkpass$/);
    const file = path.join(workDir, download.suggestedFilename());
    await download.saveAs(file);
    const listing = execFileSync('unzip', ['-l', file]).toString();
    expect(listing).toContain('pass.json');
    expect(listing).toContain('signature');
    await context.close();
  });

  it('on Android: the card page offers "Save to Google Wallet" with a save link', async () => {
    const context = await phone(ANDROID);
    const page = await context.newPage();
    await page.goto(`${svc.url}/join/cafe?lang=ru`);
    expect(await page.locator('button[type=submit]').textContent()).toBe('Получить карту');
    await page.fill('#name', 'Пётр');
    await page.fill('#phone', '+7 916 700 55 66');
    await page.check('input[name=consentPersonal]');
    await page.click('button[type=submit]');
    await enterCode(page, '66');
    const googleButton = page.locator('a.wallet.google');
    expect(await googleButton.textContent()).toBe('Сохранить в Google Кошелёк');
    expect(await googleButton.getAttribute('href')).toMatch(/^https:\/\/pay\.google\.com\/gp\/v\/save\/[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(await page.locator('a.wallet.apple').count()).toBe(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'card-android.png'), fullPage: true });
    await context.close();
  });

  it('renders a hostile name as text', async () => {
    const context = await phone(IPHONE);
    const page = await context.newPage();
    let alerted = false;
    page.on('dialog', async (d) => {
      alerted = true;
      await d.dismiss();
    });
    await page.goto(`${svc.url}/join/cafe`);
    await page.fill('#name', '<script>alert(1)</script>');
    await page.fill('#phone', '+79167009999');
    await page.check('input[name=consentPersonal]');
    await page.click('button[type=submit]');
    await enterCode(page, '99');
    expect(await page.locator('.card .program').textContent()).toContain('<script>alert(1)</script>');
    expect(alerted).toBe(false);
    await context.close();
  });
});
