/**
 * The upgrade to the purchase chain (migration 0023): purchases already recorded get their program
 * and their links to the card's previous two, in the program and at the store; fully refunded ones
 * are left out of the chain.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../src/platform/db/database.js';
import { migrateToLatest } from '../src/platform/db/migrate.js';

let handle: DatabaseHandle;

beforeAll(async () => {
  handle = await openDatabase({ databaseUrl: process.env.DATABASE_URL, schema: `t_upgrade_chain_${process.pid}_${Date.now()}` });
});
afterAll(async () => {
  if (handle.kind === 'postgres')
    await sql`drop schema if exists ${sql.id((await sql<{ s: string }>`select current_schema() as s`.execute(handle.db)).rows[0]!.s)} cascade`.execute(
      handle.db,
    );
  await handle.close();
});

it('links the purchases already recorded, in the program and at each store', async () => {
  const db = handle.db;
  await migrateToLatest(db, '0022_analytics');
  const program = (
    await sql<{ id: string }>`insert into programs (slug, name, brand_id) values ('old', 'Old', (select id from brands limit 1)) returning id`.execute(db)
  ).rows[0]!.id;
  const [a, b] = (
    await sql<{
      id: string;
    }>`insert into stores (program_id, name, latitude, longitude) values (${program}, 'A', 55, 37), (${program}, 'B', 56, 38) returning id`.execute(db)
  ).rows.map((r) => r.id);
  const customer = (await sql<{ id: string }>`insert into customers (program_id, name) values (${program}, 'Anna') returning id`.execute(db)).rows[0]!.id;
  const card = (
    await sql<{ id: string }>`
      insert into cards (program_id, customer_id, card_number, serial_number, barcode_value, tier, auth_token, link_token)
      values (${program}, ${customer}, '400000000006', 'serial-1', '400000000006', 'Silver', 'auth-token-of-an-old-card-0123456789', 'link-old') returning id`.execute(
      db,
    )
  ).rows[0]!.id;
  // At A on days 1, 3 (fully refunded) and 4; at B on day 2.
  const bought = async (store: string, day: number, refunded: number) =>
    sql`
      insert into purchases (card_id, store_id, receipt_id, amount_minor, redeemed_points, earned_points, refunded_minor, created_at)
      values (${card}, ${store}, ${`r${day}`}, 1000, 0, 10, ${refunded}, ${`2026-01-0${day}T12:00:00Z`})`.execute(db);
  await bought(a!, 1, 0);
  await bought(b!, 2, 0);
  await bought(a!, 3, 1000);
  await bought(a!, 4, 400);

  expect(await migrateToLatest(db)).toContain('0023_purchase_chain');
  const rows = await db
    .selectFrom('purchases')
    .select(['receipt_id', 'program_id', 'prev_at', 'prev2_at', 'prev_at_store', 'prev2_at_store'])
    .orderBy('receipt_id')
    .execute();
  const day = (d: number) => new Date(`2026-01-0${d}T12:00:00Z`);
  expect(rows).toEqual([
    { receipt_id: 'r1', program_id: program, prev_at: null, prev2_at: null, prev_at_store: null, prev2_at_store: null },
    { receipt_id: 'r2', program_id: program, prev_at: day(1), prev2_at: null, prev_at_store: null, prev2_at_store: null },
    { receipt_id: 'r3', program_id: program, prev_at: null, prev2_at: null, prev_at_store: null, prev2_at_store: null },
    { receipt_id: 'r4', program_id: program, prev_at: day(2), prev2_at: day(1), prev_at_store: day(1), prev2_at_store: null },
  ]);
});
