/**
 * Issue 16: numbers a marketer trusts. Seeded scenarios with known answers, through the real
 * service (tills, the Apple web service, campaigns) on whichever database the run uses (PGlite, or
 * PostgreSQL with DATABASE_URL): every figure is asserted.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppleStandIn } from './support/apple-stand-in.js';
import type { FakeApns } from './support/fake-apns.js';
import { cardRow, createProgram, createStore, enrol, issueKey, tillPurchase, type EnrolledCard } from './support/fixtures.js';
import { ADMIN_KEY, startTestService, type TestService } from './support/test-service.js';
import { waitUntil } from './support/wait.js';
import { rebuildChain } from '../src/loyalty/ledger/purchase-chain.js';

const PASS_TYPE_ID = 'pass.test.analytics';
const TZ = 'Europe/Moscow';
let svc: TestService;
let apns: FakeApns;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'wl-analytics-'));
  const standIn = await startAppleStandIn(dataDir, { passTypeIdentifier: PASS_TYPE_ID, teamIdentifier: 'ANALYTICS1' });
  apns = standIn.apns;
  svc = await startTestService({ ...standIn.env, JOB_POLL_MS: '50' });
});

afterAll(async () => {
  await svc?.stop();
  await apns?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** A date in the program's time zone, `days` from today. */
