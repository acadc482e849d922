import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeApns } from './support/fake-apns.js';
import { startAppleStandIn } from './support/apple-stand-in.js';
import { createTestServiceAccount, fakeGoogleEnv, startFakeGoogle, type FakeGoogle } from './support/fake-google.js';
import { waitUntil } from './support/wait.js';
import { cardRow, createProgram, createStore, enrol, issueKey, tillPurchase, savedToGoogleWallet } from './support/fixtures.js';
import { startTestService, type TestService } from './support/test-service.js';

const PASS_TYPE_ID = 'pass.test.campaigns';
const ISSUER = '3388000000044444444';
let svc: TestService;
let apns: FakeApns;
let google: FakeGoogle;
let dataDir: string;
const stores: string[] = [];

interface Member {
  cardNumber: string;
  serial: string;
  customerId: string;
  cardId: string;
  token: string;
  pushToken?: string;
}
const members: Record<string, Member> = {};

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'wl-campaigns-'));
  const standIn = await startAppleStandIn(dataDir, { passTypeIdentifier: PASS_TYPE_ID, teamIdentifier: 'TESTTEAM02' });
  apns = standIn.apns;
  const account = createTestServiceAccount();
  google = await startFakeGoogle({ serviceAccounts: [account] });
  svc = await startTestService({ ...standIn.env, ...fakeGoogleEnv(google, ISSUER, dataDir, account), JOB_POLL_MS: '50' });
  await createProgram(svc, {
    slug: 'shop',
    name: 'Shop',
    welcomeBonus: 10,
    marketingCaps: { perDay: 5, perWeek: 10 },
    tiers: [
      { name: 'Silver', minSpend: 0, earnPercent: 10 },
      { name: 'Gold', minSpend: 1000, earnPercent: 12 },
    ],
  });
  for (const name of ['A', 'B']) stores.push((await createStore(svc, 'shop', { name, latitude: 55, longitude: 37 })).id);
  const pos = await issueKey(svc, 'pos', stores[0]);

  // Six members: consent, tier, home store, birthday and wallets differ.
  const people = [
    { key: 'anna', consent: true, store: 0, birthday: '1990-03-10', gold: true, apple: true },
    { key: 'boris', consent: true, store: 1, birthday: '1985-03-11', gold: false, apple: true },
    { key: 'vera', consent: false, store: 0, birthday: '1992-03-10', gold: true, apple: true },
    { key: 'gleb', consent: true, store: 1, birthday: '1970-07-01', gold: false, apple: false },
    { key: 'dina', consent: true, store: 0, birthday: '2000-12-31', gold: false, apple: false },
    { key: 'egor', consent: false, store: 1, birthday: '1999-01-01', gold: false, apple: false },
  ];
  for (const [i, p] of people.entries()) {
    const enrolled = await enrol(svc, {
      program: 'shop',
      name: `${p.key[0]!.toUpperCase()}${p.key.slice(1)} Test`,
      phone: `+7916800000${i}`,
      birthday: p.birthday,
      marketing: p.consent,
      extra: { homeStoreId: stores[p.store] },
    });
    const card = await cardRow(svc, enrolled.cardNumber);
    members[p.key] = {
      cardNumber: enrolled.cardNumber,
      serial: enrolled.serialNumber,
      customerId: enrolled.customerId,
      cardId: card.id,
      token: card.auth_token,
    };
    if (p.gold) await tillPurchase(svc, pos, enrolled.cardNumber, 1500);
    if (p.apple) {
      const pushToken = (i + 1).toString(16).padStart(2, '0').repeat(32);
      const reg = await fetch(`${svc.url}/wallet/apple/v1/devices/device-${p.key}/registrations/${PASS_TYPE_ID}/${enrolled.serialNumber}`, {
        method: 'POST',
        headers: { authorization: `ApplePass ${card.auth_token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ pushToken }),
      });
      expect(reg.status).toBe(201);
      members[p.key]!.pushToken = pushToken;
    }
  }
  // Let enrolment and purchase updates reach the fakes before counting campaign traffic.
  await waitUntil(async () => (await pendingJobs()) === 0);
  await savedToGoogleWallet(svc);
}, 60_000);

afterAll(async () => {
  await svc?.stop();
  await apns?.close();
  await google?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function pendingJobs(): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int as n from jobs where failed_at is null and run_at <= now()`.execute(svc.services.db);
  return r.rows[0]!.n;
}

async function finished(id: string) {
  await waitUntil(async () => (await svc.api('GET', `/api/v1/campaigns/${id}`)).body.status === 'completed');
  await waitUntil(async () => (await pendingJobs()) === 0);
  return (await svc.api('GET', `/api/v1/campaigns/${id}`)).body;
}

const preview = async (audience: Record<string, unknown>) => (await svc.api('POST', '/api/v1/segments/preview', { program: 'shop', audience })).body;

describe('audience', () => {
  it('counts consenting members of each segment, evaluated in SQL', async () => {
    expect(await preview({})).toMatchObject({ count: 4, withoutConsent: 2 });
    expect((await preview({ tiers: ['Gold'] })).count).toBe(1); // anna (vera has no consent)
    expect((await preview({ homeStoreIds: [stores[1]] })).count).toBe(2); // boris, gleb
    expect((await preview({ balanceAbove: 100 })).count).toBe(1); // anna: 10 + 150
    expect((await preview({ birthdayBetween: { from: '03-01', to: '03-31' } })).count).toBe(2);
    expect((await preview({ birthdayBetween: { from: '12-15', to: '01-15' } })).count).toBe(1); // dina, across New Year
    expect((await preview({ inAppleWallet: true })).count).toBe(2);
    expect((await preview({ inAppleWallet: false })).count).toBe(2);
    expect((await preview({ activeWithinDays: 30 })).count).toBe(1);
    expect((await preview({ sleepingForDays: 30 })).count).toBe(3);
    expect((await preview({ enrolledWithinDays: 7 })).count).toBe(4);
    const sample = (await preview({ tiers: ['Gold'] })).sample;
    expect(sample).toEqual([{ cardNumber: members.anna!.cardNumber, firstName: 'Anna', tier: 'Gold', balance: 160 }]);
  });

  it('names a bad audience field', async () => {
    const res = await svc.api('POST', '/api/v1/segments/preview', {
      program: 'shop',
      audience: { birthdayBetween: { from: '13-01', to: '01-01' }, colour: 'red' },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: any) => e.field)).toEqual(expect.arrayContaining(['audience.birthdayBetween.from', 'audience']));
  });
});

describe('campaigns', () => {
  it('reach exactly the consenting members of the segment, on Apple and Google', async () => {
    const apnsBefore = apns.requests.length;
    const googleBefore = google.apiRequests().length;
    const res = await svc.api('POST', '/api/v1/campaigns', {
      program: 'shop',
      message: 'Spring sale for Store A',
      audience: { homeStoreIds: [stores[0]] },
      bonusPoints: 5,
    });
    expect(res.status).toBe(202);
    const done = await finished(res.body.id);
    expect(done.counts).toMatchObject({ targeted: 3, sent: 2, sentApple: 1, sentGoogle: 2, skippedConsent: 1, skippedFrequencyCap: 0 });
    // Apple: only anna's device (dina has none, vera did not consent).
    await apns.waitFor((r) => r.slice(apnsBefore).some((x) => x.token === members.anna!.pushToken));
    const pushed = new Set(apns.requests.slice(apnsBefore).map((r) => r.token));
    expect(pushed).toEqual(new Set([members.anna!.pushToken]));
    // Google: one addMessage each for anna and dina, nobody else.
    const messaged = google
      .apiRequests()
      .slice(googleBefore)
      .filter((r) => r.path.endsWith('/addMessage'))
      .map((r) => decodeURIComponent(r.path.split('/').at(-2)!));
    expect(messaged.sort()).toEqual([`${ISSUER}.${members.anna!.serial}`, `${ISSUER}.${members.dina!.serial}`].sort());
    const vera = await svc.api('GET', `/api/v1/cards/${members.vera!.cardNumber}`);
    expect(vera.body.message).toBeNull();
    const anna = await svc.api('GET', `/api/v1/cards/${members.anna!.cardNumber}`);
    expect(anna.body).toMatchObject({ message: 'Spring sale for Store A', balance: 165 });
  });

  it('skip members over the frequency cap and those who asked for fewer messages', async () => {
    await svc.api('PATCH', '/api/v1/programs/shop', { marketingCaps: { perDay: 1, perWeek: 10 } });
    const pref = await svc.api('PATCH', `/api/v1/customers/${members.gleb!.customerId}`, { maxMessagesPerWeek: 0 });
    expect(pref.status).toBe(200);
    const res = await svc.api('POST', '/api/v1/campaigns', { program: 'shop', message: 'Second one today' });
    const done = await finished(res.body.id);
    // anna and dina got one today already; gleb wants none; boris gets it.
    expect(done.counts).toMatchObject({ targeted: 6, sent: 1, skippedConsent: 2, skippedFrequencyCap: 3 });
    expect((await svc.api('GET', `/api/v1/cards/${members.boris!.cardNumber}`)).body.message).toBe('Second one today');
    await svc.api('PATCH', '/api/v1/programs/shop', { marketingCaps: { perDay: 5, perWeek: 10 } });
  });

  it('count messages Google delivered silently once an object’s 3-a-day budget is spent', async () => {
    // dina: welcome insert (no notification), one campaign message so far; spend the rest of her budget.
    for (const text of ['n1', 'n2']) await svc.api('POST', `/api/v1/cards/${members.dina!.cardNumber}/message`, { text });
    await waitUntil(async () => (await pendingJobs()) === 0);
    // Whose budget is spent depends on how earlier updates were coalesced; count it, then compare.
    const spent = await sql<{ n: number }>`
      select count(*)::int as n from (
        select card_id from google_notifications where notified and created_at > now() - interval '1 day'
        and card_id in (${members.anna!.cardId}, ${members.dina!.cardId}) group by card_id having count(*) >= 3) s`.execute(svc.services.db);
    const res = await svc.api('POST', '/api/v1/campaigns', { program: 'shop', message: 'Over budget for Dina', audience: { homeStoreIds: [stores[0]] } });
    const done = await finished(res.body.id);
    expect(done.counts.sent).toBe(2);
    expect(done.counts.googleSilent).toBe(spent.rows[0]!.n);
    const dina = await svc.services.db
      .selectFrom('google_notifications')
      .select(['notified'])
      .where('card_id', '=', members.dina!.cardId)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(dina).toEqual({ notified: false });
    const dinaMessage = await svc.services.db
      .selectFrom('google_messages')
      .select(['text', 'status'])
      .where('card_id', '=', members.dina!.cardId)
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(dinaMessage).toEqual({ text: 'Over budget for Dina', status: 'silent' });
  });

  it('never message a card twice when a worker stops mid-campaign and another resumes', async () => {
    const res = await svc.api('POST', '/api/v1/campaigns', {
      program: 'shop',
      message: 'Resumed',
      bonusPoints: 3,
      sendAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const id = res.body.id as string;
    // A worker delivers one batch of one card and dies; the job is still there for another worker.
    await svc.services.campaigns.run(id, { batchSize: 1, maxBatches: 1 });
    expect((await svc.api('GET', `/api/v1/campaigns/${id}`)).body.counts).toMatchObject({ sent: 1, pending: 3 });
    await svc.services.campaigns.run(id); // the restarted worker
    await svc.services.campaigns.run(id); // and a stray re-run
    const done = await finished(id);
    // gleb still wants no messages: three are sent.
    expect(done.counts).toMatchObject({ targeted: 6, sent: 3, skippedFrequencyCap: 1, pending: 0 });
    const bonuses = await svc.services.db.selectFrom('ledger_entries').select('card_id').where('reason', '=', `Campaign ${id}`).execute();
    expect(bonuses).toHaveLength(3);
    expect(new Set(bonuses.map((b) => b.card_id)).size).toBe(3);
  });

  it('roll a batch back whole when the worker dies inside it, and deliver it once on resume', async () => {
    const res = await svc.api('POST', '/api/v1/campaigns', { program: 'shop', message: 'Crash test', sendAt: new Date(Date.now() + 3_600_000).toISOString() });
    const id = res.body.id as string;
    const outbox = svc.services.outbox;
    const cardChanged = outbox.cardChanged.bind(outbox);
    // The process "dies" after the messages and their outbox rows were written, before the batch commits.
    outbox.cardChanged = async (...args) => {
      await cardChanged(...args);
      throw new Error('worker killed');
    };
    await expect(svc.services.campaigns.run(id)).rejects.toThrow('worker killed');
    outbox.cardChanged = cardChanged;
    expect((await svc.api('GET', `/api/v1/campaigns/${id}`)).body.counts).toMatchObject({ sent: 0, pending: 4 });
    expect((await svc.api('GET', `/api/v1/cards/${members.anna!.cardNumber}`)).body.message).not.toBe('Crash test');
    await svc.services.campaigns.run(id);
    const done = await finished(id);
    expect(done.counts).toMatchObject({ sent: 3, skippedFrequencyCap: 1, pending: 0 });
    expect((await svc.api('GET', `/api/v1/cards/${members.anna!.cardNumber}`)).body.message).toBe('Crash test');
  });

  it('can be cancelled while scheduled, and then sends nothing', async () => {
    const res = await svc.api('POST', '/api/v1/campaigns', { program: 'shop', message: 'Never', sendAt: new Date(Date.now() + 86_400_000).toISOString() });
    expect(res.body.status).toBe('scheduled');
    const cancelled = await svc.api('POST', `/api/v1/campaigns/${res.body.id}/cancel`);
    expect(cancelled.body.status).toBe('cancelled');
    await svc.services.campaigns.run(res.body.id);
    expect((await svc.api('GET', `/api/v1/campaigns/${res.body.id}`)).body.counts.targeted).toBe(0);
    expect((await svc.api('POST', `/api/v1/campaigns/${res.body.id}/cancel`)).status).toBe(409);
  });
});

describe('a broadcast to the whole program', () => {
  it('goes to Google as one class message when every holder may receive it', async () => {
    await createProgram(svc, { slug: 'club', name: 'Club' });
    const cards: { serialNumber: string }[] = [];
    for (let i = 0; i < 3; i++) cards.push(await enrol(svc, { program: 'club', name: `M${i}`, phone: `+7916810000${i}`, marketing: true }));
    await waitUntil(() => cards.every((c) => google.objects.has(`${ISSUER}.${c.serialNumber}`)));
    await waitUntil(async () => (await pendingJobs()) === 0);
    await savedToGoogleWallet(svc);
    const before = google.apiRequests().length;
    const res = await svc.api('POST', '/api/v1/campaigns', { program: 'club', message: 'Club night on Friday' });
    const done = await finished(res.body.id);
    expect(done.counts).toMatchObject({ targeted: 3, sent: 3 });
    const calls = google.apiRequests().slice(before);
    const classMessages = calls.filter((r) => r.path.endsWith(`/loyaltyClass/${encodeURIComponent(`${ISSUER}.club`)}/addMessage`));
    expect(classMessages).toHaveLength(1);
    expect((classMessages[0]!.body as any).message).toMatchObject({ body: 'Club night on Friday', messageType: 'TEXT_AND_NOTIFY' });
    expect(calls.filter((r) => r.path.includes('/loyaltyObject/') && r.path.endsWith('/addMessage'))).toHaveLength(0);
  });
});

describe('birthday automation', () => {
  it('greets by name with bonus points once, however often the date is run', async () => {
    await svc.api('PATCH', '/api/v1/programs/shop', {
      birthdayAutomation: { daysBefore: 1, sendHour: 9, bonusPoints: 100, text: 'Happy birthday, {name}! {points} points are yours.' },
      marketingCaps: { perDay: 50, perWeek: 50 },
    });
    const run = () => svc.api('POST', '/api/v1/automations/birthday/run', { program: 'shop', date: '2026-03-09' });
    const first = await run();
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ birthday: '2026-03-10', created: true });
    await finished(first.body.campaignId);
    const again = await run();
    expect(again.body).toMatchObject({ campaignId: first.body.campaignId, created: false });
    await finished(first.body.campaignId);
    const anna = await svc.api('GET', `/api/v1/cards/${members.anna!.cardNumber}`);
    expect(anna.body.message).toBe('Happy birthday, Anna! 100 points are yours.');
    const grants = await svc.services.db.selectFrom('ledger_entries').select(['card_id', 'points']).where('kind', '=', 'birthday').execute();
    expect(grants).toEqual([{ card_id: members.anna!.cardId, points: 100 }]); // vera shares the day but did not consent
    expect((await svc.api('POST', '/api/v1/automations/birthday/run', { program: 'shop', date: '2026-13-01' })).status).toBe(400);
  });
});

describe('points reminder automation', () => {
  it('tells a member how many points expire and when, once per expiry date', async () => {
    await svc.api('PATCH', '/api/v1/programs/shop', { pointsReminder: { daysBefore: 10, sendHour: 9, text: '{name}, {points} points expire on {date}' } });
    // Age boris's welcome lot (10 points) so it expires ten days after the run date.
    await svc.services.db
      .updateTable('point_lots')
      .set({ expires_at: new Date('2026-04-11T12:00:00Z') })
      .where('card_id', '=', members.boris!.cardId)
      .where('points', '=', 10)
      .execute();
    const run = () => svc.api('POST', '/api/v1/automations/points-reminder/run', { program: 'shop', date: '2026-04-01' });
    const first = await run();
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ expiresOn: '2026-04-11', created: true });
    const done = await finished(first.body.campaignId);
    expect(done.counts).toMatchObject({ targeted: 1, sent: 1 });
    expect((await svc.api('GET', `/api/v1/cards/${members.boris!.cardNumber}`)).body.message).toBe('Boris, 10 points expire on 11.04.2026');
    expect((await run()).body).toMatchObject({ campaignId: first.body.campaignId, created: false });
  });
});
