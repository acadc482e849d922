import { sql, type Kysely } from 'kysely';

/** A program's campaigns newest first, a page at a time (GET /campaigns): one index range per page. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index campaigns_program_created_idx on campaigns (program_id, created_at, id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index campaigns_program_created_idx`.execute(db);
}