const day = (days = 0) => new Intl.DateTimeFormat('en-CA', { timeZone: TZ }).format(new Date(Date.now() + days * 86_400_000));
const analytics = async (slug: string, query: string, status = 200) => {
  const res = await svc.api('GET', `/api/v1/programs/${slug}/analytics?${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  return res.body;
};
const ws = (p: string) => `${svc.url}/wallet/apple/v1${p}`;
async function device(card: EnrolledCard, deviceId: string, method: 'POST' | 'DELETE' = 'POST') {
  const { auth_token } = await cardRow(svc, card.cardNumber);
  const res = await fetch(ws(`/devices/${deviceId}/registrations/${PASS_TYPE_ID}/${card.serialNumber}`), {
    method,
    headers: { authorization: `ApplePass ${auth_token}`, 'content-type': 'application/json' },
    ...(method === 'POST' && { body: JSON.stringify({ pushToken: createHash('sha256').update(deviceId).digest('hex') }) }),
  });
  expect([200, 201]).toContain(res.status);
}

describe('wallet events', () => {
  let card: EnrolledCard;
  beforeAll(async () => {
    await createProgram(svc, { slug: 'wallets', name: 'Wallets', timezone: TZ, welcomeBonus: 0 });
    card = await enrol(svc, { program: 'wallets' });
  });

  it('installs and removals over time, with a second phone and a re-install: the card counts once, exact at any date', async () => {
    const apple = async () => (await analytics('wallets', `from=${day()}&to=${day()}`)).totals.wallets.apple;
    await device(card, 'phone-1');
    expect(await apple()).toEqual({ installs: 1, removals: 0, atEnd: 1 });
    await device(card, 'watch-1'); // the same card on a second device: two installs, still one card
    await device(card, 'phone-1'); // registered again: nothing new
    expect(await apple()).toEqual({ installs: 2, removals: 0, atEnd: 1 });
    await device(card, 'phone-1', 'DELETE');
    expect(await apple()).toEqual({ installs: 2, removals: 1, atEnd: 1 });
    await device(card, 'watch-1', 'DELETE');
    expect(await apple()).toEqual({ installs: 2, removals: 2, atEnd: 0 });
    await device(card, 'phone-1'); // re-installed
    expect(await apple()).toEqual({ installs: 3, removals: 2, atEnd: 1 });
    // Yesterday it was in no wallet: the log answers for any date, not only now.
    const yesterday = await analytics('wallets', `from=${day(-1)}&to=${day(-1)}`);
    expect(yesterday.totals.wallets.apple).toEqual({ installs: 0, removals: 0, atEnd: 0 });
    // By day over both: yesterday's bucket ends at 0, today's at 1.
    const series = (await analytics('wallets', `from=${day(-1)}&to=${day()}&groupBy=day`)).series;
    expect(series.map((s: any) => [s.period, s.wallets.apple.atEnd])).toEqual([
      [day(-1), 0],
      [day(), 1],
    ]);
  });

  it('a phone and its watch registering (and leaving) at the same moment: each card enters and leaves once', async () => {
    const pairs = await Promise.all(Array.from({ length: 10 }, () => enrol(svc, { program: 'wallets' })));
    const apple = async () => (await analytics('wallets', `from=${day()}&to=${day()}`)).totals.wallets.apple;
    const before = await apple();
    await Promise.all(pairs.flatMap((c) => [device(c, `p-${c.serialNumber}`), device(c, `w-${c.serialNumber}`)]));
    expect(await apple()).toEqual({ installs: before.installs + 20, removals: before.removals, atEnd: before.atEnd + 10 });
    await Promise.all(pairs.flatMap((c) => [device(c, `p-${c.serialNumber}`, 'DELETE'), device(c, `w-${c.serialNumber}`, 'DELETE')]));
    expect(await apple()).toEqual({ installs: before.installs + 20, removals: before.removals + 20, atEnd: before.atEnd });
  });

  it('a device deleted because APNs says it is gone is a removal too (the database records every path)', async () => {
    const other = await enrol(svc, { program: 'wallets' });
    await device(other, 'phone-gone');
    const before = (await analytics('wallets', `from=${day()}&to=${day()}`)).totals.wallets.apple;
    await svc.services.db.deleteFrom('apple_devices').where('device_library_id', '=', 'phone-gone').execute();
    const after = (await analytics('wallets', `from=${day()}&to=${day()}`)).totals.wallets.apple;
    expect(after).toEqual({ installs: before.installs, removals: before.removals + 1, atEnd: before.atEnd - 1 });
  });

  it('records pass fetches (not 304s) and is append-only', async () => {
    const { auth_token } = await cardRow(svc, card.cardNumber);
    const fetched = () =>
      svc.services.db
        .selectFrom('wallet_events')
        .select(sql<number>`count(*)::int`.as('n'))
        .where('event', '=', 'pass_fetched')
        .executeTakeFirstOrThrow();
    const before = (await fetched()).n;
    const res = await fetch(ws(`/passes/${PASS_TYPE_ID}/${card.serialNumber}`), { headers: { authorization: `ApplePass ${auth_token}` } });
    expect(res.status).toBe(200);
    const since = res.headers.get('last-modified')!;
    await res.arrayBuffer();
    const again = await fetch(ws(`/passes/${PASS_TYPE_ID}/${card.serialNumber}`), {
      headers: { authorization: `ApplePass ${auth_token}`, 'if-modified-since': since },
    });
    expect(again.status).toBe(304);
    await waitUntil(async () => (await fetched()).n === before + 1);
    await expect(sql`update wallet_events set card_delta = 0`.execute(svc.services.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from wallet_events`.execute(svc.services.db)).rejects.toThrow(/append-only/);
  });
});

