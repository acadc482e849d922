import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RestockService, restockUnsubscribeUrl } from '../src/engagement/restock/restock-service.js';
import type { FakeApns } from './support/fake-apns.js';
import { startAppleStandIn } from './support/apple-stand-in.js';
import { cardRow, createProgramWithStores, enrol as enrolCustomer, issueKey } from './support/fixtures.js';
import { startTestService, type TestService } from './support/test-service.js';

const PASS_TYPE_ID = 'pass.test.wallet-loyalty';
const TEAM_ID = 'TESTTEAM01';

let svc: TestService;
let apns: FakeApns;
let dataDir: string;
let north: any, south: any, east: any, otherStore: any;
let posNorth: string, posOther: string, marketer: string;

interface TestCard {
  number: string;
  id: string;
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'wl-restock-'));
  const standIn = await startAppleStandIn(dataDir, { passTypeIdentifier: PASS_TYPE_ID, teamIdentifier: TEAM_ID });
  apns = standIn.apns;
  // No background workers: the outbox is inspected as the restock left it, then drained by hand.
  svc = await startTestService({ ...standIn.env, WORKERS: 'false' });
  ({
    stores: [north, south, east],
  } = await createProgramWithStores(svc, 'shop'));
  const other = await createProgramWithStores(svc, 'other');
  otherStore = other.stores[0];
  posNorth = await issueKey(svc, 'pos', north.id);
  posOther = await issueKey(svc, 'pos', otherStore.id);
  marketer = await issueKey(svc, 'marketer');
  await settle();
});

