/**
 * The upgrade to per-brand Apple identities keeps every pass on a phone working: the cards,
 * devices and registrations that exist are the deployment's pass type id's (APPLE_PASS_TYPE_ID).
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../src/platform/db/database.js';
import { migrateToLatest } from '../src/platform/db/migrate.js';

let handle: DatabaseHandle;
const before = process.env.APPLE_PASS_TYPE_ID;

beforeAll(async () => {
  handle = await openDatabase({ databaseUrl: process.env.DATABASE_URL, schema: `t_upgrade_${process.pid}_${Date.now()}` });
});
afterAll(async () => {
  if (before === undefined) delete process.env.APPLE_PASS_TYPE_ID;
  else process.env.APPLE_PASS_TYPE_ID = before;
  if (handle.kind === 'postgres')
    await sql`drop schema if exists ${sql.id((await sql<{ s: string }>`select current_schema() as s`.execute(handle.db)).rows[0]!.s)} cascade`.execute(
      handle.db,
    );
  await handle.close();
});

it('binds the passes on phones, their devices and registrations to the deployment pass type id', async () => {
  const db = handle.db;
  await migrateToLatest(db, '0015_till_devices');
  const program = await sql<{ id: string }>`
    insert into programs (slug, name, brand_id) values ('old', 'Old', (select id from brands limit 1)) returning id`.execute(db);
  const customer = await sql<{ id: string }>`
    insert into customers (program_id, name, phone) values (${program.rows[0]!.id}, 'Anna', '+79160000001') returning id`.execute(db);
  const card = await sql<{ id: string }>`
    insert into cards (program_id, customer_id, card_number, serial_number, barcode_value, tier, auth_token, link_token)
    values (${program.rows[0]!.id}, ${customer.rows[0]!.id}, '400000000006', 'serial-1', '400000000006', 'Silver', 'auth-token-of-an-old-card-0123456789', 'link-token-of-old')
    returning id`.execute(db);
  // A card whose pass no device holds: it stays unbound, and takes its brand's identity with its next pass.
  const other = await sql<{ id: string }>`
    insert into customers (program_id, name, phone) values (${program.rows[0]!.id}, 'Boris', '+79160000002') returning id`.execute(db);
  await sql`
    insert into cards (program_id, customer_id, card_number, serial_number, barcode_value, tier, auth_token, link_token)
    values (${program.rows[0]!.id}, ${other.rows[0]!.id}, '400000000014', 'serial-2', '400000000014', 'Silver', 'auth-token-of-an-unheld-card-0123456789', 'link-token-of-unheld')`.execute(
    db,
  );
  await sql`insert into apple_devices (device_library_id, push_token) values ('device-1', ${'ab'.repeat(32)})`.execute(db);
  await sql`insert into apple_registrations (device_library_id, card_id) values ('device-1', ${card.rows[0]!.id})`.execute(db);

  process.env.APPLE_PASS_TYPE_ID = 'pass.com.example.upgraded';
  expect(await migrateToLatest(db)).toContain('0016_brand_wallets');
  const cards = await db.selectFrom('cards').select(['apple_pass_type_id', 'auth_token', 'link_token']).orderBy('card_number').execute();
  expect(cards).toEqual([
    { apple_pass_type_id: 'pass.com.example.upgraded', auth_token: 'auth-token-of-an-old-card-0123456789', link_token: 'link-token-of-old' },
    { apple_pass_type_id: null, auth_token: 'auth-token-of-an-unheld-card-0123456789', link_token: 'link-token-of-unheld' },
  ]);
  expect(await db.selectFrom('apple_devices').select(['device_library_id', 'pass_type_id', 'push_token']).execute()).toEqual([
    { device_library_id: 'device-1', pass_type_id: 'pass.com.example.upgraded', push_token: 'ab'.repeat(32) },
  ]);
  expect(await db.selectFrom('apple_registrations').select(['device_library_id', 'pass_type_id']).execute()).toEqual([
    { device_library_id: 'device-1', pass_type_id: 'pass.com.example.upgraded' },
  ]);
  // Forgetting the device still removes its registrations (the foreign key moved to the new key).
  await db.deleteFrom('apple_devices').execute();
  expect(await db.selectFrom('apple_registrations').selectAll().execute()).toEqual([]);
});