describe('program analytics: purchases with and without the card, points, cards issued', () => {
  let s1: any;
  let s2: any;
  let pos1: string;
  let pos2: string;
  let c1: EnrolledCard;
  let c2: EnrolledCard;
  const refund = (key: string, receiptId: string, amount: number) =>
    svc.api('POST', '/api/v1/pos/refunds', { receiptId, amount }, key, { 'idempotency-key': randomUUID() });
  const receipt = (key: string, receiptId: string, amount: unknown) =>
    svc.api('POST', '/api/v1/pos/receipts', { receiptId, amount }, key, { 'idempotency-key': randomUUID() });

  beforeAll(async () => {
    await createProgram(svc, { slug: 'shop', name: 'Shop', timezone: TZ, welcomeBonus: 0, earnPercent: 10, maxRedeemPercent: 50 });
    s1 = await createStore(svc, 'shop', { name: 'One', latitude: 55.7, longitude: 37.6 });
    s2 = await createStore(svc, 'shop', { name: 'Two', latitude: 55.8, longitude: 37.7 });
    pos1 = await issueKey(svc, 'pos', s1.id);
    pos2 = await issueKey(svc, 'pos', s2.id);
    c1 = await enrol(svc, { program: 'shop', key: pos1, extra: { source: 'till' } });
    c2 = await enrol(svc, { program: 'shop', extra: { source: 'sms' } });
    // c1: 500 yesterday and 1000 today at One; c2: 300 today at Two, 100 of it refunded.
    const early = await tillPurchase(svc, pos1, c1.barcode, 500);
    await tillPurchase(svc, pos1, c1.barcode, 1000);
    const rid = randomUUID();
    expect(
      (await svc.api('POST', '/api/v1/pos/purchases', { barcode: c2.barcode, receiptId: rid, amount: 300 }, pos2, { 'idempotency-key': randomUUID() })).status,
    ).toBe(201);
    expect((await refund(pos2, rid, 100)).status).toBe(201);
    // Receipts rung up without a card: 200 and 400 at One.
    expect((await receipt(pos1, 'r-200', 200)).status).toBe(201);
    expect((await receipt(pos1, 'r-400', 400)).status).toBe(201);
    // The 500 purchase (and its points) happened yesterday, local time.
    const yesterdayNoon = sql`(${day(-1)}::date + interval '12 hours')::timestamp at time zone ${TZ}`;
    await sql`update purchases set created_at = ${yesterdayNoon} where id = ${early.purchaseId}`.execute(svc.services.db);
    await sql`update ledger_entries set created_at = ${yesterdayNoon} where purchase_id = ${early.purchaseId}`.execute(svc.services.db);
    // Rewriting a purchase's time rewrites its card's history: its chain is rebuilt, as after a refund.
    const moved = await svc.services.db.selectFrom('purchases').select('card_id').where('id', '=', early.purchaseId).executeTakeFirstOrThrow();
    await rebuildChain(svc.services.db, moved.card_id);
  });

  it('answers every figure by day, and in total', async () => {
    const a = await analytics('shop', `from=${day(-1)}&to=${day()}&groupBy=day`);
    expect(a).toMatchObject({ program: 'shop', currency: 'RUB', timezone: TZ, groupBy: 'day', storeId: null });
    const [yesterday, today] = a.series;
    expect(yesterday).toMatchObject({
      period: day(-1),
      cardsIssued: { total: 0 },
      purchases: 1,
      revenue: '500.00',
      averageCheck: '500.00',
      activeCustomers: 1,
      repeatCustomers: 0,
      receiptsWithoutCard: 0,
      averageCheckWithoutCard: null,
      points: { issued: 50, redeemed: 0, expired: 0, takenBack: 0, liabilityAtEnd: 50 },
    });
    expect(today).toMatchObject({
      period: day(),
      cardsIssued: { total: 2, bySource: { till: 1, sms: 1 }, byStore: { [s1.id]: 1, none: 1 } },
      purchases: 2,
      revenue: '1200.00', // 1000 + (300 − 100 refunded)
      averageCheck: '600.00',
      activeCustomers: 2,
      receiptsWithoutCard: 2,
      revenueWithoutCard: '600.00',
      averageCheckWithoutCard: '300.00',
      points: { issued: 130, redeemed: 0, takenBack: 10, liabilityAtEnd: 170 },
    });
    // Over the period c1 bought twice: one of the two active customers is a repeat customer.
    expect(a.totals).toMatchObject({
      purchases: 3,
      revenue: '1700.00',
      averageCheck: '566.67',
      activeCustomers: 2,
      repeatCustomers: 1,
      repeatRate: 0.5,
      averageCheckWithoutCard: '300.00',
      points: { issued: 180, takenBack: 10, liabilityAtEnd: 170 },
    });
  });

  it('one store: its purchases, receipts and cards issued; the liability stays program-wide', async () => {
    const a = await analytics('shop', `from=${day(-1)}&to=${day()}&store=${s2.id}`);
    expect(a.totals).toMatchObject({
      purchases: 1,
      revenue: '200.00',
      receiptsWithoutCard: 0,
      cardsIssued: { total: 0 },
      points: { issued: 30, takenBack: 10, liabilityAtEnd: 170 },
    });
    expect(a.storeId).toBe(s2.id);
  });

  it('by week and month the same totals; the CSV has a row per period and the totals', async () => {
    for (const groupBy of ['week', 'month']) {
      const a = await analytics('shop', `from=${day(-1)}&to=${day()}&groupBy=${groupBy}`);
      expect(a.totals.revenue).toBe('1700.00');
      expect(a.series.reduce((n: number, s: any) => n + s.purchases, 0)).toBe(3);
    }
    const res = await fetch(`${svc.url}/api/v1/programs/shop/analytics/export?from=${day(-1)}&to=${day()}`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await res.text()).trim().split('\r\n');
    expect(lines).toHaveLength(4);
    const header = lines[0]!.split(',');
    const total = lines[3]!.split(',');
    expect(total[0]).toBe('total');
    expect(total[header.indexOf('revenue')]).toBe('1700.00');
    expect(total[header.indexOf('cards_issued_till')]).toBe('1');
  });

  it('refuses bad periods and receipts with a 4xx naming the field, and records nothing', async () => {
    expect((await analytics('shop', `from=${day()}&to=${day(-1)}`, 400)).errors[0].field).toBe('to');
    expect((await analytics('shop', `from=${day()}&to=${day()}&groupBy=year`, 400)).errors[0].field).toBe('groupBy');
    expect((await analytics('shop', `from=yesterday&to=${day()}`, 400)).errors[0].field).toBe('from');
    expect((await analytics('shop', `from=2000-01-01&to=${day()}&groupBy=day`, 400)).errors[0].field).toBe('groupBy');
    await analytics('nope', `from=${day()}&to=${day()}`, 404);
    const other = await createProgram(svc, { slug: 'other-shop', name: 'Other', timezone: TZ });
    const foreign = await createStore(svc, 'other-shop', { name: 'X', latitude: 1, longitude: 1 });
    expect(other.slug).toBe('other-shop');
    expect((await analytics('shop', `from=${day()}&to=${day()}&store=${foreign.id}`, 400)).errors[0].field).toBe('store');

    const before = await svc.services.db
      .selectFrom('pos_receipts')
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow();
    expect((await receipt(pos1, 'r-bad', 0)).body.errors[0].field).toBe('amount');
    expect((await receipt(pos1, 'r-200', 200)).status).toBe(409); // the same receipt again
    const withCard = (await svc.services.db.selectFrom('purchases').select('receipt_id').where('store_id', '=', s2.id).executeTakeFirstOrThrow()).receipt_id;
    expect((await receipt(pos2, withCard, 50)).status).toBe(409); // rung up with a card already
    const after = await svc.services.db
      .selectFrom('pos_receipts')
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
    expect((await analytics('shop', `from=0000-01-01&to=${day()}`, 400)).errors[0].field).toBe('from');
  });

  it('a receipt reported without a card, then rung up with one, counts once: with the card', async () => {
    const other = await createProgram(svc, { slug: 'late-card', name: 'Late', timezone: TZ, welcomeBonus: 0 });
    const store = await createStore(svc, other.slug, { name: 'L', latitude: 55, longitude: 37 });
    const key = await issueKey(svc, 'pos', store.id);
    const card = await enrol(svc, { program: other.slug });
    expect((await receipt(key, 'late-1', 700)).status).toBe(201);
    const res = await svc.api('POST', '/api/v1/pos/purchases', { barcode: card.barcode, receiptId: 'late-1', amount: 700 }, key, {
      'idempotency-key': randomUUID(),
    });
    expect(res.status).toBe(201);
    // And one refunded in full counts nowhere.
    const gone = await tillPurchase(svc, key, card.barcode, 300);
    const rid = (await svc.services.db.selectFrom('purchases').select('receipt_id').where('id', '=', gone.purchaseId).executeTakeFirstOrThrow()).receipt_id;
    expect((await refund(key, rid, 300)).status).toBe(201);
    const a = await analytics(other.slug, `from=${day()}&to=${day()}`);
    expect(a.totals).toMatchObject({
      purchases: 1,
      revenue: '700.00',
      activeCustomers: 1,
      repeatCustomers: 0,
      receiptsWithoutCard: 0,
      revenueWithoutCard: '0.00',
    });
  });
});

