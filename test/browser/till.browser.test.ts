/**
 * The till app in real Chromium, in Russian, as a cashier with only a phone: signs in, the fake
 * camera (a generated video of a card's QR code) finds the card, a purchase with points is recorded
 * and the ledger names the cashier; a keyboard-wedge scan finds a card; a refund is chosen from
 * today's list; offline, two earn-only purchases queue and reach the ledger exactly once when the
 * network returns; the new-card screen shows the store's join QR. Screenshots: test-artifacts/screenshots/till-*.png.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH } from '../../vitest.config.js';
import { writeQrVideo } from '../support/fake-camera.js';
import { createProgram, createStore, enrol, signedInStaff, type EnrolledCard } from '../support/fixtures.js';
import { startTestService, type TestService } from '../support/test-service.js';
import { captureLogs } from '../support/logs.js';

const ARTIFACTS = path.resolve(import.meta.dirname, '../../test-artifacts/screenshots');
const PHONE_UA = 'Mozilla/5.0 (Linux; Android 15; Pixel 9) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36';
const PASSWORD = 'correct horse battery staple';

let svc: TestService;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let workDir: string;
let scanned: EnrolledCard;
let typed: EnrolledCard;
/** Texts go to the log in tests: the customer's code is read from its SMS line. */
const logs = captureLogs();

