/**
 * Issue 14's seven findings, each as it was reproduced, now failing to reproduce: consent only its
 * owner changes, a verified phone before a card, one answer for members and strangers, SMS budgets
 * in the database, no bearer links for a known phone, revocation that revokes the pass, and erasure
 * that erases (plus the CSRF, log-masking and gateway-echo leaks).
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppleStandIn } from './support/apple-stand-in.js';
import type { FakeApns } from './support/fake-apns.js';
import { captureLogs } from './support/logs.js';
import { cardRow, countRows, createProgramWithStores, enrol, issueKey } from './support/fixtures.js';
import { startTestService, type TestService } from './support/test-service.js';
import { waitUntil } from './support/wait.js';
import { startSmsGateway, type SmsGateway } from './support/sms-gateway.js';
import { addressBucket } from '../src/loyalty/cards/phone-verification.js';

const PTID = 'pass.test.trust';
const onPostgres = process.env.DATABASE_URL ? it : ((() => undefined) as unknown as typeof it);

let svc: TestService;
let apns: FakeApns;
let dataDir: string;
let tillKey: string;
let marketerKey: string;
const logs = captureLogs();
/** The SMS gateway stand-in: what it received; `echo` makes it refuse and echo the message back. */
let sms: SmsGateway;
let ipSeq = 1;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'wl-trust-'));
  const standIn = await startAppleStandIn(dataDir, { passTypeIdentifier: PTID, teamIdentifier: 'TRUSTTEAM1' });
  apns = standIn.apns;
  sms = await startSmsGateway();
  svc = await startTestService(
    {
      ...standIn.env,
      ...sms.env,
      SMS_MAX_PER_PHONE_PER_DAY: '20',
      SMS_MAX_PER_KEY_PER_HOUR: '1000',
      LOG_LEVEL: 'info',
    },
    { logger: logs.logger },
  );
  const { stores } = await createProgramWithStores(svc, 'shop', { welcomeBonus: 100 });
  await createProgramWithStores(svc, 'open', { welcomeBonus: 100, verifyPhone: false });
  tillKey = await issueKey(svc, 'pos', stores[0].id);
  marketerKey = await issueKey(svc, 'marketer');
});