afterAll(async () => {
  await svc?.stop();
  await apns?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const db = () => svc.services.db;

/** Runs every queued job (wallet pushes included), so the next check sees only new ones. */
const settle = () => svc.services.jobs.drain();

async function enrol(program = 'shop', marketing = false): Promise<TestCard> {
  // No marketing consent: a back-in-stock notice is asked for by the customer, it is not marketing.
  const { cardNumber } = await enrolCustomer(svc, { program, name: 'Vera', marketing });
  return { number: cardNumber, id: (await cardRow(svc, cardNumber)).id };
}

const subscribe = (body: Record<string, unknown>, key?: string | null) => svc.api('POST', '/api/v1/restock-subscriptions', body, key);
const restock = (body: Record<string, unknown>, key?: string | null) => svc.api('POST', '/api/v1/restocks', body, key);

async function subscribed(card: TestCard, body: Record<string, unknown>, key?: string) {
  const res = await subscribe({ cardNumber: card.number, title: 'Linen shirt', ...body }, key);
  expect(res.status).toBe(201);
  return res.body;
}

/** Cards with a queued Apple "card changed" job (the outbox the restock wrote). */
async function queuedCards(): Promise<string[]> {
  const rows = await db().selectFrom('jobs').select('dedupe_key').where('kind', '=', 'apple.card-changed').execute();
  return rows.map((r) => r.dedupe_key!).sort();
}

const ids = (...cards: TestCard[]) => cards.map((c) => c.id).sort();
const messageOf = async (card: TestCard) => (await svc.api('GET', `/api/v1/cards/${card.number}`)).body.message as string | null;
const statusOf = async (id: string) => (await db().selectFrom('restock_subscriptions').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;

async function registerDevice(card: TestCard, pushToken: string): Promise<void> {
  const device = `dev${pushToken.slice(0, 20)}`;
  await db().insertInto('apple_devices').values({ device_library_id: device, pass_type_id: PASS_TYPE_ID, push_token: pushToken }).execute();
  await db().insertInto('apple_registrations').values({ device_library_id: device, pass_type_id: PASS_TYPE_ID, card_id: card.id }).execute();
}

describe('who is notified', () => {
  let a: TestCard, b: TestCard, c: TestCard, d: TestCard, e: TestCard, f: TestCard, g: TestCard, h: TestCard;
  const tokenA = 'a1'.repeat(32);
  const tokenB = 'b2'.repeat(32);

  beforeAll(async () => {
    [a, b, c, d, e, f, g] = [await enrol(), await enrol(), await enrol(), await enrol(), await enrol(), await enrol(), await enrol()];
    h = await enrol('other');
    await subscribed(a, { sku: 'SHIRT-1', size: 'M' }); // size M, any store
    await subscribed(b, { sku: 'SHIRT-1', size: 'L' }); // size L, any store
    await subscribed(c, { sku: 'SHIRT-1' }); // any size, any store
    await subscribed(d, { sku: 'SHIRT-1', size: 'M', storeId: north.id });
    await subscribed(e, { sku: 'SHIRT-1', size: 'M', storeId: south.id });
    await subscribed(f, { sku: 'SHIRT-1', storeId: south.id }); // any size, South
    await subscribed(g, { sku: 'SHOE-9', size: 'M' }); // another item
    await subscribed(h, { sku: 'SHIRT-1', size: 'M' }); // another program
    await settle();
    await registerDevice(a, tokenA);
    await registerDevice(b, tokenB);
  });

  it('a restock of size M at North notifies size M or any size, for North or any store, and pushes to their phones', async () => {
    const res = await restock({ program: 'shop', sku: 'SHIRT-1', size: 'M', storeId: north.id });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ restockId: expect.any(String), notified: 3, cancelled: 0 });
    expect(await queuedCards()).toEqual(ids(a, c, d));

    expect(await messageOf(a)).toBe('Linen shirt снова в наличии, размер M, North');
    expect(await messageOf(c)).toBe('Linen shirt снова в наличии, размер M, North');
    expect(await messageOf(d)).toBe('Linen shirt снова в наличии, размер M, North');
    for (const other of [b, e, f, g, h]) expect(await messageOf(other)).toBeNull();

    const subs = await db()
      .selectFrom('restock_subscriptions')
      .select(['card_id', 'status', 'restock_id', 'notified_at'])
      .where('status', '=', 'notified')
      .execute();
    expect(subs.map((s) => s.card_id).sort()).toEqual(ids(a, c, d));
    for (const s of subs) expect(s).toMatchObject({ restock_id: res.body.restockId, notified_at: expect.any(Date) });
    const row = await db().selectFrom('restocks').selectAll().where('id', '=', res.body.restockId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ sku: 'SHIRT-1', size: 'M', store_id: north.id, notified_count: 3, lang: 'ru' });

    const before = apns.requests.length;
    await settle();
    const pushed = apns.requests.slice(before).map((r) => r.token);
    expect(pushed).toEqual([tokenA]); // b was not notified: its phone hears nothing
    expect(apns.requests.at(-1)!.body).toBe('{}');
  });

  it('the same restock again notifies nobody: each subscription is notified once', async () => {
    const res = await restock({ program: 'shop', sku: 'SHIRT-1', size: 'M', storeId: north.id });
    expect(res.status).toBe(202);
    expect(res.body.notified).toBe(0);
    expect(await queuedCards()).toEqual([]);
  });

  it('a restock of every size at every store notifies the rest of the program, in English when asked', async () => {
    const res = await restock({ program: 'shop', sku: 'SHIRT-1', lang: 'en' });
    expect(res.body.notified).toBe(3);
    expect(await queuedCards()).toEqual(ids(b, e, f));
    expect(await messageOf(b)).toBe('Linen shirt is back in size L');
    expect(await messageOf(e)).toBe('Linen shirt is back in size M at South');
    expect(await messageOf(f)).toBe('Linen shirt is back in stock at South');
    expect(await messageOf(a)).toBe('Linen shirt снова в наличии, размер M, North'); // untouched
    expect(await messageOf(g)).toBeNull();
    expect(await messageOf(h)).toBeNull();
    await settle();
  });

  it('a restock at East does not reach a subscription for South; one without a size reaches any size', async () => {
    const x = await enrol();
    const y = await enrol();
    await subscribed(x, { sku: 'COAT', size: 'S', storeId: south.id, title: 'Wool coat' });
    await subscribed(y, { sku: 'COAT', size: 'XL', title: 'Wool coat' });
    await settle();
    expect((await restock({ program: 'shop', sku: 'COAT', storeId: east.id })).body.notified).toBe(1);
    expect(await queuedCards()).toEqual(ids(y));
    expect(await messageOf(y)).toBe('Wool coat снова в наличии, размер XL, East');
    expect((await restock({ program: 'shop', sku: 'COAT', size: 'M' })).body.notified).toBe(0);
    expect((await restock({ program: 'shop', sku: 'coat', size: 'S' })).body.notified).toBe(0); // skus match exactly
    expect((await restock({ program: 'shop', sku: 'COAT', size: 'S' })).body.notified).toBe(1);
    expect(await messageOf(x)).toBe('Wool coat снова в наличии, размер S, South');
    await settle();
  });
});