const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `till-${name}.png`), fullPage: true });
const transactions = async (card: EnrolledCard) => (await svc.api('GET', `/api/v1/cards/${card.cardNumber}/transactions`)).body.items as any[];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  workDir = mkdtempSync(path.join(tmpdir(), 'wl-till-'));
  svc = await startTestService({ JOB_POLL_MS: '50' }, { logger: logs.logger });
  await createProgram(svc, { slug: 'cafe', name: 'Кофейня', welcomeBonus: 500, maxRedeemPercent: 50, earnPercent: 10 });
  const store = await createStore(svc, 'cafe', { name: 'Арбат', latitude: 55.75, longitude: 37.59 });
  scanned = await enrol(svc, { program: 'cafe', name: 'Ольга', phone: '+79161112233' });
  typed = await enrol(svc, { program: 'cafe', name: 'Пётр', phone: '+79164445566' });
  // The cashier: invited by the admin, sets a password on the one-time page.
  const invited = await svc.api('POST', '/api/v1/staff', { email: 'anna@cafe.example', name: 'Анна', role: 'cashier', storeId: store.id });
  const welcome = new URL(invited.body.invitation.url).pathname;
  const set = await fetch(svc.url + welcome, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: svc.url },
    body: new URLSearchParams({ password: PASSWORD, repeat: PASSWORD }).toString(),
  });
  expect(set.status).toBe(303);

  const video = path.join(workDir, 'card.y4m');
  writeQrVideo(video, scanned.barcode);
  browser = await chromium.launch({
    executablePath: CHROMIUM_PATH!,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`,
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
  context = await browser.newContext({
    userAgent: PHONE_UA,
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'ru-RU',
  });
  await context.grantPermissions(['camera'], { origin: svc.url });
  page = await context.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await svc?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('the till app', () => {
  it('sends a signed-out cashier to the sign-in, and back to the till after it', async () => {
    await page.goto(`${svc.url}/till`);
    await page.waitForURL(/\/login\?next=\/till/);
    await page.fill('#email', 'anna@cafe.example');
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL(/\/till\/$/), page.click('button[type=submit]')]);
    await page.waitForSelector('header .where');
    expect(await page.locator('header .where strong').textContent()).toBe('Арбат');
    expect(await page.locator('header .where span').textContent()).toBe('Анна');
  });

  it('finds the card with the camera (zxing WebAssembly: Linux Chromium has no BarcodeDetector)', async () => {
    expect(await page.evaluate(() => 'BarcodeDetector' in globalThis)).toBe(false);
    await page.waitForSelector('[data-testid=first-name]', { timeout: 20_000 });
    expect(await page.getByTestId('first-name').textContent()).toBe('Ольга');
    expect(await page.getByTestId('balance').textContent()).toBe('500');
  });

  it('records a purchase paid partly with points; the ledger names the cashier', async () => {
    await page.fill('#amount', '1000');
    await page.waitForSelector('[data-testid=max-points]');
    expect(await page.getByTestId('max-points').textContent()).toBe('можно до 500');
    await page.check('input[name=redeem][value=max]');
    await shot('customer');
    await page.click('#record');
    await page.waitForSelector('[data-testid=new-balance]');
    expect(await page.getByTestId('redeemed').textContent()).toBe('−500');
    expect(await page.getByTestId('earned').textContent()).toBe('+50');
    expect(await page.getByTestId('new-balance').textContent()).toBe('50');
    await shot('result');
    const entries = await transactions(scanned);
    expect(entries.filter((e) => e.kind === 'earn' || e.kind === 'redeem').map((e) => [e.kind, e.points, e.cashier])).toEqual([
      ['earn', 50, 'Анна'],
      ['redeem', -500, 'Анна'],
    ]);
    await page.click('#next');
  });

  it('finds a card typed by a keyboard-wedge scanner (digits + Enter), and checks a typed number first', async () => {
    await page.waitForSelector('#card-number');
    await shot('scan');
    await page.fill('#card-number', '123456789012');
    await page.click('form.row button[type=submit]');
    expect(await page.getByRole('alert').first().textContent()).toBe('Проверьте номер карты');
    await page.locator('nav button').first().focus();
    await page.keyboard.type(typed.barcode, { delay: 5 });
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => (globalThis as any).document.querySelector('[data-testid=first-name]')?.textContent === 'Пётр');
  });

  it('finds a customer by part of the phone: first name and the card’s last digits, never the phone', async () => {
    await page.locator('nav button').first().click();
    await page.fill('#phone-search', '4445');
    await page.locator('form.row').nth(1).locator('button').click();
    const match = page.locator('.matches button');
    await match.waitFor();
    expect(await match.textContent()).toBe(`Пётр · •••• ${typed.cardNumber.slice(-4)}`);
    expect(await page.content()).not.toContain('4445566');
  });

  it('refunds a purchase chosen from today’s list', async () => {
    await page.locator('nav button').nth(1).click();
    const row = page.locator('.purchases button').first();
    await row.waitFor();
    expect(await row.textContent()).toContain(scanned.cardNumber.slice(-4));
    expect(await row.textContent()).toContain('Анна');
    await shot('refunds');
    await row.click();
    await page.click('#do-refund');
    await page.waitForSelector('[data-testid=refunded]');
    expect(await page.getByTestId('refunded').textContent()).toBe('1000.00');
    const purchases = await svc.services.db.selectFrom('purchases').select(['amount_minor', 'refunded_minor']).execute();
    expect(purchases).toEqual([{ amount_minor: 100000, refunded_minor: 100000 }]);
    // The points paid are back, the points earned taken back.
    expect((await svc.api('GET', `/api/v1/cards/${scanned.cardNumber}`)).body.balance).toBe(500);
  });

  it('offline, queues two earn-only purchases and delivers each exactly once when the network returns', async () => {
    await page.locator('nav button').first().click();
    await page.waitForSelector('#card-number');
    await context.setOffline(true);
    // The emulation reaches the page a moment later: nothing may be rung up before it has.
    await page.waitForFunction('!navigator.onLine');
    for (const amount of ['100', '250']) {
      // The scan screen listens once it is there; a focused button stays unpressed (the Enter is the scan's).
      await page.waitForSelector('#card-number');
      await page.locator('nav button').nth(2).focus();
      await page.keyboard.type(typed.barcode, { delay: 5 });
      await page.keyboard.press('Enter');
      await page.waitForSelector('[data-testid=offline]');
      await page.fill('#amount', amount);
      await page.click('#record');
      await page.waitForSelector('[data-testid=queued]');
      await page.locator('.result button').click();
    }
    expect(await page.getByTestId('waiting').textContent()).toBe('Ждут отправки: 2');
    // The app opens without a network too (the service worker's copy), with its queue.
    await page.reload();
    await page.waitForSelector('header .where');
    expect(await page.locator('header .where strong').textContent()).toBe('Арбат');
    expect(await page.getByTestId('waiting').textContent()).toBe('Ждут отправки: 2');
    await shot('offline');
    expect((await transactions(typed)).filter((e) => e.kind === 'earn')).toEqual([]);
    await context.setOffline(false);
    await page.waitForSelector('[data-testid=waiting]', { state: 'detached', timeout: 15_000 });
    const earned = (await transactions(typed)).filter((e) => e.kind === 'earn');
    expect(earned.map((e) => [e.amount, e.points, e.cashier]).sort()).toEqual([
      ['100.00', 10, 'Анна'],
      ['250.00', 25, 'Анна'],
    ]);
    // Sending again (the next tick, a reload) changes nothing.
    await page.reload();
    await page.waitForSelector('header .where');
    await new Promise((r) => setTimeout(r, 1000));
    expect((await transactions(typed)).filter((e) => e.kind === 'earn')).toHaveLength(2);
  });

  it('shows the store’s join QR for a new customer, and runs as an installable app', async () => {
    await page.locator('nav button').nth(2).click();
    const qr = page.getByTestId('join-qr');
    await qr.waitFor();
    await page.waitForFunction(() => (globalThis as any).document.querySelector('[data-testid=join-qr]')?.naturalWidth > 0);
    await shot('newcard');
    const manifest = await (await fetch(`${svc.url}/till/manifest.webmanifest`)).json();
    expect(manifest).toMatchObject({ start_url: '/till/', display: 'standalone' });
    const res = await fetch(`${svc.url}/till/`);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(res.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    expect(await page.evaluate(async () => (await (globalThis as any).navigator.serviceWorker.getRegistration('/till/'))?.scope)).toBe(`${svc.url}/till/`);
  });

  it('issues a card at the counter: the phone typed, the code read out by the customer', async () => {
    await page.fill('#new-name', 'Нина');
    await page.fill('#new-phone', '+7 916 555-77-88');
    await page.check('#new-pd');
    await page.click('#send-code');
    await page.waitForSelector('#new-code');
    const line = logs
      .records()
      .filter((r) => r.sms?.to?.endsWith('88'))
      .at(-1);
    await page.fill('#new-code', /\b(\d{6})\b/.exec(line.sms.text)![1]!);
    await shot('enrol-code');
    await page.click('#confirm-code');
    await page.waitForSelector('[data-testid=issued]');
    expect(await page.getByTestId('issued').textContent()).toMatch(/^Карта выдана: Нина · •••• \d{4}$/);
    await page.locator('.result button').click();
    await page.waitForFunction(() => (globalThis as any).document.querySelector('[data-testid=first-name]')?.textContent === 'Нина');
  });

  it("asks for a store manager's PIN for a refund above the program's limit", async () => {
    // A manager with a PIN (as they would set it on /staff/me), and a limit of 100.
    const store = (await svc.api('GET', '/api/v1/stores?program=cafe')).body.items[0];
    const boss = await signedInStaff(svc, { email: 'boss@cafe.example', name: 'Борис', role: 'store_manager', storeId: store.id });
    const { cookie } = boss;
    const origin = new URL(svc.url).origin;
    await fetch(`${svc.url}/api/v1/staff/me/pin`, { method: 'POST', headers: { cookie, origin, 'content-type': 'application/json' }, body: '{"pin":"2468"}' });
    await svc.api('PATCH', '/api/v1/programs/cafe', { refundApprovalAbove: '100' });

    await page.locator('nav button').nth(1).click();
    const row = page.locator('.purchases button:not([disabled])').first();
    await row.waitFor();
    await row.click();
    await page.click('#do-refund');
    await page.waitForSelector('#manager-pin');
    expect(await page.locator('#manager option').first().textContent()).toBe('Борис');
    await page.fill('#manager-pin', '2468');
    await shot('refund-approval');
    await page.click('#do-refund');
    await page.waitForSelector('[data-testid=refunded]');
    const approved = await svc.services.db.selectFrom('purchases').select('refund_approved_by').where('refund_approved_by', 'is not', null).execute();
    expect(approved).toEqual([{ refund_approved_by: `staff:${boss.id}` }]);
  });
});
