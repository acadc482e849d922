import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, createProgram, createStore, enrolRequest } from './support/fixtures.js';
import { startTestService, type TestService } from './support/test-service.js';
import { startSmsGateway, type SmsGateway } from './support/sms-gateway.js';
import { normalizePhone } from '../src/platform/shared/phone.js';

const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1';
const ANDROID = 'Mozilla/5.0 (Linux; Android 15; Pixel 9) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36';
const DESKTOP = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';

let svc: TestService;
let storeId: string;
let ipSeq = 1;
/** The SMS gateway stand-in (what it received: sms.texts). */
let sms: SmsGateway;

beforeAll(async () => {
  sms = await startSmsGateway();
  svc = await startTestService(sms.env);
  await createProgram(svc, { slug: 'cafe', name: 'Café Latte', welcomeBonus: 150 });
  storeId = (await createStore(svc, 'cafe', { name: 'Main', latitude: 55.7, longitude: 37.6 })).id;
});
afterAll(async () => {
  await svc?.stop();
  await sms?.close();
});

/** Each test submits from its own client address, so the per-IP limit only bites where meant. */
function submit(fields: Record<string, string>, opts: { ip?: string; ua?: string; query?: string } = {}) {
  return fetch(`${svc.url}/join/cafe${opts.query ?? ''}`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-forwarded-for': opts.ip ?? `10.0.0.${ipSeq++}`,
      'accept-language': 'en',
      ...(opts.ua && { 'user-agent': opts.ua }),
    },
    body: new URLSearchParams(fields).toString(),
  });
}
/**
 * The whole join: the form, then the code texted to the phone (the gateway stand-in's last text to
 * it). Answers the code step's response; a form that does not reach the code step answers as it is.
 */
async function join(fields: Record<string, string>, opts: { ip?: string; ua?: string; query?: string } = {}) {
  const first = await submit(fields, opts);
  if (first.status !== 303) return first;
  const step = first.headers.get('location')!;
  expect(step).toMatch(/^\/join\/cafe\/verify\/[A-Za-z0-9_-]{24}\?lang=en$/);
  const to = normalizePhone(fields.phone!, 'RU');
  const code = sms.lastCodeTo(to!)!;
  return fetch(svc.url + step, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': opts.ip ?? `10.0.0.${ipSeq++}`, 'accept-language': 'en' },
    body: new URLSearchParams({ code }).toString(),
  });
}
const valid = (phone: string, extra: Record<string, string> = {}) => ({ name: 'Olga', phone, birthday: '1991-02-03', consentPersonal: 'yes', ...extra });
const countCustomers = () => countRows(svc, 'customers');

