import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardRow, countRows, createProgram, createStore, enrol, issueKey } from './support/fixtures.js';
import { ADMIN_KEY, startTestService, type TestService } from './support/test-service.js';

let svc: TestService;
let pos: string; // a till of store 0
let otherPos: string; // a till of store 1
let storeIds: string[];

beforeAll(async () => {
  svc = await startTestService({ WORKERS: 'false' });
  await createProgram(svc, {
    slug: 'shop',
    name: 'Shop',
    earnPercent: 10,
    maxRedeemPercent: 30,
    welcomeBonus: 50,
    pointsExpireAfterMonths: 12,
    tiers: [
      { name: 'Silver', minSpend: 0, earnPercent: 10 },
      { name: 'Gold', minSpend: '1000', earnPercent: 15 },
    ],
  });
  storeIds = [];
  for (const name of ['A', 'B']) storeIds.push((await createStore(svc, 'shop', { name, latitude: 55.7, longitude: 37.6 })).id);
  pos = await issueKey(svc, 'pos', storeIds[0]);
  otherPos = await issueKey(svc, 'pos', storeIds[1]);
});
afterAll(() => svc?.stop());

const newCard = async (program = 'shop') => (await enrol(svc, { program, name: 'Ivan Petrov' })).cardNumber;

async function till(method: string, path: string, body?: unknown, opts: { key?: string; idem?: string | null } = {}) {
  const headers: Record<string, string> = { authorization: `Bearer ${opts.key ?? pos}`, 'content-type': 'application/json' };
  const idem = opts.idem === undefined ? randomUUID() : opts.idem;
  if (idem) headers['idempotency-key'] = idem;
  const res = await fetch(svc.url + '/api/v1/pos' + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any, replayed: res.headers.get('idempotent-replayed') };
}
const buy = (barcode: string, amount: string | number, redeemPoints?: number, opts?: { key?: string; idem?: string | null; receiptId?: string }) =>
  till('POST', '/purchases', { barcode, receiptId: opts?.receiptId ?? randomUUID(), amount, ...(redeemPoints !== undefined && { redeemPoints }) }, opts);

/** Moves every lot of the card to expire at `when`. */
async function expireLotsOn(cardNumber: string, when: string) {
  const { id } = await cardRow(svc, cardNumber);
  await svc.services.db
    .updateTable('point_lots')
    .set({ expires_at: new Date(when) })
    .where('card_id', '=', id)
    .execute();
}

async function invariant(cardNumber: string) {
  const card = await cardRow(svc, cardNumber);
  const { rows } = await sql<{ ledger: number; lots: number }>`
    select (select coalesce(sum(points), 0)::int from ledger_entries where card_id = ${card.id}) as ledger,
           (select coalesce(sum(remaining), 0)::int from point_lots where card_id = ${card.id}) as lots`.execute(svc.services.db);
  expect(rows[0]).toEqual({ ledger: card.balance, lots: card.balance });
  return card.balance;
}

