/**
 * The marketer console in real Chromium, on a laptop screen: a marketer of one program signs in and
 * sees only that program; the overview's figures are the API's; a customer is found by a phone typed
 * another way; the composer's count is the API's preview for the same conditions; a campaign sent
 * from the console reaches the Apple stand-in and its page shows it delivered.
 * Screenshots: test-artifacts/screenshots/console-*.png.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH } from '../../vitest.config.js';
import { startAppleStandIn } from '../support/apple-stand-in.js';
import type { FakeApns } from '../support/fake-apns.js';
import { cardRow, createProgram, createStore, enrol, issueKey, signedInStaff, tillPurchase, type EnrolledCard } from '../support/fixtures.js';
import { startTestService, type TestService } from '../support/test-service.js';

const ARTIFACTS = path.resolve(import.meta.dirname, '../../test-artifacts/screenshots');
const PASS_TYPE_ID = 'pass.test.console';
const PASSWORD = 'correct horse battery staple';

let svc: TestService;
let apns: FakeApns;
let dataDir: string;
let browser: Browser;
let page: Page;
let olga: EnrolledCard;
let nina: EnrolledCard;

const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `console-${name}.png`), fullPage: true });

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  dataDir = mkdtempSync(path.join(tmpdir(), 'wl-console-'));
  const standIn = await startAppleStandIn(dataDir, { passTypeIdentifier: PASS_TYPE_ID, teamIdentifier: 'CONSOLE001' });
  apns = standIn.apns;
  svc = await startTestService({ ...standIn.env, JOB_POLL_MS: '50' });
  await createProgram(svc, { slug: 'shop', name: 'Лавка', timezone: 'UTC', welcomeBonus: 100, earnPercent: 10 });
  await createProgram(svc, { slug: 'secret', name: 'Чужая программа', timezone: 'UTC' });
  const store = await createStore(svc, 'shop', { name: 'Арбат', latitude: 55.75, longitude: 37.59 });
  const pos = await issueKey(svc, 'pos', store.id);
  olga = await enrol(svc, { program: 'shop', name: 'Ольга Иванова', phone: '+79161112233', marketing: true });
  const petr = await enrol(svc, { program: 'shop', name: 'Пётр', phone: '+79164445566', marketing: true });
  nina = await enrol(svc, { program: 'shop', name: 'Нина', phone: '+79167778899' });
  await enrol(svc, { program: 'secret', name: 'Тайна', phone: '+79160000000' });
  await tillPurchase(svc, pos, olga.barcode, 1000);
  await tillPurchase(svc, pos, olga.barcode, 500);
  await tillPurchase(svc, pos, petr.barcode, 300);
  const subscribed = await svc.api('POST', '/api/v1/restock-subscriptions', { cardNumber: olga.cardNumber, sku: 'coat-1', title: 'Пальто', size: 'M' });
  expect(subscribed.status).toBe(201);
  // Olga's pass is on an iPhone.
  const { auth_token } = await cardRow(svc, olga.cardNumber);
  const registered = await fetch(`${svc.url}/wallet/apple/v1/devices/iphone-1/registrations/${PASS_TYPE_ID}/${olga.serialNumber}`, {
    method: 'POST',
    headers: { authorization: `ApplePass ${auth_token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ pushToken: createHash('sha256').update('iphone-1').digest('hex') }),
  });
  expect(registered.status).toBe(201);

  // The marketer of "shop" only: invited, sets a password on the one-time page.
  const invited = await svc.api('POST', '/api/v1/staff', { email: 'mila@shop.example', name: 'Мила', role: 'marketer', programs: ['shop'] });
  expect(invited.status, JSON.stringify(invited.body)).toBe(201);
  const set = await fetch(svc.url + new URL(invited.body.invitation.url).pathname, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: svc.url },
    body: new URLSearchParams({ password: PASSWORD, repeat: PASSWORD }).toString(),
  });
  expect(set.status).toBe(303);

  browser = await chromium.launch({ executablePath: CHROMIUM_PATH!, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ru-RU' });
  page = await context.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await svc?.stop();
  await apns?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('the marketer console', () => {
  it('sends a signed-out marketer to the sign-in and back; offers only the marketer’s program', async () => {
    const served = await fetch(`${svc.url}/console/`);
    expect(served.status).toBe(200);
    expect(served.headers.get('permissions-policy')).toBe('camera=(), microphone=(), geolocation=()');
    expect(served.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(served.headers.get('cache-control')).toBe('no-cache');
    expect((await fetch(`${svc.url}/till/`)).headers.get('permissions-policy')).toBe('camera=(self), microphone=(), geolocation=()');
    await page.goto(`${svc.url}/console`);
    await page.waitForURL(/\/login\?next=\/console/);
    await page.fill('#email', 'mila@shop.example');
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL(/\/console\/?$/), page.click('button[type=submit]')]);
    await page.waitForSelector('[data-testid=purchases]');
    expect(await page.locator('#program option').allTextContents()).toEqual(['Лавка']);
  });

  it('shows the overview with the API’s figures for the same period', async () => {
    const from = await page.inputValue('#from');
    const to = await page.inputValue('#to');
    const api = (await svc.api('GET', `/api/v1/programs/shop/analytics?from=${from}&to=${to}&groupBy=day`)).body.totals;
    const text = async (id: string) => (await page.getByTestId(id).textContent())!.replace(/\s/g, ' ');
    expect(await text('cards-issued')).toBe(String(api.cardsIssued.total));
    expect(api.cardsIssued.total).toBe(3);
    expect(await text('purchases')).toBe(String(api.purchases));
    expect(api.purchases).toBe(3);
    expect(await text('active-customers')).toBe('2');
    expect(await text('repeat-rate')).toBe('50 %');
    expect(await text('in-apple')).toBe('1');
    expect(await text('liability')).toBe(String(api.points.liabilityAtEnd));
    expect(await page.locator('figure.chart').count()).toBe(3);
    await shot('overview');
  });

  it('finds a customer by a phone typed another way and opens the card', async () => {
    await page.click('nav a[href="#/customers"]');
    await page.waitForSelector('[data-testid=customer-row]');
    await page.fill('#search', '8 (916) 111-22-33');
    await page.press('#search', 'Enter');
    await expect.poll(() => page.locator('[data-testid=customer-row]').count()).toBe(1);
    expect(await page.locator('[data-testid=customer-row] td').nth(1).textContent()).toBe('Ольга Иванова');
    expect(await page.locator('[data-testid=customer-row] td').nth(2).textContent()).toBe('+7916*****33');
    await shot('customers');
    await page.click(`a[href="#/customers/${olga.cardNumber}"]`);
    await page.waitForSelector('[data-testid=card-balance]');
    const card = (await svc.api('GET', `/api/v1/cards/${olga.cardNumber}`)).body;
    expect(await page.getByTestId('card-balance').textContent()).toBe(String(card.balance));
    // Points granted with a reason: the balance moves, and the ledger says why.
    await page.fill('#points', '25');
    await page.fill('#reason', 'Извинение за ожидание');
    await page.click('form[aria-label="Начислить или списать"] button[type=submit]');
    await expect.poll(() => page.getByTestId('card-balance').textContent()).toBe(String(card.balance + 25));
    await page.fill('#card-message', 'Ваш заказ готов');
    await page.press('#card-message', 'Enter');
    await expect.poll(() => page.getByTestId('card-message-now').textContent()).toBe('Ваш заказ готов');
    await shot('customer');
  });

  it('composes a campaign whose count is the API’s preview, sends it, and shows it delivered', async () => {
    await page.click('nav a[href="#/campaigns"]');
    await page.click('a[href="#/campaigns/new"]');
    await page.fill('#active-within', '30');
    const preview = (await svc.api('POST', '/api/v1/segments/preview', { program: 'shop', audience: { activeWithinDays: 30 } })).body;
    expect(preview).toMatchObject({ count: 2, withoutConsent: 0 });
    await expect.poll(() => page.getByTestId('audience-count').textContent()).toContain(`: ${preview.count} `);
    await page.fill('#message', 'Двойные баллы до воскресенья');
    await expect.poll(() => page.locator('.lock p').textContent()).toBe('Двойные баллы до воскресенья');
    // First on a test card (Nina's, who has no marketing consent: a message to one card is the marketer's own act).
    await page.fill('#test-card', nina.cardNumber);
    await page.click('#send-test');
    await expect.poll(() => page.getByTestId('test-notice').textContent()).toBe(`Сообщение на карте ${nina.cardNumber}`);
    expect((await svc.api('GET', `/api/v1/cards/${nina.cardNumber}`)).body.message).toBe('Двойные баллы до воскресенья');
    await shot('composer');
    const pushesBefore = apns.requests.length;
    await page.click('#send');
    await page.waitForURL(/#\/campaigns\/[0-9a-f-]{36}$/);
    await expect.poll(() => page.getByTestId('campaign-status').textContent(), { timeout: 20_000 }).toBe('завершена');
    await expect.poll(() => page.getByTestId('delivered-apple').textContent(), { timeout: 20_000 }).toBe('1');
    expect(await page.getByTestId('campaign-targeted').textContent()).toBe('2');
    expect(await page.getByTestId('campaign-sent').textContent()).toBe('2');
    await apns.waitFor((requests) => requests.length > pushesBefore);
    await shot('campaign');
    const id = new URL(page.url()).hash.split('/')[2]!;
    const api = (await svc.api('GET', `/api/v1/campaigns/${id}`)).body;
    expect(api).toMatchObject({ message: 'Двойные баллы до воскресенья', status: 'completed', audience: { activeWithinDays: 30 } });
    await page.click('a[href="#/campaigns"]');
    await page.waitForSelector('[data-testid=campaign-row]');
    expect(await page.locator('[data-testid=campaign-row]').count()).toBe(1);
  });

  it('sets up the birthday message as a marketer', async () => {
    await page.click('nav a[href="#/automations"]');
    await page.waitForSelector('[data-testid=automation-birthday]');
    expect(await page.isChecked('#birthday-on')).toBe(false);
    await page.check('#birthday-on');
    await page.fill('#birthday-text', 'С днём рождения! Дарим 300 баллов');
    await page.fill('#birthday-bonus', '300');
    await page.fill('#birthday-holdout', '10');
    await page.click('#birthday-save');
    await expect.poll(() => page.getByTestId('birthday-notice').textContent()).toBe('Сохранено');
    expect((await svc.api('GET', '/api/v1/programs/shop')).body.birthdayAutomation).toEqual({
      daysBefore: 0,
      sendHour: 10,
      bonusPoints: 300,
      text: 'С днём рождения! Дарим 300 баллов',
      holdoutPercent: 10,
    });
    await shot('automations');
  });

  it('shows the team page to a brand admin (invites a marketer); a marketer is told it is not theirs', async () => {
    await page.click('nav a[href="#/team"]');
    await expect.poll(() => page.locator('[role=alert]').count()).toBe(1);
    const admin = await signedInStaff(svc, { email: 'boss@shop.example', name: 'Босс', role: 'brand_admin' });
    const [name, value] = admin.cookie.split('=') as [string, string];
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ru-RU' });
    await context.addCookies([{ name, value, url: svc.url }]);
    const adminPage = await context.newPage();
    await adminPage.goto(`${svc.url}/console/#/team`);
    await adminPage.waitForSelector('[data-testid=staff-row]');
    await adminPage.fill('#invite-email', 'lena@shop.example');
    await adminPage.fill('#invite-name', 'Лена');
    await adminPage.click('form[aria-label="Пригласить"] button[type=submit]');
    await expect.poll(() => adminPage.getByTestId('invitation').textContent()).toContain('/staff/welcome/');
    const people = (await svc.api('GET', '/api/v1/staff')).body.items;
    expect(people.find((p: any) => p.email === 'lena@shop.example')).toMatchObject({ role: 'marketer', programs: ['shop'], status: 'invited' });
    await expect.poll(() => adminPage.locator('[data-testid=staff-row]').count()).toBe(people.length);
    await adminPage.screenshot({ path: path.join(ARTIFACTS, 'console-team.png'), fullPage: true });
    // Another program's automations are its own: switching the program shows (and would save) those.
    await adminPage.click('nav a[href="#/automations"]');
    await adminPage.selectOption('#program', 'shop');
    await expect.poll(() => adminPage.inputValue('#birthday-text')).toBe('С днём рождения! Дарим 300 баллов');
    await adminPage.selectOption('#program', 'secret');
    await expect.poll(() => adminPage.inputValue('#birthday-text')).toBe('');
    expect(await adminPage.isChecked('#birthday-on')).toBe(false);
    await context.close();
  });

  it('shows who waits for an item and tells them it is back', async () => {
    await page.click('nav a[href="#/restock"]');
    await page.waitForSelector('[data-testid=restock-row]');
    expect((await page.locator('[data-testid=restock-row] td').allTextContents()).slice(0, 4)).toEqual(['Пальто coat-1', 'M', 'любой', '1']);
    await shot('restock');
    await page.click('[data-testid=restock-row] button');
    await expect.poll(() => page.getByTestId('restock-notice').textContent()).toBe('Сообщили 1 покупателям');
    await expect.poll(() => page.locator('[data-testid=restock-row]').count()).toBe(0);
    expect((await svc.api('GET', '/api/v1/restock-subscriptions/summary?program=shop')).body.items).toEqual([]);
  });
});