describe('join page', () => {
  it('renders the form in the language the browser asks for, with a strict CSP', async () => {
    const ru = await fetch(`${svc.url}/join/cafe?src=qr&store=${storeId}`, { headers: { 'accept-language': 'ru-RU,ru;q=0.9,en;q=0.8' } });
    expect(ru.status).toBe(200);
    expect(ru.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(ru.headers.get('referrer-policy')).toBe('no-referrer');
    const page = await ru.text();
    expect(page).toContain('<html lang="ru">');
    expect(page).toContain('Получить карту');
    expect(page).toContain(`name="store" value="${storeId}"`);
    expect(page).toContain('name="src" value="qr"');
    expect(page).not.toMatch(/<input[^>]*name="consentMarketing"[^>]*checked/); // marketing is opt-in
    const en = await (await fetch(`${svc.url}/join/cafe?lang=en`, { headers: { 'accept-language': 'ru' } })).text();
    expect(en).toContain('Get my card');
    expect((await fetch(`${svc.url}/join/nope`)).status).toBe(404);
  });

  it('shows errors next to the fields, keeps what was typed, and creates nothing', async () => {
    const before = await countCustomers();
    const res = await submit({ name: 'Olga', phone: '12', birthday: '2999-01-01' });
    expect(res.status).toBe(400);
    const page = await res.text();
    expect(page).toContain('id="phone-error"');
    expect(page).toContain('id="birthday-error"');
    expect(page).toContain('id="consentPersonal-error"');
    expect(page).not.toContain('id="name-error"');
    expect(page).toContain('value="Olga"');
    expect(page).toContain('value="12"');
    expect(await countCustomers()).toBe(before);
  });

  it('creates the card, records the consents with source and store, and opens the card page', async () => {
    const res = await join({ ...valid('+7 916 700-00-01'), consentMarketing: 'yes', store: storeId, src: 'qr' });
    expect(res.status).toBe(303);
    const location = res.headers.get('location')!;
    expect(location).toMatch(/^\/c\/[A-Za-z0-9_-]{32}\?lang=en$/);
    const card = await svc.services.db
      .selectFrom('cards')
      .innerJoin('customers', 'customers.id', 'cards.customer_id')
      .select(['customers.id', 'customers.home_store_id', 'customers.marketing_consent', 'cards.balance'])
      .where('customers.phone', '=', '+79167000001')
      .executeTakeFirstOrThrow();
    expect(card).toMatchObject({ home_store_id: storeId, marketing_consent: true, balance: 150 });
    const consents = await svc.services.db
      .selectFrom('consents')
      .select(['kind', 'granted', 'source', 'store_id'])
      .where('customer_id', '=', card.id)
      .orderBy('id')
      .execute();
    expect(consents).toEqual([
      { kind: 'personal_data', granted: true, source: 'qr', store_id: storeId },
      { kind: 'marketing', granted: true, source: 'qr', store_id: storeId },
    ]);
    const cardPage = await (await fetch(svc.url + location, { headers: { 'user-agent': IPHONE } })).text();
    expect(cardPage).toContain('data-testid="balance">150<');
  });

  it('never shows a known phone’s card to whoever typed the number: the code texted to it opens it', async () => {
    const first = await join(valid('+79167000002'));
    const again = await submit(valid('+79167000002'));
    expect(again.status).toBe(303);
    const step = await (await fetch(svc.url + again.headers.get('location')!)).text();
    expect(step).toContain('Enter the code from the SMS');
    expect(step).not.toContain('/c/');
    // Whoever holds the phone gets the member's own card, not a second one.
    const owner = await join(valid('+79167000002'));
    expect(owner.headers.get('location')).toBe(first.headers.get('location'));
  });

  it('sms.texts the personal link on enrolment through the API when asked', async () => {
    const res = await enrolRequest(svc, { program: 'cafe', name: 'Ivan', phone: '+79167000020', extra: { sendSms: true, lang: 'en' } });
    expect(res.status).toBe(201);
    expect(res.body.sms).toMatchObject({ status: 'sent', segments: 1 });
    expect(sms.texts.at(-1)!.to).toBe('+79167000020');
    expect(sms.texts.at(-1)!.text).toMatch(/\/c\/[A-Za-z0-9_-]{32}/);
  });

  it('escapes what people type (no XSS)', async () => {
    const res = await join(valid('+79167000003', { name: '<script>alert(1)</script>' }));
    expect(res.status).toBe(303);
    const page = await (await fetch(svc.url + res.headers.get('location')!)).text();
    expect(page).not.toContain('<script>alert(1)</script>');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const form = await (await submit({ name: '"><img src=x onerror=alert(1)>', phone: 'x' })).text();
    expect(form).not.toContain('<img src=x');
    expect(form).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
  });

  it('rejects a filled honeypot without creating anything', async () => {
    const before = await countCustomers();
    const res = await submit(valid('+79167000004', { website: 'http://spam.example' }));
    expect(res.status).toBe(400);
    expect(await countCustomers()).toBe(before);
  });

  it('limits attempts per IP and per phone', async () => {
    let limited = 0;
    for (let i = 0; i < 35; i++) if ((await submit({ name: '', phone: '1' }, { ip: '10.9.9.9' })).status === 429) limited++;
    expect(limited).toBe(5); // 30 per window are served
    const phone = '+79167000005';
    const statuses = [];
    for (let i = 0; i < 7; i++) statuses.push((await submit(valid(phone))).status);
    // Three codes a day reach one phone (SMS_MAX_PER_PHONE_PER_DAY); then the page says it could not send.
    expect(statuses).toEqual([303, 303, 303, 429, 429, 429, 429]);
  });
});

describe('card page', () => {
  let path: string;
  beforeAll(async () => {
    path = (await join(valid('+79167000010'))).headers.get('location')!.split('?')[0]!;
  });

  it('offers Apple Wallet on an iPhone, Google on Android, both and a QR on a desktop', async () => {
    const ios = await (await fetch(svc.url + path, { headers: { 'user-agent': IPHONE } })).text();
    expect(ios).toContain('data-device="ios"');
    expect(ios).toContain('class="wallet apple"');
    expect(ios).not.toContain('desktop-qr');
    const android = await (await fetch(svc.url + path, { headers: { 'user-agent': ANDROID } })).text();
    expect(android).toContain('data-device="android"');
    expect(android).not.toContain('class="wallet apple"');
    const desktop = await (await fetch(svc.url + path, { headers: { 'user-agent': DESKTOP } })).text();
    expect(desktop).toContain('class="wallet apple"');
    expect(desktop).toContain('class="desktop-qr"><svg');
  });

  it('is private: no caching, no referrer, 404 for an unknown or revoked token', async () => {
    const res = await fetch(svc.url + path);
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect((await fetch(`${svc.url}/c/${'x'.repeat(32)}`)).status).toBe(404);
  });

  it('can be revoked: the old link stops working, the new one works', async () => {
    const card = await svc.services.db.selectFrom('cards').select('card_number').where('link_token', '=', path.slice(3)).executeTakeFirstOrThrow();
    const revoked = await svc.api('POST', `/api/v1/cards/${card.card_number}/link/revoke`);
    expect(revoked.status).toBe(200);
    expect((await fetch(svc.url + path)).status).toBe(404);
    const fresh = revoked.body.links.apple.split('/').at(-1);
    expect((await fetch(`${svc.url}/c/${fresh}`)).status).toBe(200);
    expect((await fetch(`${svc.url}/wallet/apple/download/${path.slice(3)}`)).status).toBe(404);
    path = `/c/${fresh}`;
  });
});
