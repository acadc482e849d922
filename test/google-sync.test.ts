/**
 * Issue 12's reproductions against the Google stand-in (3 notifications per object per 24 h with
 * 403 quotaExceeded beyond, and, where set, 20 requests/s per issuer with 429 beyond), with one and
 * with two service processes on one PostgreSQL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestServiceAccount, fakeGoogleEnv, startFakeGoogle, type FakeGoogle, type RecordedGoogleRequest } from './support/fake-google.js';
import { cardRow, createProgram, createStore, enrol, issueKey, savedToGoogleWallet, tillPurchase } from './support/fixtures.js';
import { startTestService, type TestService } from './support/test-service.js';
import { waitUntil } from './support/wait.js';

const ISSUER = '3388000000033333333';
const onPostgres = process.env.DATABASE_URL ? it : ((() => undefined) as unknown as typeof it);

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

/** A deployment of `processes` service processes (the second shares the first's schema) and a Google stand-in. */
async function deployment(options: { processes?: 1 | 2; env?: Record<string, string>; requestsPerSecond?: number } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'wl-gsync-'));
  const account = createTestServiceAccount();
  const google = await startFakeGoogle({ serviceAccounts: [account], ...(options.requestsPerSecond && { requestsPerSecond: options.requestsPerSecond }) });
  const env = { ...fakeGoogleEnv(google, ISSUER, dir, account), JOB_POLL_MS: '50', ...options.env };
  const first = await startTestService({ DATA_DIR: dir, ...env });
  const svcs = [first];
  if (options.processes === 2)
    svcs.push(await startTestService({ DATA_DIR: mkdtempSync(path.join(tmpdir(), 'wl-gsync-')), ...env }, { shareSchemaWith: first }));
  cleanup.push(async () => {
    for (const s of svcs.slice(1)) await s.stop();
    await first.stop();
    await google.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { svc: first, svcs, google };
}

const objectIdOf = (card: { serialNumber: string }) => `${ISSUER}.${card.serialNumber}`;
const isObjectCall = (r: RecordedGoogleRequest, id: string) => r.path.includes(`/loyaltyObject/${encodeURIComponent(id)}`);
const objectPatches = (google: FakeGoogle, id: string) => google.apiRequests().filter((r) => r.method === 'PATCH' && isObjectCall(r, id));
const addedMessages = (google: FakeGoogle, id: string) =>
  google
    .apiRequests()
    .filter((r) => r.method === 'POST' && isObjectCall(r, id) && r.path.endsWith('/addMessage') && r.status === 200)
    .map((r) => (r.body as any).message);

async function jobsLeft(svc: TestService): Promise<number> {
  const r = await svc.services.db
    .selectFrom('jobs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('kind', 'like', 'google.%')
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** What Google shows equals what the database says, and the object is marked synced at the card's version. */
async function expectConverged(svc: TestService, google: FakeGoogle, cardNumber: string, objectId: string) {
  await waitUntil(async () => (await jobsLeft(svc)) === 0, 30_000);
  const card = await cardRow(svc, cardNumber);
  const object = await svc.services.db.selectFrom('google_objects').selectAll().where('card_id', '=', card.id).executeTakeFirstOrThrow();
  const atGoogle = google.objects.get(objectId)!;
  expect(atGoogle.loyaltyPoints!.balance).toEqual({ int: card.balance });
  expect(atGoogle.secondaryLoyaltyPoints!.balance).toEqual({ string: card.tier });
  expect(atGoogle.state).toBe(card.status === 'voided' ? 'INACTIVE' : 'ACTIVE');
  expect(atGoogle.barcode?.value).toBe(card.barcode_value);
  expect(object).toMatchObject({ synced_balance: card.balance, synced_version: card.pass_version, last_error: null });
}

function expectWithinBudget(google: FakeGoogle) {
  for (const [id, times] of google.notifications) expect(times.length, `notifications of ${id}`).toBeLessThanOrEqual(3);
}

describe('per-object sync', () => {
  onPostgres(
    'an older balance never overwrites a newer one: two processes, the first PATCH held for 4 s',
    async () => {
      const { svc, svcs, google } = await deployment({ processes: 2 });
      await createProgram(svc, { slug: 'race', name: 'Race', welcomeBonus: 0 });
      const store = await createStore(svc, 'race', { name: 'S', latitude: 55, longitude: 37 });
      const pos = await issueKey(svc, 'pos', store.id);
      const card = await enrol(svc, { program: 'race', name: 'Ira' });
      const id = objectIdOf(card);
      await waitUntil(() => google.objects.has(id));
      await savedToGoogleWallet(svc);
      await waitUntil(async () => (await jobsLeft(svc)) === 0);

      // The first balance PATCH lands 4 s late, after everything the second process sends.
      google.failNext((r) => r.method === 'PATCH' && isObjectCall(r, id), [{ pass: true, delayMs: 4000 }]);
      const first = await tillPurchase(svcs[0]!, pos, card.cardNumber, 1000);
      await waitUntil(() => objectPatches(google, id).length === 1);
      const second = await tillPurchase(svcs[1]!, pos, card.cardNumber, 2000);
      expect(second.balance).toBeGreaterThan(first.balance);

      await expectConverged(svc, google, card.cardNumber, id);
      expect(google.objects.get(id)!.loyaltyPoints!.balance).toEqual({ int: second.balance });
      // The held PATCH (the older balance) was answered before the newer one was sent: one writer per object.
      const patches = objectPatches(google, id);
      expect((patches.at(-1)!.body as any).loyaltyPoints.balance).toEqual({ int: second.balance });
      expect(patches.every((p) => p.status === 200)).toBe(true);
    },
    60_000,
  );

  it('two messages set on one card during a backlog both reach Google, in order, once; a later purchase re-sends neither', async () => {
    const { svc, google } = await deployment();
    await createProgram(svc, { slug: 'msg', name: 'Msg', welcomeBonus: 0 });
    const store = await createStore(svc, 'msg', { name: 'S', latitude: 55, longitude: 37 });
    const pos = await issueKey(svc, 'pos', store.id);
    const card = await enrol(svc, { program: 'msg', name: 'Lev', marketing: true });
    const id = objectIdOf(card);
    await waitUntil(() => google.objects.has(id));
    await savedToGoogleWallet(svc);
    await waitUntil(async () => (await jobsLeft(svc)) === 0);

    // A backlog: nothing runs while both messages are set, so their jobs coalesce into one.
    await svc.services.jobs.stop();
    for (const text of ['Coats −20 %', 'Boots −30 %']) expect((await svc.api('POST', `/api/v1/cards/${card.cardNumber}/message`, { text })).status).toBe(202);
    svc.services.jobs.start();
    await waitUntil(() => addedMessages(google, id).length === 2);
    expect(addedMessages(google, id).map((m) => m.body)).toEqual(['Coats −20 %', 'Boots −30 %']);

    await tillPurchase(svc, pos, card.cardNumber, 500);
    await expectConverged(svc, google, card.cardNumber, id);
    expect(addedMessages(google, id)).toHaveLength(2);
    expect(new Set(google.objects.get(id)!.messages!.map((m) => m.id)).size).toBe(2);
    expectWithinBudget(google);
  });

  it('an object in nobody’s wallet costs no calls; saving it brings it up to date without a notification', async () => {
    const { svc, google } = await deployment();
    await createProgram(svc, { slug: 'lazy', name: 'Lazy', welcomeBonus: 0 });
    const store = await createStore(svc, 'lazy', { name: 'S', latitude: 55, longitude: 37 });
    const pos = await issueKey(svc, 'pos', store.id);
    const card = await enrol(svc, { program: 'lazy', name: 'Yan', marketing: true });
    const id = objectIdOf(card);
    await waitUntil(() => google.objects.has(id));
    await waitUntil(async () => (await jobsLeft(svc)) === 0);
    const before = google.apiRequests().length;
    await tillPurchase(svc, pos, card.cardNumber, 700);
    const campaign = await svc.api('POST', '/api/v1/campaigns', { program: 'lazy', message: 'Hello' });
    expect(campaign.status).toBe(202);
    await waitUntil(async () => (await svc.api('GET', `/api/v1/campaigns/${campaign.body.id}`)).body.status === 'completed');
    await waitUntil(async () => (await jobsLeft(svc)) === 0);
    expect(
      google
        .apiRequests()
        .slice(before)
        .map((r) => `${r.method} ${r.path}`),
    ).toEqual([]);

    // The save callback's effect: one silent full update with today's balance.
    const row = await cardRow(svc, card.cardNumber);
    await svc.services.db.updateTable('google_objects').set({ saved: true, saved_at: new Date(), full_sync_due: true }).where('card_id', '=', row.id).execute();
    await svc.services.db
      .insertInto('jobs')
      .values({ kind: 'google.card-changed', dedupe_key: row.id, payload: JSON.stringify({ cardId: row.id }) })
      .execute();
    svc.services.jobs.nudge();
    await expectConverged(svc, google, card.cardNumber, id);
    const sent = google.apiRequests().slice(before);
    expect(sent.map((r) => r.method)).toEqual(['PATCH']);
    expect((sent[0]!.body as any).notifyPreference).toBeUndefined();
  });
});

describe('one quota for the deployment', () => {
  // Two processes on PostgreSQL; PGlite is one process by nature, and the same rules hold for it.
  const processes = process.env.DATABASE_URL ? 2 : 1;
  it(`${processes} process(es) together stay within 20 requests/s (no 429), and a till’s update goes before the campaign backlog`, async () => {
    const { svc, svcs, google } = await deployment({ processes, requestsPerSecond: 20, env: { GOOGLE_REQUESTS_PER_SECOND: '20' } });
    await createProgram(svc, { slug: 'busy', name: 'Busy', welcomeBonus: 0 });
    const store = await createStore(svc, 'busy', { name: 'S', latitude: 55, longitude: 37 });
    const pos = await issueKey(svc, 'pos', store.id);
    const cards: Awaited<ReturnType<typeof enrol>>[] = [];
    for (let i = 0; i < 120; i++)
      cards.push(await enrol(svcs[i % svcs.length]!, { program: 'busy', name: `M${i}`, phone: `+7916820${String(i).padStart(4, '0')}`, marketing: true }));
    await waitUntil(() => cards.every((c) => google.objects.has(objectIdOf(c))), 30_000);
    await waitUntil(async () => (await jobsLeft(svc)) === 0, 30_000);
    await savedToGoogleWallet(svc);

    // A campaign to all 120 (one addMessage each, ≥ 6 s at 20/s), then a purchase at the till.
    const before = google.apiRequests().length;
    const campaign = await svc.api('POST', '/api/v1/campaigns', { program: 'busy', message: 'Sale {name}' });
    expect(campaign.status).toBe(202);
    await waitUntil(
      () =>
        google
          .apiRequests()
          .slice(before)
          .filter((r) => r.path.endsWith('/addMessage')).length >= 5,
      30_000,
    );
    const till = cards[119]!;
    // The last card's message may or may not be out yet; its balance PATCH is the till's request.
    await tillPurchase(svcs.at(-1)!, pos, till.cardNumber, 900);
    await waitUntil(
      async () => (await jobsLeft(svc)) === 0 && (await svc.api('GET', `/api/v1/campaigns/${campaign.body.id}`)).body.status === 'completed',
      60_000,
    );

    const calls = google.apiRequests().slice(before);
    expect(calls.filter((r) => r.status === 429)).toEqual([]);
    // Google's own count: never more than 20 in any 1-second window.
    for (const r of calls) expect(calls.filter((o) => o.at >= r.at && o.at < r.at + 1000).length).toBeLessThanOrEqual(20);
    expect(calls.filter((r) => r.path.endsWith('/addMessage'))).toHaveLength(120);
    // The till's PATCH went out while most of the campaign was still waiting.
    const tillPatch = calls.findIndex((r) => r.method === 'PATCH' && isObjectCall(r, objectIdOf(till)));
    const messagesAfter = calls.slice(tillPatch).filter((r) => r.path.endsWith('/addMessage')).length;
    expect(tillPatch).toBeGreaterThan(-1);
    expect(messagesAfter).toBeGreaterThan(20);
    await expectConverged(svc, google, till.cardNumber, objectIdOf(till));
  }, 120_000);
});

describe('class messages', () => {
  it('are used only when every object may receive them; otherwise consent and caps decide per object', async () => {
    const { svc, google } = await deployment();
    await createProgram(svc, { slug: 'caps', name: 'Caps', welcomeBonus: 0, marketingCaps: { perDay: 1, perWeek: 5 } });
    const [near, far] = [
      await createStore(svc, 'caps', { name: 'Near', latitude: 55, longitude: 37 }),
      await createStore(svc, 'caps', { name: 'Far', latitude: 56, longitude: 38 }),
    ];
    const capped = await enrol(svc, { program: 'caps', name: 'Capped', marketing: true, extra: { homeStoreId: near.id } });
    const open = await enrol(svc, { program: 'caps', name: 'Open', marketing: true, extra: { homeStoreId: far.id } });
    const noConsent = await enrol(svc, { program: 'caps', name: 'Quiet', marketing: false, extra: { homeStoreId: far.id } });
    await waitUntil(() => [capped, open, noConsent].every((c) => google.objects.has(objectIdOf(c))));
    await waitUntil(async () => (await jobsLeft(svc)) === 0);
    await savedToGoogleWallet(svc);
    const finished = async (id: string) => {
      await waitUntil(async () => (await svc.api('GET', `/api/v1/campaigns/${id}`)).body.status === 'completed');
      await waitUntil(async () => (await jobsLeft(svc)) === 0);
      return (await svc.api('GET', `/api/v1/campaigns/${id}`)).body;
    };
    await finished((await svc.api('POST', '/api/v1/campaigns', { program: 'caps', message: 'Near you', audience: { homeStoreIds: [near.id] } })).body.id);
    const whole = await finished((await svc.api('POST', '/api/v1/campaigns', { program: 'caps', message: 'Everyone' })).body.id);
    expect(whole.counts).toMatchObject({ targeted: 3, sent: 1, skippedFrequencyCap: 1, skippedConsent: 1 });
    expect(google.apiRequests().filter((r) => r.path.includes('/loyaltyClass/') && r.path.endsWith('/addMessage'))).toEqual([]);
    expect(addedMessages(google, objectIdOf(capped)).map((m) => m.body)).toEqual(['Near you']);
    expect(addedMessages(google, objectIdOf(open)).map((m) => m.body)).toEqual(['Everyone']);
    expect(addedMessages(google, objectIdOf(noConsent))).toEqual([]);
    expect(google.notifications.get(objectIdOf(noConsent))).toBeUndefined();

    // A program where every object may receive it: one class message, bounded in time, in every budget.
    await createProgram(svc, { slug: 'club', name: 'Club', welcomeBonus: 0 });
    const members = [await enrol(svc, { program: 'club', name: 'A', marketing: true }), await enrol(svc, { program: 'club', name: 'B', marketing: true })];
    const blocked = await enrol(svc, { program: 'club', name: 'Blocked', marketing: true });
    await waitUntil(() => [...members, blocked].every((c) => google.objects.has(objectIdOf(c))));
    await waitUntil(async () => (await jobsLeft(svc)) === 0);
    await savedToGoogleWallet(svc);
    // A blocked card's object would show a class message too: per object then, and not to it.
    expect((await svc.api('PATCH', `/api/v1/cards/${blocked.cardNumber}`, { status: 'blocked' })).status).toBe(200);
    const first = await finished((await svc.api('POST', '/api/v1/campaigns', { program: 'club', message: 'Members only' })).body.id);
    expect(first.counts).toMatchObject({ targeted: 2, sent: 2 }); // a blocked card is not in any audience
    expect(google.apiRequests().filter((r) => r.path.includes('/loyaltyClass/') && r.path.endsWith('/addMessage'))).toEqual([]);
    expect(addedMessages(google, objectIdOf(blocked))).toEqual([]);
    expect((await svc.api('PATCH', `/api/v1/cards/${blocked.cardNumber}`, { status: 'active' })).status).toBe(200);
    await waitUntil(async () => (await jobsLeft(svc)) === 0);
    await svc.services.db.deleteFrom('campaign_deliveries').execute(); // a new day: caps start again
    const before = google.apiRequests().length;
    await finished((await svc.api('POST', '/api/v1/campaigns', { program: 'club', message: 'Club night' })).body.id);
    const calls = google.apiRequests().slice(before);
    const classMessages = calls.filter((r) => r.path.endsWith('/addMessage'));
    expect(classMessages).toHaveLength(1);
    expect(classMessages[0]!.path).toContain('/loyaltyClass/');
    const { displayInterval } = (classMessages[0]!.body as any).message;
    expect(Date.parse(displayInterval.end.date) - Date.parse(displayInterval.start.date)).toBe(24 * 3_600_000);
    for (const m of [...members, blocked]) {
      const row = await cardRow(svc, m.cardNumber);
      const booked = await svc.services.db
        .selectFrom('google_notifications')
        .select(['kind', 'notified'])
        .where('card_id', '=', row.id)
        .where('kind', '=', 'class')
        .execute();
      expect(booked).toEqual([{ kind: 'class', notified: true }]);
    }
    expect(google.notifications.get(objectIdOf(blocked))).toHaveLength(1);
    for (const m of members) expect(google.notifications.get(objectIdOf(m))).toHaveLength(2);
    expectWithinBudget(google);
  });
});

describe('objects that went missing', () => {
  it('while Google refuses the service account: jobs wait, /healthz says paused; once authorised, every object appears without another change', async () => {
    const { svc, google } = await deployment({ env: { GOOGLE_PAUSE_MS: '300' } });
    let denied = true;
    const refusal = {
      status: 403,
      body: { error: { code: 403, message: 'The caller does not have permission', status: 'PERMISSION_DENIED', errors: [{ reason: 'forbidden' }] } },
    };
    google.failNext(
      (r) => denied && r.kind === 'api',
      Array.from({ length: 10_000 }, () => refusal),
    );
    await createProgram(svc, { slug: 'denied', name: 'Denied', welcomeBonus: 0 });
    const cards = [await enrol(svc, { program: 'denied', name: 'Ada' }), await enrol(svc, { program: 'denied', name: 'Bob' })];
    await waitUntil(async () => (await fetch(`${svc.url}/healthz`)).status === 503);
    const health = (await (await fetch(`${svc.url}/healthz`)).json()) as any;
    expect(health.wallets.google).toMatchObject({ healthy: false, state: 'paused', reason: expect.stringContaining('403') });
    // The jobs wait: none failed.
    const failed = await svc.services.db.selectFrom('jobs').select('id').where('failed_at', 'is not', null).execute();
    expect(failed).toEqual([]);
    // The link handed out meanwhile carries the object, so saving would create it.
    const claims = JSON.parse(Buffer.from(cards[0]!.links.google!.split('/').at(-1)!.split('.')[1]!, 'base64url').toString()) as any;
    expect(claims.payload.loyaltyObjects[0]).toMatchObject({ id: objectIdOf(cards[0]!), accountId: cards[0]!.cardNumber });

    denied = false; // authorised in the Google Pay & Wallet console
    await waitUntil(() => cards.every((c) => google.objects.has(objectIdOf(c))), 20_000);
    await waitUntil(async () => (await fetch(`${svc.url}/healthz`)).status === 200);
  });

  it('the sweeper re-drives an object whose insert failed for good', async () => {
    const { svc, google } = await deployment({ env: { GOOGLE_SWEEP_EVERY_MS: '200' } });
    await createProgram(svc, { slug: 'sweep', name: 'Sweep', welcomeBonus: 0 });
    google.failNext({ method: 'POST', path: /\/loyaltyObject$/ }, [{ status: 400 }]);
    const card = await enrol(svc, { program: 'sweep', name: 'Eva' });
    const row = await cardRow(svc, card.cardNumber);
    await waitUntil(async () => {
      const job = await svc.services.db
        .selectFrom('jobs')
        .select('failed_at')
        .where('dedupe_key', '=', row.id)
        .where('kind', '=', 'google.card-changed')
        .executeTakeFirst();
      return Boolean(job?.failed_at);
    });
    expect(google.objects.has(objectIdOf(card))).toBe(false);
    await waitUntil(() => google.objects.has(objectIdOf(card)), 20_000);
    const object = await svc.services.db.selectFrom('google_objects').selectAll().where('card_id', '=', row.id).executeTakeFirstOrThrow();
    expect(object).toMatchObject({ last_error: null, synced_version: row.pass_version });
  });
});