describe('concurrent restocks', () => {
  it('two (and three) restocks at once notify every subscriber exactly once', async () => {
    const cards: TestCard[] = [];
    for (let i = 0; i < 30; i++) cards.push(await enrol());
    for (const [i, card] of cards.entries()) await subscribed(card, { sku: 'RACE', size: i % 2 ? 'M' : null, title: 'Race bib' });
    await settle();

    // A second service on the same database with tiny batches: many short transactions interleave.
    const smallBatches = new RestockService(svc.services.uow, svc.services.cards, svc.services.programs, svc.services.outbox, { batchSize: 3 });
    const [first, second, third] = await Promise.all([
      restock({ program: 'shop', sku: 'RACE', size: 'M' }),
      restock({ program: 'shop', sku: 'RACE', size: 'M' }),
      smallBatches.restock({ program: 'shop', sku: 'RACE', size: 'M', lang: 'ru' }, { tillStoreId: null }),
    ]);
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(first.body.notified + second.body.notified + third.notified).toBe(30);
    const counts = await db()
      .selectFrom('restocks')
      .select('notified_count')
      .where('id', 'in', [first.body.restockId, second.body.restockId, third.restockId])
      .execute();
    expect(counts.reduce((sum, r) => sum + r.notified_count, 0)).toBe(30);
    const subs = await db().selectFrom('restock_subscriptions').select(['card_id', 'status']).where('sku', '=', 'RACE').execute();
    expect(subs).toHaveLength(30);
    expect(subs.every((s) => s.status === 'notified')).toBe(true);
    expect(await queuedCards()).toEqual(ids(...cards));
    expect((await restock({ program: 'shop', sku: 'RACE' })).body.notified).toBe(0);
    await settle();
  });
});

describe('subscribing', () => {
  it('returns the open subscription again with 200 (same card, sku, size and store)', async () => {
    const card = await enrol();
    const first = await subscribe({ cardNumber: card.number, sku: 'HAT', size: 'M', title: 'Straw hat' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      id: expect.any(String),
      program: 'shop',
      cardNumber: card.number,
      sku: 'HAT',
      size: 'M',
      storeId: null,
      title: 'Straw hat',
      status: 'open',
      notifiedAt: null,
      restockId: null,
      created: true,
    });
    expect(first.body.unsubscribeUrl).toMatch(new RegExp(`^${svc.url}/restock/unsubscribe/[A-Za-z0-9_-]{32,}$`));
    const token = first.body.unsubscribeUrl.split('/').at(-1);
    expect(restockUnsubscribeUrl(`${svc.url}/`, token)).toBe(first.body.unsubscribeUrl);

    const again = await subscribe({ cardNumber: card.number, sku: 'HAT', size: 'M', title: 'Straw hat (again)' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: first.body.id, title: 'Straw hat', created: false });
    // Concurrent duplicates end with one open subscription.
    const many = await Promise.all([1, 2, 3, 4].map(() => subscribe({ cardNumber: card.number, sku: 'HAT', title: 'Straw hat' }, marketer)));
    expect(many.filter((r) => r.status === 201)).toHaveLength(1);
    expect(new Set(many.map((r) => r.body.id)).size).toBe(1);
    // Another size or store is another subscription.
    expect((await subscribe({ cardNumber: card.number, sku: 'HAT', size: 'L', title: 'Straw hat' })).status).toBe(201);
    expect((await subscribe({ cardNumber: card.number, sku: 'HAT', size: 'M', storeId: north.id, title: 'Straw hat' })).status).toBe(201);
    expect(await db().selectFrom('restock_subscriptions').select('id').where('card_id', '=', card.id).where('status', '=', 'open').execute()).toHaveLength(4);
  });

  it('cancels through the API; a cancelled subscription is not notified and may be opened again', async () => {
    const card = await enrol();
    const sub = await subscribed(card, { sku: 'SCARF' });
    const cancelled = await svc.api('DELETE', `/api/v1/restock-subscriptions/${sub.id}`, undefined, marketer);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ id: sub.id, status: 'cancelled', cancelledAt: expect.any(String) });
    expect((await svc.api('DELETE', `/api/v1/restock-subscriptions/${sub.id}`)).status).toBe(200); // again: unchanged
    await settle();
    expect((await restock({ program: 'shop', sku: 'SCARF' })).body.notified).toBe(0);
    expect(await queuedCards()).toEqual([]);
    const reopened = await subscribe({ cardNumber: card.number, sku: 'SCARF', title: 'Linen shirt' });
    expect(reopened.status).toBe(201);
    expect(reopened.body.id).not.toBe(sub.id);
  });
});