afterAll(async () => {
  await svc?.stop();
  await apns?.close();
  await sms?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const db = () => svc.services.db;
const form = (program: string, fields: Record<string, string>, headers: Record<string, string> = {}, suffix = '') =>
  fetch(`${svc.url}/join/${program}${suffix}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': `10.1.0.${ipSeq++}`, 'accept-language': 'en', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
const fields = (phone: string, extra: Record<string, string> = {}) => ({ name: 'Olga', phone, consentPersonal: 'yes', ...extra });
/** The verified join: form, then the code texted to the phone. */
async function join(program: string, phone: string, extra: Record<string, string> = {}, headers: Record<string, string> = {}) {
  const first = await form(program, fields(phone, extra), headers);
  expect(first.status).toBe(303);
  const step = first.headers.get('location')!;
  const res = await fetch(svc.url + step, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': `10.2.0.${ipSeq++}`, ...headers },
    body: new URLSearchParams({ code: sms.lastCodeTo(phone)! }).toString(),
  });
  expect(res.status).toBe(303);
  return res.headers.get('location')!;
}
const customerOf = (phone: string) => db().selectFrom('customers').selectAll().where('phone', '=', phone).executeTakeFirst();

describe('1. consent belongs to the customer', () => {
  it('an anonymous form with a member’s phone changes nothing, ticked or not, with or without the code step', async () => {
    for (const program of ['shop', 'open']) {
      const phone = `+7916100000${program === 'shop' ? 1 : 2}`;
      const member = await enrol(svc, { program, phone, marketing: false });
      const before = await db().selectFrom('consents').selectAll().where('customer_id', '=', member.customerId).execute();
      await form(program, fields(phone, { consentMarketing: 'yes' }));
      expect((await customerOf(phone))!.marketing_consent).toBe(false);
      await db().updateTable('customers').set({ marketing_consent: true }).where('id', '=', member.customerId).execute();
      await form(program, fields(phone)); // unticked
      expect((await customerOf(phone))!.marketing_consent).toBe(true);
      await db().updateTable('customers').set({ marketing_consent: false }).where('id', '=', member.customerId).execute();
      expect(await db().selectFrom('consents').selectAll().where('customer_id', '=', member.customerId).execute()).toEqual(before);
    }
  });

  it('a till or marketer enrolling a known phone leaves its consent as it is', async () => {
    const phone = '+79161000003';
    const member = await enrol(svc, { program: 'shop', phone, marketing: true });
    for (const key of [tillKey, marketerKey]) {
      const res = await svc.api(
        'POST',
        '/api/v1/cards',
        { program: 'shop', customer: { name: 'X', phone }, consent: { personalData: true, marketing: false } },
        key,
      );
      expect(res.status).toBe(200);
    }
    expect((await customerOf(phone))!.marketing_consent).toBe(true);
    expect(await db().selectFrom('consents').select('kind').where('customer_id', '=', member.customerId).execute()).toHaveLength(2);
  });

  it('the phone’s proven owner may grant it; staff change it with their name on the record', async () => {
    const phone = '+79161000004';
    const member = await enrol(svc, { program: 'shop', phone, marketing: false });
    await join('shop', phone, { consentMarketing: 'yes' });
    expect((await customerOf(phone))!.marketing_consent).toBe(true);
    const res = await svc.api('PATCH', `/api/v1/customers/${member.customerId}`, { marketingConsent: false }, marketerKey);
    expect(res.status).toBe(200);
    const records = await db()
      .selectFrom('consents')
      .select(['granted', 'recorded_by'])
      .where('customer_id', '=', member.customerId)
      .where('kind', '=', 'marketing')
      .orderBy('id')
      .execute();
    const keyId = (await db().selectFrom('api_keys').select('id').where('name', 'like', 'marketer key%').executeTakeFirstOrThrow()).id;
    expect(records).toEqual([
      { granted: false, recorded_by: 'bootstrap' },
      { granted: true, recorded_by: 'customer' },
      { granted: false, recorded_by: keyId },
    ]);
  });
});

describe('1b. the card page is the customer’s own channel', () => {
  it('withdraws and grants marketing consent, recorded as the customer’s', async () => {
    const location = await join('shop', '+79161000005', { consentMarketing: 'yes' });
    const token = location.slice(3).split('?')[0]!;
    const shown = async () => (await (await fetch(`${svc.url}/c/${token}?lang=en`)).text()).match(/data-testid="marketing">([^<]+)</)![1];
    expect(await shown()).toBe('You receive offers and news.');
    const post = (marketing: string, headers: Record<string, string> = {}) =>
      fetch(`${svc.url}/c/${token}/marketing?lang=en`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: `marketing=${marketing}`,
      });
    expect((await post('no', { origin: 'https://evil.example' })).status).toBe(403);
    expect((await post('maybe')).status).toBe(400);
    expect((await post('no')).status).toBe(303);
    expect(await shown()).toBe('You do not receive offers or news.');
    const customer = (await customerOf('+79161000005'))!;
    expect(customer.marketing_consent).toBe(false);
    const last = await db()
      .selectFrom('consents')
      .select(['granted', 'source', 'recorded_by'])
      .where('customer_id', '=', customer.id)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(last).toEqual({ granted: false, source: 'card-page', recorded_by: 'customer' });
    expect((await fetch(`${svc.url}/c/${'x'.repeat(32)}/marketing`, { method: 'POST', body: 'marketing=yes' })).status).toBe(404);
  });
});

describe('2. no card without the phone', () => {
  it('anonymous posts for strangers’ numbers create nothing and give no points; the code opens a card with its bonus', async () => {
    const before = { customers: await countRows(svc, 'customers'), cards: await countRows(svc, 'cards'), ledger: await countRows(svc, 'ledger_entries') };
    for (let i = 0; i < 8; i++) expect((await form('shop', fields(`+791620000${String(i).padStart(2, '0')}`))).status).toBe(303);
    expect({ customers: await countRows(svc, 'customers'), cards: await countRows(svc, 'cards'), ledger: await countRows(svc, 'ledger_entries') }).toEqual(
      before,
    );
    // A wrong code, five tries, then the code no longer works, even the right one.
    const phone = '+79162000100';
    const step = (await form('shop', fields(phone))).headers.get('location')!;
    const tryCode = (code: string) =>
      fetch(svc.url + step, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `code=${code}` });
    const right = sms.lastCodeTo(phone)!;
    const wrong = right === '000000' ? '111111' : '000000';
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await tryCode(wrong)).status);
    expect(statuses).toEqual([400, 400, 400, 400, 410]);
    expect((await tryCode(right)).status).toBe(410);
    expect(await customerOf(phone)).toBeUndefined();
    // With the right code (asked anew): a card, and only now the welcome bonus.
    const card = await join('shop', phone);
    const row = await db().selectFrom('cards').selectAll().where('link_token', '=', card.slice(3).split('?')[0]!).executeTakeFirstOrThrow();
    expect(row.balance).toBe(100);
    // The code works once.
    expect((await tryCode(sms.lastCodeTo(phone)!)).status).toBe(410);
  });

  it('parallel guesses cannot exceed five tries', async () => {
    const phone = '+79162000101';
    const step = (await form('shop', fields(phone))).headers.get('location')!;
    const guesses = Array.from({ length: 20 }, (_, i) => String(100000 + i));
    const answers = await Promise.all(
      guesses.map((code) =>
        fetch(svc.url + step, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `code=${code}` }),
      ),
    );
    expect(answers.filter((r) => r.status === 400 || r.status === 303).length).toBeLessThanOrEqual(5);
    const row = await db().selectFrom('phone_verifications').select('attempts').where('phone', '=', phone).executeTakeFirst();
    expect(row?.attempts ?? 5).toBeLessThanOrEqual(5);
  });
});

describe('3. the form tells nobody who is a member', () => {
  it('answers a member’s phone and a stranger’s alike', async () => {
    await enrol(svc, { program: 'shop', phone: '+79163000001' });
    const member = await form('shop', fields('+79163000001'));
    const stranger = await form('shop', fields('+79163000002'));
    expect([member.status, stranger.status]).toEqual([303, 303]);
    const shape = (location: string) => location.replace(/verify\/[A-Za-z0-9_-]{24}/, 'verify/ID');
    expect(shape(member.headers.get('location')!)).toBe(shape(stranger.headers.get('location')!));
    const page = async (r: Response) =>
      (await (await fetch(svc.url + r.headers.get('location')!)).text()).replace(/verify\/[A-Za-z0-9_-]{24}/g, 'ID').replace(/\+7916\*+\d\d/, 'PHONE');
    expect(await page(member)).toBe(await page(stranger));
  });
});

describe('4. SMS pumping', () => {
  it('a burst of 60 posts from one address sends at most 10 sms.texts; other customers still get theirs', async () => {
    const sent = sms.texts.length;
    const statuses = [];
    for (let i = 0; i < 60; i++)
      statuses.push((await form('shop', fields(`+79164${String(i).padStart(6, '0')}`), { 'x-forwarded-for': '203.0.113.7' })).status);
    expect(sms.texts.length - sent).toBeLessThanOrEqual(10);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(50);
    // The refusal is honest and says when to try again.
    const refused = await form('shop', fields('+79164999999'), { 'x-forwarded-for': '203.0.113.7' });
    expect(refused.status).toBe(429);
    expect(await refused.text()).toMatch(/Please try again in (a few|\d+) min/);
    // A real member on another network is not starved by it.
    expect((await form('shop', fields('+79164888888'))).status).toBe(303);
    expect(sms.lastCodeTo('+79164888888')).toMatch(/^\d{6}$/);
  });

  it('numbers outside the program’s countries are refused before any text', async () => {
    const sent = sms.texts.length;
    for (const phone of ['+12025550123', '+881631234567', '+882161234567', '+37491123456', '+2348031234567']) {
      const res = await form('shop', fields(phone));
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('only to numbers of the program’s country');
    }
    expect(sms.texts.length).toBe(sent);
    // A program may allow more countries.
    await svc.api('PATCH', '/api/v1/programs/shop', { phoneRegions: ['RU', 'AM'] });
    expect((await form('shop', fields('+37491123456'))).status).toBe(303);
    expect((await svc.api('PATCH', '/api/v1/programs/shop', { phoneRegions: ['ru'] })).body.errors[0].field).toBe('phoneRegions.0');
    await svc.api('PATCH', '/api/v1/programs/shop', { phoneRegions: null });
  });

  it('a text that does not go out leaves the code the customer holds working', async () => {
    const phone = '+79164666666';
    const first = await form('shop', fields(phone));
    const held = sms.lastCodeTo(phone)!;
    sms.echo = true;
    expect((await form('shop', fields(phone))).status).toBe(429);
    sms.echo = false;
    const res = await fetch(svc.url + first.headers.get('location')!, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': `10.3.0.${ipSeq++}` },
      body: `code=${held}`,
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/^\/c\//);
  });

  it('a code that did not go out can be sent again; not sooner than 30 s, at most three times', async () => {
    const phone = '+79164777777';
    sms.echo = true;
    const first = await form('shop', fields(phone));
    sms.echo = false;
    expect(first.status).toBe(429);
    const retry = await form('shop', fields(phone));
    expect(retry.status).toBe(303);
    const step = retry.headers.get('location')!.split('?')[0]!;
    const resend = await fetch(`${svc.url}${step}/resend?lang=en`, { method: 'POST', redirect: 'manual' });
    expect(resend.status).toBe(429);
    expect(await resend.text()).toMatch(/new code in \d+ s/);
  });

  onPostgres('the budgets hold across two processes sharing the database', async () => {
    const second = await startTestService({ ...sms.env, SMS_MAX_PER_KEY_PER_HOUR: '1000' }, { shareSchemaWith: svc });
    try {
      const sent = sms.texts.length;
      const posts = Array.from({ length: 40 }, (_, i) =>
        fetch(`${(i % 2 ? svc : second).url}/join/shop`, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '203.0.113.99' },
          body: new URLSearchParams(fields(`+79165${String(i).padStart(6, '0')}`)).toString(),
        }),
      );
      await Promise.all(posts);
      expect(sms.texts.length - sent).toBe(10);
    } finally {
      await second.stop();
    }
  });
});

describe('5. a known phone’s links go to the phone only', () => {
  it('a till enrolling a member gets the card without its links; the link is texted to the member', async () => {
    const phone = '+79165000001';
    const member = await enrol(svc, { program: 'shop', phone });
    const res = await svc.api('POST', '/api/v1/cards', { program: 'shop', customer: { name: 'Someone', phone }, consent: { personalData: true } }, tillKey);
    expect(res.status).toBe(200);
    expect(res.body.links).toEqual({ page: null, apple: null, google: null });
    const token = (await cardRow(svc, member.cardNumber)).link_token;
    expect(JSON.stringify(res.body)).not.toContain(token);
    expect(sms.texts.at(-1)).toMatchObject({ to: phone, text: expect.stringContaining(`/c/${token}`) });
  });
});

describe('6. revoking the link revokes the pass', () => {
  it('the old pass token neither fetches the pass nor registers a device; its devices are forgotten', async () => {
    const card = await enrol(svc, { program: 'shop' });
    const old = await cardRow(svc, card.cardNumber);
    const ws = (p: string) => `${svc.url}/wallet/apple/v1${p}`;
    const register = (device: string, token: string) =>
      fetch(ws(`/devices/${device}/registrations/${PTID}/${card.serialNumber}`), {
        method: 'POST',
        headers: { authorization: `ApplePass ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ pushToken: 'cd'.repeat(32) }),
      });
    expect((await register('phone-of-owner', old.auth_token)).status).toBe(201);
    const revoked = await svc.api('POST', `/api/v1/cards/${card.cardNumber}/link/revoke`, {}, marketerKey);
    expect(revoked.status).toBe(200);
    const fresh = await cardRow(svc, card.cardNumber);
    expect(fresh.auth_token).not.toBe(old.auth_token);
    expect(await db().selectFrom('apple_registrations').selectAll().where('card_id', '=', old.id).execute()).toEqual([]);
    expect((await fetch(ws(`/passes/${PTID}/${card.serialNumber}`), { headers: { authorization: `ApplePass ${old.auth_token}` } })).status).toBe(401);
    expect((await register('phone-of-thief', old.auth_token)).status).toBe(401);
    expect((await fetch(ws(`/passes/${PTID}/${card.serialNumber}`), { headers: { authorization: `ApplePass ${fresh.auth_token}` } })).status).toBe(200);
    // `pass: false` changes only the link.
    await svc.api('POST', `/api/v1/cards/${card.cardNumber}/link/revoke`, { pass: false }, marketerKey);
    expect((await cardRow(svc, card.cardNumber)).auth_token).toBe(fresh.auth_token);
  });
});