describe('earning and redeeming', () => {
  it('grants the welcome bonus on enrolment, in the ledger', async () => {
    const card = await newCard();
    const tx = await svc.api('GET', `/api/v1/cards/${card}/transactions`);
    expect(tx.body.items).toEqual([expect.objectContaining({ kind: 'welcome', points: 50 })]);
    expect(await invariant(card)).toBe(50);
  });

  it('looks a card up at the till with what points may pay', async () => {
    const card = await newCard();
    const res = await till('GET', `/cards/${card}?amount=100`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ cardNumber: card, firstName: 'Ivan', tier: 'Silver', balance: 50, maxRedeemPoints: 30 });
    expect((await till('GET', `/cards/${card}?amount=1000`)).body.maxRedeemPoints).toBe(50); // the balance caps it
    expect((await till('GET', '/cards/123456789012')).status).toBe(404);
  });

  it('earns 10% of the paid part, rounded down to whole points', async () => {
    const card = await newCard();
    const res = await buy(card, '1234.56');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ earned: 123, redeemed: 0, balance: 173, tier: 'Gold', tierChanged: true });
  });

  it('redeems within the 30% cap and earns on what was paid in money', async () => {
    const card = await newCard();
    const res = await buy(card, 100, 30);
    expect(res.body).toMatchObject({ earned: 7, redeemed: 30, balance: 27 });
    const over = await buy(card, 100, 28);
    expect(over.status).toBe(422);
    expect(over.body.maxRedeemPoints).toBe(27);
    expect(await invariant(card)).toBe(27);
  });

  it('refuses redeeming over the cap and writes nothing', async () => {
    const card = await newCard();
    const jobsBefore = await countRows(svc, 'jobs');
    const purchasesBefore = await countRows(svc, 'purchases');
    const res = await buy(card, 100, 31);
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ maxRedeemPoints: 30, balance: 50 });
    expect(res.body.detail).toContain('30');
    expect(await countRows(svc, 'purchases')).toBe(purchasesBefore);
    expect(await countRows(svc, 'jobs')).toBe(jobsBefore);
    expect(await invariant(card)).toBe(50);
  });

  it('moves the tier up when spend crosses the threshold and earns at the new rate', async () => {
    const card = await newCard();
    expect((await buy(card, 999)).body).toMatchObject({ earned: 99, tier: 'Silver', tierChanged: false });
    expect((await buy(card, 1)).body).toMatchObject({ earned: 0, tier: 'Gold', tierChanged: true });
    expect((await buy(card, 100)).body).toMatchObject({ earned: 15, tier: 'Gold' });
  });

  it('queues a wallet update in the same transaction as the balance change', async () => {
    const card = await newCard();
    const row = await cardRow(svc, card);
    await buy(card, 10);
    const after = await svc.services.db.selectFrom('cards').select('pass_version').where('id', '=', row.id).executeTakeFirstOrThrow();
    expect(after.pass_version).toBeGreaterThan(row.pass_version);
    const jobs = await svc.services.db.selectFrom('jobs').select('kind').where('dedupe_key', '=', row.id).execute();
    expect(jobs.map((j) => j.kind)).toContain('apple.card-changed');
  });
});

describe('exactly once', () => {
  it('replays the first result for a repeated Idempotency-Key and changes nothing', async () => {
    const card = await newCard();
    const idem = randomUUID();
    const first = await buy(card, 500, 0, { idem, receiptId: 'R-1' });
    const again = await buy(card, 500, 0, { idem, receiptId: 'R-1' });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.replayed).toBe('true');
    expect(await invariant(card)).toBe(100);
    const reused = await buy(card, 600, 0, { idem, receiptId: 'R-1' });
    expect(reused.status).toBe(422);
    expect(reused.body.detail).toContain('different request');
  });

  it('scopes keys per store and refuses the same receipt twice', async () => {
    const card = await newCard();
    const idem = randomUUID();
    expect((await buy(card, 100, 0, { idem, receiptId: 'SAME' })).status).toBe(201);
    const dup = await buy(card, 100, 0, { receiptId: 'SAME' });
    expect(dup.status).toBe(409);
    // Another store may use the same key and the same receipt number.
    expect((await buy(card, 100, 0, { idem, receiptId: 'SAME', key: otherPos })).status).toBe(201);
    expect(await invariant(card)).toBe(70);
  });

  it('never overdraws a card under concurrent redemptions', async () => {
    const card = await newCard();
    await svc.api('POST', `/api/v1/cards/${card}/points`, { points: 50, reason: 'top-up' }, undefined, { 'idempotency-key': randomUUID() });
    // Balance 100; each success: -30 +7. Whatever the order: 100 → 77 → 54 → 31 → 8.
    const results = await Promise.all(Array.from({ length: 10 }, () => buy(card, 100, 30)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(4);
    expect(results.filter((r) => r.status === 422)).toHaveLength(6);
    expect(await invariant(card)).toBe(8);
  });
});

describe('50 parallel purchases on one card', () => {
  it('leave the exact expected balance', async () => {
    await createProgram(svc, { slug: 'flat', name: 'Flat', welcomeBonus: 1000, maxRedeemPercent: 30, earnPercent: 10 });
    const store = await createStore(svc, 'flat', { name: 'F', latitude: 1, longitude: 1 });
    const key = await issueKey(svc, 'pos', store.id);
    const card = await newCard('flat');
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => buy(card, 100, i % 2 === 0 ? 30 : 0, { key })));
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(201));
    expect(Math.min(...results.map((r) => r.body.balance))).toBeGreaterThanOrEqual(0);
    // 1000 + 25 × (−30 + 7) + 25 × 10
    expect(await invariant(card)).toBe(1000 - 25 * 23 + 25 * 10);
  });
});

