/**
 * The lists a console needs: a program's cards found by phone (any format), card number, barcode or
 * name, and its campaigns — paged on the server, newest first, within the caller's scope.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProgram, enrol, type EnrolledCard } from './support/fixtures.js';
import { startTestService, type TestService } from './support/test-service.js';
import { waitUntil } from './support/wait.js';

let svc: TestService;
let anna: EnrolledCard;
let boris: EnrolledCard;
let vera: EnrolledCard;

beforeAll(async () => {
  svc = await startTestService();
  await createProgram(svc, { slug: 'lists', name: 'Lists', timezone: 'Europe/Moscow' });
  await createProgram(svc, { slug: 'other', name: 'Other', timezone: 'Europe/Moscow' });
  anna = await enrol(svc, { program: 'lists', name: 'Anna Petrova', phone: '+79161234567' });
  boris = await enrol(svc, { program: 'lists', name: 'Boris 100%', phone: '+79037654321' });
  vera = await enrol(svc, { program: 'lists', name: 'Vera', phone: '+79269998877' });
  await enrol(svc, { program: 'other', name: 'Anna Other', phone: '+79161234567' });
});

afterAll(async () => {
  await svc?.stop();
});

const list = async (path: string, status = 200, key?: string) => {
  const res = await svc.api('GET', `/api/v1${path}`, undefined, key);
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  return res.body;
};
const numbers = (body: any) => body.items.map((c: any) => c.cardNumber);

describe('GET /cards: finding a customer', () => {
  it('by a phone written any way, by four of its digits, by card number, barcode or part of the name; only in the program', async () => {
    for (const q of ['8 (916) 123-45-67', '+7 916 123 45 67', '79161234567', '4567']) {
      expect(numbers(await list(`/cards?program=lists&q=${encodeURIComponent(q)}`)), q).toEqual([anna.cardNumber]);
    }
    expect(numbers(await list(`/cards?program=lists&q=${boris.cardNumber}`))).toEqual([boris.cardNumber]);
    expect(numbers(await list(`/cards?program=lists&q=${encodeURIComponent(vera.barcode)}`))).toEqual([vera.cardNumber]);
    expect(numbers(await list('/cards?program=lists&q=petr'))).toEqual([anna.cardNumber]);
    // Wildcards are text: "%" finds the one name with a percent sign, not everyone.
    expect(numbers(await list(`/cards?program=lists&q=${encodeURIComponent('0%')}`))).toEqual([boris.cardNumber]);
    expect(numbers(await list('/cards?program=lists&q=nobody'))).toEqual([]);
  });

  it('shows a masked phone and no links; the card itself has them', async () => {
    const [item] = (await list('/cards?program=lists&q=4567')).items;
    expect(item).toEqual({
      cardNumber: anna.cardNumber,
      status: 'active',
      tier: anna.tier,
      balance: expect.any(Number),
      createdAt: expect.any(String),
      customer: { id: anna.customerId, name: 'Anna Petrova', phone: '+7916*****67', erased: false },
    });
    expect(JSON.stringify(item)).not.toContain('1234567');
    expect((await list(`/cards/${anna.cardNumber}`)).customer.phone).toBe('+79161234567');
  });

  it('pages newest first without overlap; a cursor it did not give is a 400 naming it', async () => {
    const first = await list('/cards?program=lists&limit=2');
    expect(numbers(first)).toEqual([vera.cardNumber, boris.cardNumber]);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await list(`/cards?program=lists&limit=2&cursor=${first.nextCursor}`);
    expect(numbers(second)).toEqual([anna.cardNumber]);
    expect(second.nextCursor).toBeNull();
    const bad = await list('/cards?program=lists&cursor=bm90LWEtY3Vyc29y', 400);
    expect(JSON.stringify(bad)).toContain('cursor');
    for (const at of ['0000-01-01T00:00:00.000000Z', '+275760-09-13T00:00:00.000Z', '2026-02-30T00:00:00.000000Z']) {
      const crafted = Buffer.from(JSON.stringify([at, anna.customerId])).toString('base64url');
      expect(JSON.stringify(await list(`/cards?program=lists&cursor=${crafted}`, 400)), at).toContain('cursor');
    }
    expect(JSON.stringify(await list('/cards?program=lists&limit=500', 400))).toContain('limit');
    expect(JSON.stringify(await list('/cards', 400))).toContain('program');
  });
});

describe('paging within one millisecond', () => {
  it('skips no row created in the same millisecond as a page’s last, nor one created at the same instant', async () => {
    await createProgram(svc, { slug: 'micro', name: 'Micro', timezone: 'UTC' });
    const cards = [];
    for (let i = 0; i < 4; i++) cards.push(await enrol(svc, { program: 'micro' }));
    const times = ['2026-06-01T10:00:00.123100Z', '2026-06-01T10:00:00.123300Z', '2026-06-01T10:00:00.123300Z', '2026-06-01T10:00:00.123900Z'];
    // A JavaScript Date holds milliseconds: the microseconds are set in SQL.
    for (const [i, card] of cards.entries())
      await sql`update cards set created_at = ${times[i]}::timestamptz where card_number = ${card.cardNumber}`.execute(svc.services.db);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await list(`/cards?program=micro&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...numbers(page));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(4);
    expect(new Set(seen)).toEqual(new Set(cards.map((c) => c.cardNumber)));
    expect(seen[0]).toBe(cards[3]!.cardNumber);
    expect(seen[3]).toBe(cards[0]!.cardNumber);
  });
});

describe('GET /campaigns: the program’s campaigns', () => {
  it('newest first with the counts GET /campaigns/{id} gives, filtered by status, paged', async () => {
    const created: string[] = [];
    for (const message of ['First', 'Second']) {
      const res = await svc.api('POST', '/api/v1/campaigns', { program: 'lists', message });
      expect(res.status).toBe(202);
      created.push(res.body.id);
    }
    // The two sent now run as jobs: listed once they are done, so the list and each campaign agree.
    await waitUntil(async () => {
      for (const id of created) if ((await list(`/campaigns/${id}`)).status !== 'completed') return false;
      return true;
    });
    const later = await svc.api('POST', '/api/v1/campaigns', { program: 'lists', message: 'Later', sendAt: new Date(Date.now() + 86_400_000).toISOString() });
    expect(later.status).toBe(202);
    const all = await list('/campaigns?program=lists');
    expect(all.items.map((c: any) => c.message)).toEqual(['Later', 'Second', 'First']);
    expect(all.nextCursor).toBeNull();
    for (const item of all.items) expect(item).toEqual(await list(`/campaigns/${item.id}`));
    expect((await list('/campaigns?program=lists&status=scheduled')).items.map((c: any) => c.id)).toEqual([later.body.id]);
    const page = await list('/campaigns?program=lists&limit=2');
    expect(page.items).toHaveLength(2);
    expect((await list(`/campaigns?program=lists&limit=2&cursor=${page.nextCursor}`)).items.map((c: any) => c.message)).toEqual(['First']);
    expect((await list('/campaigns?program=other')).items).toEqual([]);
    expect(JSON.stringify(await list('/campaigns?program=lists&status=sent', 400))).toContain('status');
  });
});

describe('GET /programs and the back-in-stock summary', () => {
  it('lists the programs within the caller’s scope', async () => {
    const all = (await list('/programs')).items.map((p: any) => p.slug);
    expect(all).toEqual(expect.arrayContaining(['lists', 'other']));
    const res = await svc.api('POST', '/api/v1/api-keys', { name: 'Lists marketer', role: 'marketer', programs: ['lists'] });
    expect(res.status).toBe(201);
    expect((await list('/programs', 200, res.body.key)).items.map((p: any) => p.slug)).toEqual(['lists']);
    // The confined key sees nothing of the other program.
    expect((await svc.api('GET', '/api/v1/cards?program=other', undefined, res.body.key)).status).toBe(400);
    expect((await svc.api('GET', '/api/v1/campaigns?program=other', undefined, res.body.key)).status).toBe(400);
  });

  it('groups open subscriptions by item, size and store, most wanted first', async () => {
    const subscribe = async (card: EnrolledCard, sku: string, size?: string) => {
      const res = await svc.api('POST', '/api/v1/restock-subscriptions', { cardNumber: card.cardNumber, sku, title: `Item ${sku}`, ...(size && { size }) });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body;
    };
    await subscribe(anna, 'coat', 'M');
    await subscribe(boris, 'coat', 'M');
    await subscribe(vera, 'coat', 'L');
    const cancelled = await subscribe(vera, 'hat');
    expect((await svc.api('DELETE', `/api/v1/restock-subscriptions/${cancelled.id}`)).status).toBeLessThan(300);
    const { items } = await list('/restock-subscriptions/summary?program=lists');
    expect(items).toEqual([
      { sku: 'coat', title: 'Item coat', size: 'M', storeId: null, open: 2, oldestAt: expect.any(String) },
      { sku: 'coat', title: 'Item coat', size: 'L', storeId: null, open: 1, oldestAt: expect.any(String) },
    ]);
    expect((await list('/restock-subscriptions/summary?program=other')).items).toEqual([]);
  });
});