describe('distinct customers from the purchase chain', () => {
  // The chain each purchase carries, against the same links recomputed from scratch by window functions.
  const chainDrift = async () =>
    (
      await sql<{ id: number }>`
        select p.id from purchases p join (
          select id, lag(created_at, 1) over card as prev_at, lag(created_at, 2) over card as prev2_at,
            lag(created_at, 1) over store as prev_at_store, lag(created_at, 2) over store as prev2_at_store
          from purchases where amount_minor > refunded_minor
          window card as (partition by card_id order by created_at, id), store as (partition by card_id, store_id order by created_at, id)
        ) w on w.id = p.id
        where (p.prev_at, p.prev2_at, p.prev_at_store, p.prev2_at_store) is distinct from (w.prev_at, w.prev2_at, w.prev_at_store, w.prev2_at_store)`.execute(
        svc.services.db,
      )
    ).rows;
  // Distinct customers the slow way: group the day's counted purchases by card.
  const grouped = async (storeId?: string) =>
    (
      await sql<{ active: number; repeat: number }>`
        select count(*)::int as active, count(*) filter (where n >= 2)::int as repeat from (
          select p.card_id, count(*) as n from purchases p join stores s on s.id = p.store_id join programs g on g.id = s.program_id
          where g.slug = 'chain' and p.amount_minor > p.refunded_minor ${storeId ? sql`and p.store_id = ${storeId}` : sql``}
            and p.created_at >= (${day()}::date::timestamp at time zone ${TZ})
          group by p.card_id) x`.execute(svc.services.db)
    ).rows[0]!;

  it('stays exact through purchases at two stores, partial and full refunds, and a purchase older than one already recorded', async () => {
    await createProgram(svc, { slug: 'chain', name: 'Chain', timezone: TZ, welcomeBonus: 25, earnPercent: 10, maxRedeemPercent: 50 });
    const a = await createStore(svc, 'chain', { name: 'A', latitude: 55.7, longitude: 37.6 });
    const b = await createStore(svc, 'chain', { name: 'B', latitude: 55.8, longitude: 37.7 });
    const [posA, posB] = [await issueKey(svc, 'pos', a.id), await issueKey(svc, 'pos', b.id)];
    const cards = [];
    for (let i = 0; i < 4; i++) cards.push(await enrol(svc, { program: 'chain' }));
    const refund = async (key: string, receiptId: string, amount?: number) =>
      expect((await svc.api('POST', '/api/v1/pos/refunds', { receiptId, amount }, key, { 'idempotency-key': randomUUID() })).status).toBe(201);
    const buy = async (key: string, card: EnrolledCard, amount: number) => {
      const receiptId = randomUUID();
      const res = await svc.api('POST', '/api/v1/pos/purchases', { barcode: card.barcode, receiptId, amount }, key, { 'idempotency-key': randomUUID() });
      expect(res.status).toBe(201);
      return receiptId;
    };
    // Card 0: three at A and one at B. Card 1: two at A, the first fully refunded (one left).
    // Card 2: one at B, partly refunded (still counts). Card 3: two at B, the second fully refunded.
    await buy(posA, cards[0]!, 100);
    await buy(posB, cards[0]!, 200);
    await buy(posA, cards[0]!, 300);
    const c1first = await buy(posA, cards[1]!, 100);
    await buy(posA, cards[0]!, 400);
    await buy(posA, cards[1]!, 150);
    await refund(posA, c1first);
    await refund(posB, await buy(posB, cards[2]!, 500), 100);
    await buy(posB, cards[3]!, 100);
    await refund(posB, await buy(posB, cards[3]!, 250));
    expect(await chainDrift()).toEqual([]);

    const today = async (store?: string) => (await analytics('chain', `from=${day()}&to=${day()}${store ? `&store=${store}` : ''}`)).totals;
    expect(await today()).toMatchObject({ purchases: 7, activeCustomers: 4, repeatCustomers: 1 });
    expect(await today()).toMatchObject(await grouped().then((g) => ({ activeCustomers: g.active, repeatCustomers: g.repeat })));
    expect(await today(a.id)).toMatchObject({ purchases: 4, activeCustomers: 2, repeatCustomers: 1 });
    expect(await today(b.id)).toMatchObject({ purchases: 3, activeCustomers: 3, repeatCustomers: 0 });
    expect(await today(b.id)).toMatchObject(await grouped(b.id).then((g) => ({ activeCustomers: g.active, repeatCustomers: g.repeat })));

    // A purchase already recorded later than the next one's transaction began (it started first and
    // waited for the card's lock): the next one is not the card's latest, and the card's chain is rebuilt.
    const card2 = await cardRow(svc, cards[2]!.cardNumber);
    await sql`
      insert into purchases (card_id, store_id, program_id, receipt_id, amount_minor, redeemed_points, earned_points, created_at)
      values (${card2.id}, ${a.id}, ${card2.program_id}, ${randomUUID()}, 700, 0, 0, now() + interval '2 seconds')`.execute(svc.services.db);
    await buy(posA, cards[2]!, 800);
    expect(await chainDrift()).toEqual([]);
    expect(await today(a.id)).toMatchObject({ purchases: 6, activeCustomers: 3, repeatCustomers: 2 });
    expect(await today()).toMatchObject(await grouped().then((g) => ({ activeCustomers: g.active, repeatCustomers: g.repeat })));

    // Points spent on a purchase, then refunded: the figures read earn and redeem from the purchases
    // that posted them and the rest from the ledger, and agree with the ledger itself.
    const spend = randomUUID();
    const paid = await svc.api('POST', '/api/v1/pos/purchases', { barcode: cards[0]!.barcode, receiptId: spend, amount: 500, redeemPoints: 60 }, posA, {
      'idempotency-key': randomUUID(),
    });
    expect(paid.status).toBe(201);
    await refund(posA, spend, 250);
    const ledger = (
      await sql<{ kind: string; points: number }>`
        select kind, sum(points)::int as points from ledger_entries l join programs g on g.id = l.program_id
        where g.slug = 'chain' group by kind`.execute(svc.services.db)
    ).rows.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.kind]: r.points }), {});
    expect(ledger.redeem).toBe(-60);
    const points = (await today()).points;
    expect(points).toMatchObject({
      issued: ledger.earn! + ledger.welcome!,
      redeemed: -ledger.redeem! - (ledger.refund_redeem ?? 0),
      takenBack: -(ledger.refund_earn ?? 0),
    });
    const balances = await sql<{ n: number }>`select sum(balance)::int as n from cards c join programs g on g.id = c.program_id where g.slug = 'chain'`.execute(
      svc.services.db,
    );
    expect(points.liabilityAtEnd).toBe(balances.rows[0]!.n);

    // Full refunds of one card's purchases at once (each rebuilds the card's chain, writing its other
    // purchases): card first, then the purchase, in every path, so none waits on another in a circle.
    const receipts = [];
    for (let i = 0; i < 6; i++) receipts.push(await buy(posB, cards[1]!, 100 + i));
    const answers = await Promise.all(
      receipts.map((receiptId) => svc.api('POST', '/api/v1/pos/refunds', { receiptId }, posB, { 'idempotency-key': randomUUID() })),
    );
    expect(answers.map((r) => r.status)).toEqual(receipts.map(() => 201));
    expect(await chainDrift()).toEqual([]);
  });
});

