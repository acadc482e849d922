import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppleStandIn } from './support/apple-stand-in.js';
import type { FakeApns } from './support/fake-apns.js';
import { cardRow, createProgramWithStores, enrol, issueKey, tillPurchase, type EnrolledCard } from './support/fixtures.js';
import { fieldsOf, passJsonOf } from './support/pkpass.js';
import { startTestService, type TestService } from './support/test-service.js';
import { waitUntil } from './support/wait.js';

const PASS_TYPE_ID = 'pass.test.delivery';
/** Interleavings need two connections: PGlite has one, so these run in the PostgreSQL pass of CI. */
const onPostgres = process.env.DATABASE_URL ? it : ((() => undefined) as unknown as typeof it);

let svc: TestService;
let apns: FakeApns;
let dataDir: string;
let posKey: string;

const ws = (p: string) => `${svc.url}/wallet/apple/v1${p}`;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'wl-delivery-'));
  const standIn = await startAppleStandIn(dataDir, { passTypeIdentifier: PASS_TYPE_ID, teamIdentifier: 'TESTTEAM02' });
  apns = standIn.apns;
  // A wide coalescing window, so a burst in the test below certainly falls inside it.
  svc = await startTestService({ ...standIn.env, JOB_POLL_MS: '50', WALLET_COALESCE_MS: '3000' });
  const { stores } = await createProgramWithStores(svc, 'first', { welcomeBonus: 0 });
  await createProgramWithStores(svc, 'second', { welcomeBonus: 0 });
  posKey = await issueKey(svc, 'pos', stores[0].id);
});
afterAll(async () => {
  await svc?.stop();
  await apns?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A Wallet device: registers passes, lists what changed, fetches passes, as iOS does. */
function device(id = randomUUID().replaceAll('-', '')) {
  const auth = async (card: EnrolledCard) => ({ authorization: `ApplePass ${(await cardRow(svc, card.cardNumber)).auth_token}` });
  return {
    id,
    async register(card: EnrolledCard, pushToken = 'ab'.repeat(32)) {
      const res = await fetch(ws(`/devices/${id}/registrations/${PASS_TYPE_ID}/${card.serialNumber}`), {
        method: 'POST',
        headers: { ...(await auth(card)), 'content-type': 'application/json' },
        body: JSON.stringify({ pushToken }),
      });
      return res.status;
    },
    async unregister(card: EnrolledCard) {
      return (await fetch(ws(`/devices/${id}/registrations/${PASS_TYPE_ID}/${card.serialNumber}`), { method: 'DELETE', headers: await auth(card) })).status;
    },
    async changed(since?: string): Promise<{ status: number; lastUpdated?: string; serialNumbers: string[] }> {
      const res = await fetch(ws(`/devices/${id}/registrations/${PASS_TYPE_ID}${since ? `?passesUpdatedSince=${since}` : ''}`));
      if (res.status === 204) return { status: 204, serialNumbers: [] };
      const body = (await res.json()) as { lastUpdated: string; serialNumbers: string[] };
      return { status: res.status, ...body };
    },
    async pass(card: EnrolledCard) {
      const res = await fetch(ws(`/passes/${PASS_TYPE_ID}/${card.serialNumber}`), { headers: await auth(card) });
      expect(res.status).toBe(200);
      return passJsonOf(Buffer.from(await res.arrayBuffer()));
    },
  };
}

const adjust = (card: EnrolledCard, points: number) =>
  svc.api('POST', `/api/v1/cards/${card.cardNumber}/points`, { points, reason: 'test' }, undefined, { 'idempotency-key': randomUUID() });

/** A second connection to the same PostgreSQL schema, to hold locks while the service works. */
async function secondConnection(): Promise<pg.Client> {
  const schema = (await sql<{ s: string }>`select current_schema() as s`.execute(svc.services.db)).rows[0]!.s;
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  await client.query(`set search_path to "${schema}"`);
  return client;
}

describe('the list endpoint’s tag follows commit order', () => {
  onPostgres('a change that commits after a later-numbered one is still listed (a row lock forces the order)', async () => {
    const phone = '+79165550101';
    const a = await enrol(svc, { program: 'first', phone });
    const b = await enrol(svc, { program: 'second', phone });
    const phoneDevice = device();
    expect(await phoneDevice.register(a)).toBe(201);
    expect(await phoneDevice.register(b)).toBe(201);
    const start = await phoneDevice.changed();
    expect(start.serialNumbers.sort()).toEqual([a.serialNumber, b.serialNumber].sort());

    // A till holds card A's row; a program edit (new terms on every card of "first") waits behind it.
    const till = await secondConnection();
    try {
      await till.query('begin');
      await till.query('select 1 from cards where card_number = $1 for update', [a.cardNumber]);
      const edit = svc.api('PATCH', '/api/v1/programs/first', { terms: 'New terms, version 5' });
      await waitUntil(
        async () =>
          (await till.query(`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`)).rows[0].n > 0,
        10_000,
      );
      // Meanwhile a points grant on card B commits and is pushed.
      expect((await adjust(b, 40)).status).toBe(201);
      const seen = await phoneDevice.changed(start.lastUpdated);
      expect(seen.serialNumbers).toEqual([b.serialNumber]);
      await till.query('commit');
      expect((await edit).status).toBe(200);
      // The edit committed after the tag was handed out: the next question must name card A.
      const next = await phoneDevice.changed(seen.lastUpdated);
      expect(next.status).toBe(200);
      expect(next.serialNumbers).toContain(a.serialNumber);
      expect(fieldsOf(await phoneDevice.pass(a)).terms!.value).toBe('New terms, version 5');
    } finally {
      await till.end();
    }
  });

  it('answers every serial to a tag past this database’s transactions (a restore), never a 500', async () => {
    const card = await enrol(svc, { program: 'first' });
    const d = device();
    await d.register(card);
    for (const tag of ['x99999999999999999999', 'x18446744073709551615', 'x9000000000']) {
      const res = await d.changed(tag);
      expect(res.status).toBe(200);
      expect(res.serialNumbers).toEqual([card.serialNumber]);
    }
  });

  it('answers every serial to a tag of the old numeric form, then only what changed', async () => {
    const card = await enrol(svc, { program: 'first' });
    const d = device();
    await d.register(card);
    const old = await d.changed('12345');
    expect(old.serialNumbers).toEqual([card.serialNumber]);
    expect((await d.changed(old.lastUpdated)).status).toBe(204);
  });
});

describe('registrations', () => {
  it('register answers 201 then 200; the last pass unregistered forgets the device', async () => {
    const card = await enrol(svc, { program: 'first' });
    const d = device();
    expect(await d.register(card)).toBe(201);
    expect(await d.register(card, 'cd'.repeat(32))).toBe(200);
    expect(await d.unregister(card)).toBe(200);
    expect(await svc.services.db.selectFrom('apple_devices').select('device_library_id').where('device_library_id', '=', d.id).execute()).toEqual([]);
  });

  onPostgres('an unregister of one pass never removes a registration made at the same time for another (40 runs)', async () => {
    const a = await enrol(svc, { program: 'first' });
    const b = await enrol(svc, { program: 'first' });
    let lost = 0;
    for (let run = 0; run < 40; run++) {
      const d = device();
      expect(await d.register(a)).toBe(201);
      const [removed, added] = await Promise.all([d.unregister(a), d.register(b)]);
      expect(removed).toBe(200);
      expect(added).toBe(201);
      const listed = await d.changed();
      if (!listed.serialNumbers.includes(b.serialNumber)) lost++;
      expect(listed.serialNumbers).not.toContain(a.serialNumber);
    }
    expect(lost).toBe(0);
  });
});

describe('one announced field per pass version', () => {
  it('a purchase announces the balance; a campaign with bonus points announces its text, the balance changes silently', async () => {
    const card = await enrol(svc, { program: 'first', marketing: true });
    const d = device();
    await d.register(card);
    await tillPurchase(svc, posKey, card.cardNumber, 500);
    let fields = fieldsOf(await d.pass(card));
    expect(fields.balance!.changeMessage).toBeDefined();
    expect(fields.message!.changeMessage).toBeUndefined();

    const campaign = await svc.api('POST', '/api/v1/campaigns', { program: 'first', message: 'Double points today', bonusPoints: 25 });
    expect(campaign.status).toBe(202);
    await waitUntil(async () => (await svc.api('GET', `/api/v1/campaigns/${campaign.body.id}`)).body.status === 'completed');
    fields = fieldsOf(await d.pass(card));
    expect(fields.message!.value).toContain('Double points today');
    expect(fields.message!.changeMessage).toBe('%@');
    expect(fields.balance!.value).toBe(50 + 25);
    expect(fields.balance!.changeMessage).toBeUndefined();
    const announced = Object.values(fields).filter((f) => f.changeMessage);
    expect(announced).toHaveLength(1);
  });

  it('the same text sent twice is a new value both times, so both reach the lock screen', async () => {
    const card = await enrol(svc, { program: 'first' });
    const d = device();
    await d.register(card);
    const send = () => svc.api('POST', `/api/v1/cards/${card.cardNumber}/message`, { text: 'See you on Friday' });
    expect((await send()).status).toBe(202);
    const first = fieldsOf(await d.pass(card)).message!;
    expect((await send()).status).toBe(202);
    const second = fieldsOf(await d.pass(card)).message!;
    expect(second.value).not.toBe(first.value);
    expect(String(second.value).replace(/\u2060/g, '')).toBe('See you on Friday');
    expect(second.changeMessage).toBe('%@');
  });

  it('a silent change right after a purchase keeps the balance announced (coalescing may fold both into one push)', async () => {
    const card = await enrol(svc, { program: 'first' });
    const d = device();
    await d.register(card);
    await tillPurchase(svc, posKey, card.cardNumber, 300);
    const sub = await svc.api('POST', '/api/v1/restock-subscriptions', { cardNumber: card.cardNumber, sku: 'TEA', title: 'Green tea' });
    expect(sub.status).toBe(201);
    const fields = fieldsOf(await d.pass(card));
    expect(fields.balance!.changeMessage).toBeDefined();
    expect(Object.values(fields).filter((f) => f.changeMessage)).toHaveLength(1);
  });

  it('a program or store change updates every pass silently', async () => {
    const card = await enrol(svc, { program: 'second' });
    const d = device();
    await d.register(card);
    expect((await svc.api('PATCH', '/api/v1/programs/second', { terms: 'Quiet terms' })).status).toBe(200);
    const fields = fieldsOf(await d.pass(card));
    expect(fields.terms!.value).toBe('Quiet terms');
    expect(Object.values(fields).filter((f) => f.changeMessage)).toEqual([]);
  });
});

describe('coalescing', () => {
  it('five changes 200 ms apart reach the phone as one push', async () => {
    const card = await enrol(svc, { program: 'first' });
    const d = device();
    const token = 'c0'.repeat(32);
    await d.register(card, token);
    const pushes = () => apns.requests.filter((r) => r.path === `/3/device/${token}`).length;
    for (let i = 0; i < 5; i++) {
      await tillPurchase(svc, posKey, card.cardNumber, 100 + i);
      await new Promise((r) => setTimeout(r, 200));
    }
    await waitUntil(() => pushes() > 0, 15_000);
    await new Promise((r) => setTimeout(r, 1000)); // nothing else is on its way
    expect(pushes()).toBe(1);
    expect(fieldsOf(await d.pass(card)).balance!.value).toBe((await cardRow(svc, card.cardNumber)).balance);
  });
});

describe('what a pass carries', () => {
  it('a voided pass (an erased customer) carries no locations or beacons', async () => {
    const card = await enrol(svc, { program: 'first' });
    const d = device();
    await d.register(card);
    expect((await d.pass(card)).locations?.length).toBeGreaterThan(0);
    const { customer_id } = await cardRow(svc, card.cardNumber);
    expect((await svc.api('DELETE', `/api/v1/customers/${customer_id}`)).status).toBe(204);
    const voided = await d.pass(card);
    expect(voided.voided).toBe(true);
    expect(voided.locations).toBeUndefined();
    expect(voided.beacons).toBeUndefined();
  });

  it('lists back-in-stock subscriptions one per line, without HTML line breaks', async () => {
    const card = await enrol(svc, { program: 'first' });
    const d = device();
    await d.register(card);
    for (const sku of ['SKU-A', 'SKU-B']) {
      expect((await svc.api('POST', '/api/v1/restock-subscriptions', { cardNumber: card.cardNumber, sku, title: `Item ${sku}` })).status).toBe(201);
    }
    const restock = fieldsOf(await d.pass(card)).restock as { value: string; attributedValue: string };
    expect(restock.attributedValue.split('\n')).toHaveLength(2);
    expect(restock.attributedValue).not.toContain('<br');
    expect(restock.value.split('\n')).toHaveLength(2);
  });
});