describe('the unsubscribe link', () => {
  it('GET shows the subscription and a button and changes nothing; POST cancels; a restock then skips it', async () => {
    const card = await enrol();
    const sub = await subscribed(card, { sku: 'BOOT', size: '42', storeId: south.id, title: 'Chelsea boots <black>' });
    const url = sub.unsubscribeUrl as string;

    for (let i = 0; i < 2; i++) {
      const page = await fetch(url, { headers: { 'accept-language': 'ru' } });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(page.headers.get('cache-control')).toBe('private, no-store');
      expect(page.headers.get('referrer-policy')).toBe('no-referrer');
      const body = await page.text();
      expect(body).toContain('<form method="post"');
      expect(body).toContain('Отказаться от уведомления');
      expect(body).toContain('Chelsea boots &lt;black&gt;'); // escaped
      expect(body).toContain('South');
      expect(body).toContain('42');
    }
    const english = await (await fetch(`${url}?lang=en`)).text();
    expect(english).toContain('Stop this notification');
    expect(english).toContain(`action="/restock/unsubscribe/${url.split('/').at(-1)}?lang=en"`);
    expect(await statusOf(sub.id)).toBe('open');

    const posted = await fetch(`${url}?lang=en`, { method: 'POST' });
    expect(posted.status).toBe(200);
    const confirmation = await posted.text();
    expect(confirmation).toContain('Notification stopped');
    expect(confirmation).not.toContain('<form');
    expect(await statusOf(sub.id)).toBe('cancelled');
    expect((await fetch(url, { method: 'POST' })).status).toBe(200); // twice: still cancelled
    expect(await (await fetch(`${url}?lang=en`)).text()).toContain('Notification stopped');

    await settle();
    expect((await restock({ program: 'shop', sku: 'BOOT', size: '42', storeId: south.id })).body.notified).toBe(0);
    expect(await queuedCards()).toEqual([]);
    expect(await messageOf(card)).toBeNull();
  });

  it('after the notification the page says so, and POST changes nothing', async () => {
    const card = await enrol();
    const sub = await subscribed(card, { sku: 'GLOVES', title: 'Gloves' });
    await restock({ program: 'shop', sku: 'GLOVES', lang: 'en' });
    await settle();
    const page = await (await fetch(`${sub.unsubscribeUrl}?lang=en`)).text();
    expect(page).toContain('We have already told you');
    expect(page).not.toContain('<form');
    expect((await fetch(sub.unsubscribeUrl, { method: 'POST' })).status).toBe(200);
    expect(await statusOf(sub.id)).toBe('notified');
  });

  it('an unknown or malformed token is a 404 page', async () => {
    for (const token of ['x'.repeat(32), 'short', 'a'.repeat(43)]) {
      const get = await fetch(`${svc.url}/restock/unsubscribe/${token}`);
      expect(get.status).toBe(404);
      expect(get.headers.get('content-type')).toContain('text/html');
      expect((await fetch(`${svc.url}/restock/unsubscribe/${token}`, { method: 'POST' })).status).toBe(404);
    }
  });
});