describe('campaign attribution against a holdout', () => {
  let pos: string;
  const cards: EnrolledCard[] = [];

  beforeAll(async () => {
    await createProgram(svc, { slug: 'hold', name: 'Hold', timezone: TZ, welcomeBonus: 0, marketingCaps: { perDay: 10, perWeek: 50 } });
    pos = await issueKey(svc, 'pos', (await createStore(svc, 'hold', { name: 'Till', latitude: 55, longitude: 37 })).id);
    for (let i = 0; i < 50; i++) cards.push(await enrol(svc, { program: 'hold', marketing: true }));
    // Five of them have the pass on an iPhone.
    for (const c of cards.slice(0, 5)) await device(c, `hold-${c.serialNumber}`);
  });

  async function campaign(body: Record<string, unknown>) {
    const res = await svc.api('POST', '/api/v1/campaigns', { program: 'hold', message: 'Double points this week', ...body });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    await waitUntil(async () => (await svc.api('GET', `/api/v1/campaigns/${res.body.id}`)).body.status === 'completed');
    return (await svc.api('GET', `/api/v1/campaigns/${res.body.id}`)).body;
  }
  const statuses = async (id: string) =>
    new Map(
      (await svc.services.db.selectFrom('campaign_deliveries').select(['card_id', 'status']).where('campaign_id', '=', id).execute()).map((d) => [
        d.card_id,
        d.status,
      ]),
    );

  it('keeps a stratified, reproducible 20 % holdout; only recipients buy: uplift positive, its interval above zero', async () => {
    const done = await campaign({ holdoutPercent: 20, bonusPoints: 5 });
    expect(done.counts).toMatchObject({ targeted: 50, holdout: 10, sent: 40 });
    const status = await statuses(done.id);
    // Systematic over (tier, in a wallet, md5(campaign id, card id)): every 5th card is held out.
    const rows = await svc.services.db
      .selectFrom('cards')
      .select(['id', 'serial_number'])
      .where('program_id', '=', (await cardRow(svc, cards[0]!.cardNumber)).program_id)
      .execute();
    const inWallet = new Set(cards.slice(0, 5).map((c) => c.serialNumber));
    const ordered = [...rows].sort(
      (a, b) => Number(inWallet.has(a.serial_number)) - Number(inWallet.has(b.serial_number)) || md5(done.id + a.id).localeCompare(md5(done.id + b.id)),
    );
    const expected = new Set(ordered.filter((_, i) => Math.floor(((i + 1) * 20) / 100) > Math.floor((i * 20) / 100)).map((r) => r.id));
    expect(expected.size).toBe(10);
    expect(new Set([...status].filter(([, s]) => s === 'holdout').map(([id]) => id))).toEqual(expected);

    // 30 of the 40 recipients buy for 1000 each within the window; nobody in the holdout does.
    const recipients = cards.filter((c) => status.get(rowId(rows, c)) === 'sent');
    for (const c of recipients.slice(0, 30)) await tillPurchase(svc, pos, c.barcode, 1000);
    const report = (await svc.api('GET', `/api/v1/campaigns/${done.id}/report`)).body;
    const reached = cards.slice(0, 5).filter((c) => status.get(rowId(rows, c)) === 'sent').length;
    expect(report).toMatchObject({
      audience: 50,
      holdout: 10,
      recipients: 40,
      window: { days: 7, complete: false },
      delivered: { appleDevice: reached, googleNotified: 0, googleSilent: 0, notDelivered: 40 - reached, skipped: 0, pending: 0 },
      conversion: {
        recipients: { members: 40, converted: 30, conversionRate: 0.75, revenue: '30000.00', revenuePerMember: '750.00' },
        holdout: { members: 10, converted: 0, conversionRate: 0, revenue: '0.00', revenuePerMember: '0.00' },
      },
      pointsGranted: 200,
    });
    // Agresti–Caffo: (30+1)/(40+2) against (0+1)/(10+2).
    const [pr, ph] = [31 / 42, 1 / 12];
    const se = Math.sqrt((pr * (1 - pr)) / 42 + (ph * (1 - ph)) / 12);
    expect(report.conversion.uplift.value).toBe(0.75);
    expect(report.conversion.uplift.low).toBeCloseTo(pr - ph - 1.959964 * se, 3);
    expect(report.conversion.uplift.high).toBeCloseTo(pr - ph + 1.959964 * se, 3);
    expect(report.conversion.uplift.low).toBeGreaterThan(0);
    expect(report.conversion.revenuePerMemberUplift.value).toBe('750.00');
    expect(Number(report.conversion.revenuePerMemberUplift.low)).toBeGreaterThan(0);

    // The campaign's own counts say the same: a card in no wallet got the message but was not delivered.
    expect((await svc.api('GET', `/api/v1/campaigns/${done.id}`)).body.counts).toMatchObject({
      holdout: 10,
      sent: 40,
      sentApple: reached,
      notDelivered: 40 - reached,
    });

    const csv = await fetch(`${svc.url}/api/v1/campaigns/${done.id}/report/export`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines).toContain(`conversion_rate,0.75,0,0.75,${report.conversion.uplift.low},${report.conversion.uplift.high}`);
  });

  it('a campaign nobody buys after: uplift 0, its interval around zero (not collapsed to a point)', async () => {
    const done = await campaign({ holdoutPercent: 20, attributionDays: 3 });
    const report = (await svc.api('GET', `/api/v1/campaigns/${done.id}/report`)).body;
    // The purchases above were before this campaign started: outside its window.
    expect(report.window.days).toBe(3);
    expect(report.conversion.recipients).toMatchObject({ members: 40, converted: 0, conversionRate: 0 });
    expect(report.conversion.holdout).toMatchObject({ members: 10, converted: 0 });
    expect(report.conversion.uplift.value).toBe(0);
    const [p1, p2] = [1 / 42, 1 / 12];
    const half = 1.959964 * Math.sqrt((p1 * (1 - p1)) / 42 + (p2 * (1 - p2)) / 12);
    expect(report.conversion.uplift.low).toBeCloseTo(p1 - p2 - half, 3);
    expect(report.conversion.uplift.high).toBeCloseTo(p1 - p2 + half, 3);
    expect(report.conversion.uplift.low).toBeLessThan(0);
    expect(report.conversion.uplift.high).toBeGreaterThan(0);
  });

  it('without a holdout there is no uplift to claim; a wrong holdout is a 400 and creates nothing', async () => {
    const done = await campaign({});
    const report = (await svc.api('GET', `/api/v1/campaigns/${done.id}/report`)).body;
    expect(report.holdout).toBe(0);
    expect(report.conversion.uplift).toBeNull();
    const count = async () =>
      (
        await svc.services.db
          .selectFrom('campaigns')
          .select(sql<number>`count(*)::int`.as('n'))
          .executeTakeFirstOrThrow()
      ).n;
    const before = await count();
    for (const bad of [{ holdoutPercent: 95 }, { holdoutPercent: 12.5 }, { attributionDays: 0 }]) {
      const res = await svc.api('POST', '/api/v1/campaigns', { program: 'hold', message: 'x', ...bad });
      expect(res.status).toBe(400);
      expect(res.body.errors[0].field).toBe(Object.keys(bad)[0]);
    }
    expect(await count()).toBe(before);
    expect((await svc.api('GET', `/api/v1/campaigns/${randomUUID()}/report`)).status).toBe(404);
  });
});

