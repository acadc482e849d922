import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Who rang the purchase up: a key id or staff:<id>, and the name shown on the ledger and the till.
  await sql`alter table purchases add column cashier_id text, add column cashier text`.execute(db);
  // The till lists today's purchases of its store.
  await sql`create index purchases_store_time_idx on purchases (store_id, created_at desc)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists purchases_store_time_idx`.execute(db);
  await sql`alter table purchases drop column if exists cashier_id, drop column if exists cashier`.execute(db);
}
