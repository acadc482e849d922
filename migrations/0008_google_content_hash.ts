import { sql, type Kysely } from 'kysely';

// What was last sent of an object apart from balance, tier and messages: an unchanged object is
// not patched again (a class-wide message must not turn into one request per object).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table google_objects add column synced_hash text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table google_objects drop column if exists synced_hash`.execute(db);
}