describe('one transaction', () => {
  it('a subscription exists only together with the pass change that lists it', async () => {
    const card = await enrol();
    const outbox = svc.services.outbox;
    const cardChanged = outbox.cardChanged.bind(outbox);
    outbox.cardChanged = async () => {
      throw new Error('database gone mid-way');
    };
    try {
      expect((await subscribe({ cardNumber: card.number, sku: 'ATOMIC', title: 'Atomic' })).status).toBe(500);
    } finally {
      outbox.cardChanged = cardChanged;
    }
    const rows = await db().selectFrom('restock_subscriptions').select('id').where('card_id', '=', card.id).where('sku', '=', 'ATOMIC').execute();
    expect(rows).toEqual([]);
  });
});

describe('refusals', () => {
  it('400 names the offending field', async () => {
    const card = await enrol();
    const field = async (res: { status: number; body: any; headers: Headers }) => {
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      return res.body.errors.map((e: any) => e.field);
    };
    expect(await field(await subscribe({ cardNumber: card.number, sku: 'X' }))).toEqual(['title']);
    expect(await field(await subscribe({ cardNumber: card.number, sku: '  ', title: 'T' }))).toEqual(['sku']);
    expect(await field(await subscribe({ cardNumber: card.number, sku: 'X', title: 'Two\nlines' }))).toEqual(['title']);
    expect(await field(await subscribe({ cardNumber: card.number, sku: 'X', title: 'T', storeId: 'north' }))).toEqual(['storeId']);
    expect(await field(await subscribe({ cardNumber: card.number, sku: 'X', title: 'T', colour: 'red' }))).toEqual(['(body)']);
    const foreign = await subscribe({ cardNumber: card.number, sku: 'X', title: 'T', storeId: otherStore.id });
    expect(await field(foreign)).toEqual(['storeId']);
    expect(foreign.body.detail).toContain('storeId');

    expect(await field(await restock({ program: 'nope', sku: 'X' }))).toEqual(['program']);
    expect(await field(await restock({ program: 'shop', sku: 'X', storeId: otherStore.id }))).toEqual(['storeId']);
    expect(await field(await restock({ program: 'shop', sku: 'X', lang: 'de' }))).toEqual(['lang']);
    expect(await field(await restock({ program: 'shop' }))).toEqual(['sku']);
  });

  it('401 without a key, 403 for the wrong role', async () => {
    const card = await enrol();
    const sub = await subscribed(card, { sku: 'ROLE' });
    expect((await subscribe({ cardNumber: card.number, sku: 'ROLE', title: 'T' }, null)).status).toBe(401);
    expect((await svc.api('DELETE', `/api/v1/restock-subscriptions/${sub.id}`, undefined, posNorth)).status).toBe(403);
    expect((await restock({ program: 'shop', sku: 'ROLE' }, null)).status).toBe(401);
    expect(await statusOf(sub.id)).toBe('open');
  });

  it('404 for an unknown card or subscription', async () => {
    expect((await subscribe({ cardNumber: '000000000000', sku: 'X', title: 'T' })).status).toBe(404);
    expect((await subscribe({ cardNumber: '12345', sku: 'X', title: 'T' })).status).toBe(404);
    expect((await svc.api('DELETE', '/api/v1/restock-subscriptions/6f1b9d0e-3c1a-4c5e-9a57-2b1f3d4e5a6b')).status).toBe(404);
    expect((await svc.api('DELETE', '/api/v1/restock-subscriptions/not-a-uuid')).status).toBe(404);
  });

  it('409 for a voided or blocked card, and for cancelling a notified subscription', async () => {
    const voided = await enrol();
    const customerId = (await svc.api('GET', `/api/v1/cards/${voided.number}`)).body.customerId;
    expect((await svc.api('DELETE', `/api/v1/customers/${customerId}`)).status).toBe(204);
    expect((await subscribe({ cardNumber: voided.number, sku: 'X', title: 'T' })).status).toBe(409);

    const blocked = await enrol();
    await db().updateTable('cards').set({ status: 'blocked' }).where('id', '=', blocked.id).execute();
    expect((await subscribe({ cardNumber: blocked.number, sku: 'X', title: 'T' })).status).toBe(409);

    const card = await enrol();
    const sub = await subscribed(card, { sku: 'DONE' });
    await restock({ program: 'shop', sku: 'DONE' });
    const res = await svc.api('DELETE', `/api/v1/restock-subscriptions/${sub.id}`);
    expect(res.status).toBe(409);
    expect(res.body.status).toBe('notified');
    await settle();
  });

  it('a card voided or blocked after subscribing gets nothing: its subscription is closed', async () => {
    const [active, voided, blocked] = [await enrol(), await enrol(), await enrol()];
    const subs = [];
    for (const card of [active, voided, blocked]) subs.push(await subscribed(card, { sku: 'LATE' }));
    const customerId = (await svc.api('GET', `/api/v1/cards/${voided.number}`)).body.customerId;
    await svc.api('DELETE', `/api/v1/customers/${customerId}`);
    await db().updateTable('cards').set({ status: 'blocked' }).where('id', '=', blocked.id).execute();
    await settle();

    // The erasure cancelled the erased customer's subscription itself; the restock closes the blocked card's.
    expect(await statusOf(subs[1].id)).toBe('cancelled');
    const res = await restock({ program: 'shop', sku: 'LATE' });
    expect(res.body).toMatchObject({ notified: 1, cancelled: 1 });
    expect(await queuedCards()).toEqual(ids(active));
    expect(await statusOf(subs[1].id)).toBe('cancelled');
    expect(await statusOf(subs[2].id)).toBe('cancelled');
    expect(await messageOf(blocked)).toBeNull();
    await settle();
  });
});