describe('7. erasure erases', () => {
  it('leaves neither the phone (in any format), the name, nor its hash in any table', async () => {
    const phone = '+79167123456';
    const name = 'Zinaida Uniquename';
    const location = await join('shop', phone, { name, consentMarketing: 'yes' });
    const row = await db().selectFrom('cards').selectAll().where('link_token', '=', location.slice(3).split('?')[0]!).executeTakeFirstOrThrow();
    const card = { cardNumber: row.card_number, serialNumber: row.serial_number };
    // Everything that keeps a trace: a device, a subscription, a text, a ledger reason, a message.
    await fetch(`${svc.url}/wallet/apple/download/${row.link_token}`);
    await fetch(`${svc.url}/wallet/apple/v1/devices/dev-erase/registrations/${PTID}/${card.serialNumber}`, {
      method: 'POST',
      headers: { authorization: `ApplePass ${row.auth_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ pushToken: 'ef'.repeat(32) }),
    });
    await svc.api('POST', '/api/v1/restock-subscriptions', { cardNumber: card.cardNumber, sku: 'COAT', title: `Coat for ${name}` });
    await svc.api('POST', `/api/v1/cards/${card.cardNumber}/sms`, {});
    await svc.api('POST', `/api/v1/cards/${card.cardNumber}/points`, { points: 5, reason: `Sorry, ${name}` }, undefined, { 'idempotency-key': randomUUID() });
    await svc.api('POST', `/api/v1/cards/${card.cardNumber}/message`, { text: `Hello ${name}` });
    await form('shop', fields(phone)); // a pending code
    await svc.services.jobs.drain();

    const pushesBefore = apns.requests.filter((r) => r.token === 'ef'.repeat(32)).length;
    expect((await svc.api('DELETE', `/api/v1/customers/${row.customer_id}`)).status).toBe(204);
    // The voided pass is pushed to the phone (which then fetches it), and only then are its devices forgotten.
    await waitUntil(async () => (await db().selectFrom('apple_registrations').select('card_id').where('card_id', '=', row.id).execute()).length === 0);
    expect(apns.requests.filter((r) => r.token === 'ef'.repeat(32)).length).toBe(pushesBefore + 1);

    const needles = [
      phone,
      phone.slice(1),
      phone.slice(2),
      '916 712',
      '9167123456',
      'Zinaida',
      'Uniquename',
      svc.services.phoneHash.hex(phone),
      createHash('sha256').update(phone).digest('hex'),
    ];
    const tables = (
      await sql<{
        t: string;
      }>`select table_name as t from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(db())
    ).rows.map((r) => r.t);
    expect(tables.length).toBeGreaterThan(25);
    const found: string[] = [];
    for (const t of tables) {
      const rows = (await sql<{ r: string }>`select t::text as r from ${sql.table(t)} t`.execute(db())).rows;
      for (const r of rows) for (const n of needles) if (r.r.includes(n)) found.push(`${t}: ${n}`);
    }
    expect(found).toEqual([]);
    expect(await db().selectFrom('restock_subscriptions').select('status').where('card_id', '=', row.id).execute()).toEqual([{ status: 'cancelled' }]);
  });
});

describe('the other leaks', () => {
  it('refuses cross-site posts of the join and unsubscribe forms', async () => {
    const before = sms.texts.length;
    expect((await form('shop', fields('+79168000001'), { origin: 'https://evil.example' })).status).toBe(403);
    expect((await form('shop', fields('+79168000001'), { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    const unsub = await fetch(`${svc.url}/restock/unsubscribe/whatever`, { method: 'POST', headers: { origin: 'https://evil.example' } });
    expect(unsub.status).toBe(403);
    expect(sms.texts.length).toBe(before);
    // Our own pages still post.
    expect((await form('shop', fields('+79168000001'), { origin: svc.url, 'sec-fetch-site': 'same-origin' })).status).toBe(303);
  });

  it('masks personal links in the request log whatever their letter case', async () => {
    const card = await enrol(svc, { program: 'shop' });
    const token = (await cardRow(svc, card.cardNumber)).link_token;
    await fetch(`${svc.url}/C/${token}`);
    await fetch(`${svc.url}/WALLET/APPLE/DOWNLOAD/${token}`);
    expect(logs.lines.join('\n')).not.toContain(token);
  });

  it('keeps the message (its link) out of logs and answers when a gateway echoes it', async () => {
    const card = await enrol(svc, { program: 'shop' });
    const token = (await cardRow(svc, card.cardNumber)).link_token;
    sms.echo = true;
    const res = await svc.api('POST', `/api/v1/cards/${card.cardNumber}/sms`, {});
    sms.echo = false;
    expect(res.status).toBe(502);
    expect(JSON.stringify(res.body)).not.toContain(token);
    expect(logs.lines.join('\n')).not.toContain(token);
    const stored = await db().selectFrom('sms_messages').select('error').where('status', '=', 'failed').execute();
    expect(JSON.stringify(stored)).not.toContain(token);
  });
});

describe('address budgets', () => {
  it('count an IPv6 host by its /64 (it holds all of it), an IPv4 one by its address', () => {
    expect(addressBucket('203.0.113.7')).toBe('203.0.113.7');
    expect(addressBucket('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressBucket('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressBucket('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(addressBucket('2001:db8::5')).toBe('2001:db8:0:0::/64');
  });
});