describe('refunds', () => {
  it('takes back earned points in proportion, exactly over several partial refunds', async () => {
    const card = await newCard();
    await buy(card, 333, 0, { receiptId: 'P-1' }); // earned 33
    const r1 = await till('POST', '/refunds', { receiptId: 'P-1', amount: 111 });
    expect(r1.status).toBe(201);
    expect(r1.body).toMatchObject({ refunded: '111.00', pointsTakenBack: 11, pointsReturned: 0, balance: 72 });
    const r2 = await till('POST', '/refunds', { receiptId: 'P-1' }); // the rest
    expect(r2.body).toMatchObject({ refunded: '222.00', pointsTakenBack: 22, balance: 50 });
    expect((await till('POST', '/refunds', { receiptId: 'P-1' })).status).toBe(409);
    expect(await invariant(card)).toBe(50);
  });

  it('returns redeemed points in proportion and refuses refunding more than is left', async () => {
    const card = await newCard();
    await buy(card, 100, 30, { receiptId: 'P-2' }); // 50 − 30 + 7 = 27
    const half = await till('POST', '/refunds', { receiptId: 'P-2', amount: 50 });
    expect(half.body).toMatchObject({ pointsReturned: 15, pointsTakenBack: 3, balance: 39 });
    const tooMuch = await till('POST', '/refunds', { receiptId: 'P-2', amount: '50.01' });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.refundable).toBe('50.00');
    const rest = await till('POST', '/refunds', { receiptId: 'P-2', amount: '50.00' });
    expect(rest.body).toMatchObject({ pointsReturned: 15, pointsTakenBack: 4, balance: 50 });
    expect(await invariant(card)).toBe(50);
  });

  it('takes back only what is left when the points were already spent', async () => {
    const card = await newCard();
    expect(
      (await svc.api('POST', `/api/v1/cards/${card}/points`, { points: 1000, reason: 'gift' }, undefined, { 'idempotency-key': randomUUID() })).status,
    ).toBe(201);
    await buy(card, 1000, 0, { receiptId: 'P-3' }); // +100 → 1150
    await buy(card, 10000, 1150); // spend everything (cap 3000)
    const r = await till('POST', '/refunds', { receiptId: 'P-3' });
    expect(r.body).toMatchObject({ pointsTakenBack: expect.any(Number), unrecoveredPoints: expect.any(Number) });
    expect(r.body.pointsTakenBack + r.body.unrecoveredPoints).toBe(100);
    expect(r.body.balance).toBeGreaterThanOrEqual(0);
    await invariant(card);
  });

  it('404 for an unknown receipt, only at the store that sold it', async () => {
    const card = await newCard();
    await buy(card, 100, 0, { receiptId: 'P-4' });
    expect((await till('POST', '/refunds', { receiptId: 'P-4' }, { key: otherPos })).status).toBe(404);
    expect((await till('POST', '/refunds', { receiptId: 'NOPE' })).status).toBe(404);
  });
});

describe('bad input at the till', () => {
  it('400 for malformed amounts and a missing Idempotency-Key; 409 for a voided card', async () => {
    const card = await newCard();
    for (const amount of ['12.345', 'abc', -5, '1e3', '']) {
      const res = await buy(card, amount as never);
      expect(res.status).toBe(400);
      expect(res.body.errors[0].field).toBe('amount');
    }
    const noKey = await buy(card, 10, 0, { idem: null });
    expect(noKey.status).toBe(400);
    expect(noKey.body.errors[0].field).toBe('Idempotency-Key');
    const details = await svc.api('GET', `/api/v1/cards/${card}`);
    await svc.api('DELETE', `/api/v1/customers/${details.body.customerId}`);
    const voided = await buy(card, 10);
    expect(voided.status).toBe(409);
    expect((await svc.api('PATCH', `/api/v1/cards/${card}`, { status: 'active' })).status).toBe(409);
    expect((await till('GET', `/cards/${card}`)).status).toBe(409);
    expect(await invariant(card)).toBe(50);
  });

  it('409 for a blocked card, and it works again once unblocked', async () => {
    const card = await newCard();
    const blocked = await svc.api('PATCH', `/api/v1/cards/${card}`, { status: 'blocked' });
    expect(blocked.status).toBe(200);
    expect(blocked.body.status).toBe('blocked');
    expect((await buy(card, 10)).status).toBe(409);
    expect((await till('GET', `/cards/${card}`)).status).toBe(409);
    expect((await svc.api('PATCH', `/api/v1/cards/${card}`, { status: 'voided' })).status).toBe(400);
    expect((await svc.api('PATCH', `/api/v1/cards/${card}`, { status: 'active' })).body.status).toBe('active');
    expect((await buy(card, 10)).status).toBe(201);
    expect(await invariant(card)).toBe(51);
  });

  it('keeps tills to their role and their program', async () => {
    expect((await svc.api('POST', '/api/v1/pos/purchases', { barcode: 'x', receiptId: 'x', amount: 1 })).status).toBe(403);
    await createProgram(svc, { slug: 'elsewhere', name: 'Elsewhere' });
    const foreign = await newCard('elsewhere');
    expect((await buy(foreign, 10)).status).toBe(404);
  });
});