describe('automations: the month of runs, against their holdouts', () => {
  it('pools the birthday runs of the month; a month without runs is empty', async () => {
    await createProgram(svc, {
      slug: 'bday',
      name: 'Birthdays',
      timezone: TZ,
      welcomeBonus: 0,
      birthdayAutomation: { daysBefore: 0, sendHour: 0, bonusPoints: 10, text: 'Happy birthday, {name}!', holdoutPercent: 50 },
    });
    const today = day();
    for (let i = 0; i < 4; i++) await enrol(svc, { program: 'bday', marketing: true, birthday: `1990-${today.slice(5)}` });
    const run = await svc.api('POST', '/api/v1/automations/birthday/run', { program: 'bday', date: today });
    expect(run.status).toBe(202);
    await waitUntil(async () => (await svc.api('GET', `/api/v1/campaigns/${run.body.campaignId}`)).body.status === 'completed');
    const report = (await svc.api('GET', `/api/v1/programs/bday/automations/birthday/report?month=${today.slice(0, 7)}`)).body;
    expect(report).toMatchObject({ campaigns: [run.body.campaignId], audience: 4, holdout: 2, recipients: 2, pointsGranted: 20 });
    expect(report.conversion.recipients).toMatchObject({ members: 2, converted: 0 });
    const empty = (await svc.api('GET', '/api/v1/programs/bday/automations/points-reminder/report?month=2020-01')).body;
    expect(empty).toMatchObject({ campaigns: [], audience: 0, conversion: { uplift: null } });
    expect((await svc.api('GET', '/api/v1/programs/bday/automations/birthday/report?month=2026-13')).body.errors[0].field).toBe('month');
  });
});

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const rowId = (rows: { id: string; serial_number: string }[], c: EnrolledCard) => rows.find((r) => r.serial_number === c.serialNumber)!.id;