describe('pos keys', () => {
  it('subscribe cards of their own program, at their own store by default', async () => {
    const card = await enrol();
    const atTill = await subscribe({ cardNumber: card.number, sku: 'POS', title: 'Till item' }, posNorth);
    expect(atTill.status).toBe(201);
    expect(atTill.body.storeId).toBe(north.id);
    const anyStore = await subscribe({ cardNumber: card.number, sku: 'POS', storeId: null, title: 'Till item' }, posNorth);
    expect(anyStore.status).toBe(201);
    expect(anyStore.body.storeId).toBeNull();
    const elsewhere = await subscribe({ cardNumber: card.number, sku: 'POS', storeId: south.id, title: 'Till item' }, posNorth);
    expect(elsewhere.status).toBe(201);
    expect(elsewhere.body.storeId).toBe(south.id);
    // Another program's till does not see the card at all.
    expect((await subscribe({ cardNumber: card.number, sku: 'POS', title: 'Till item' }, posOther)).status).toBe(404);
  });

  it('report restocks at their own store only, of their own program', async () => {
    const card = await enrol();
    const other = await enrol();
    await subscribed(card, { sku: 'TILL', storeId: north.id });
    await subscribed(other, { sku: 'TILL', storeId: south.id });
    await settle();
    expect((await restock({ program: 'shop', sku: 'TILL', storeId: south.id }, posNorth)).status).toBe(403);
    expect((await restock({ program: 'shop', sku: 'TILL', storeId: null }, posNorth)).status).toBe(403);
    const wrongProgram = await restock({ program: 'other', sku: 'TILL' }, posNorth);
    expect(wrongProgram.status).toBe(400);
    expect(wrongProgram.body.errors[0].field).toBe('program');
    expect(await queuedCards()).toEqual([]);

    const res = await restock({ program: 'shop', sku: 'TILL' }, posNorth);
    expect(res.status).toBe(202);
    expect(res.body.notified).toBe(1);
    expect(await queuedCards()).toEqual(ids(card));
    expect(await messageOf(card)).toBe('Linen shirt снова в наличии, North');
    expect((await restock({ program: 'shop', sku: 'TILL', storeId: south.id }, marketer)).body.notified).toBe(1);
    await settle();
  });
});

describe('documentation', () => {
  it('lists the restock calls in /openapi.json', async () => {
    const res = await svc.api('GET', '/openapi.json', undefined, null);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/restock-subscriptions', '/api/v1/restock-subscriptions/{id}', '/api/v1/restocks']),
    );
  });
});