describe('manual points and expiry', () => {
  it('adjusts points idempotently and never below zero', async () => {
    const card = await newCard();
    const idem = randomUUID();
    const headers = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json', 'idempotency-key': idem };
    const post = (body: unknown, h = headers) => fetch(`${svc.url}/api/v1/cards/${card}/points`, { method: 'POST', headers: h, body: JSON.stringify(body) });
    expect((await post({ points: 25, reason: 'apology' })).status).toBe(201);
    expect((await post({ points: 25, reason: 'apology' })).status).toBe(201);
    expect(await invariant(card)).toBe(75);
    const tooMuch = await post({ points: -76, reason: 'fix' }, { ...headers, 'idempotency-key': randomUUID() });
    expect(tooMuch.status).toBe(422);
    expect((await post({ points: 0, reason: 'x' }, { ...headers, 'idempotency-key': randomUUID() })).status).toBe(400);
    expect(await invariant(card)).toBe(75);
  });

  it('burns expired points oldest first', async () => {
    const card = await newCard(); // welcome 50, expires in 12 months
    const { id } = await cardRow(svc, card);
    await buy(card, 400); // +40, also in 12 months
    // Age the welcome lot: it now expires in a month, the purchase's lot in a year.
    const soon = new Date(Date.now() + 30 * 86_400_000);
    await svc.services.db.updateTable('point_lots').set({ expires_at: soon }).where('card_id', '=', id).where('points', '=', 50).execute();
    await buy(card, 100, 30); // −30 from the welcome lot first, +7 → 67
    expect(await svc.services.points.expire(new Date(Date.now() + 60 * 86_400_000))).toBe(1);
    expect(await invariant(card)).toBe(47); // 20 left of the welcome lot burnt
    const tx = await svc.api('GET', `/api/v1/cards/${card}/transactions?limit=1`);
    expect(tx.body.items[0]).toMatchObject({ kind: 'expiry', points: -20 });
    expect(await svc.services.points.expire(new Date(Date.now() + 60 * 86_400_000))).toBe(0);
    expect(await svc.services.points.expire(new Date(Date.now() + 400 * 86_400_000))).toBeGreaterThanOrEqual(1);
    expect(await invariant(card)).toBe(0);
  });

  it('the hourly expiry burns only in the program’s local daytime, so "Balance:" never lights a phone at night', async () => {
    // "shop" keeps its time in UTC; Vladivostok is UTC+10.
    await createProgram(svc, { slug: 'east', name: 'East', welcomeBonus: 30, timezone: 'Asia/Vladivostok' });
    const west = await newCard();
    const east = await newCard('east');
    for (const card of [west, east]) await expireLotsOn(card, '2026-01-01T00:00:00Z');
    const expire = (at: string) => svc.services.points.expire(new Date(at), { localDaytime: true });
    expect(await expire('2026-06-01T03:00:00Z')).toBe(1); // 03:00 in UTC is night; 13:00 in Vladivostok is day
    expect(await invariant(east)).toBe(0);
    expect(await invariant(west)).toBeGreaterThan(0);
    expect(await expire('2026-06-01T22:00:00Z')).toBe(0); // 22:00 UTC, 08:00 in Vladivostok: night for both
    expect(await expire('2026-06-01T12:00:00Z')).toBe(1); // the morning after, the UTC card's points go
    expect(await invariant(west)).toBe(0);
  });

  it('a time zone Intl knows but PostgreSQL does not never stops expiry for the others', async () => {
    // The zone is validated with Intl; the daytime check uses Intl too, never PostgreSQL's zone list.
    const zone = 'US/Pacific-New';
    const intlKnows = (() => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: zone });
        return true;
      } catch {
        return false;
      }
    })();
    const created = await svc.api('POST', '/api/v1/programs', { slug: 'oddzone', name: 'Odd zone', timezone: zone });
    expect(created.status).toBe(intlKnows ? 201 : 400);
    const card = await newCard();
    await expireLotsOn(card, '2026-01-01T00:00:00Z');
    expect(await svc.services.points.expire(new Date('2026-06-02T12:00:00Z'), { localDaytime: true })).toBeGreaterThanOrEqual(1);
    expect(await invariant(card)).toBe(0);
  });
});
