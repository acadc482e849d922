import { sql, type Kysely } from 'kysely';

// Points-reminder automation settings per program (null = off).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table programs add column points_reminder jsonb`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table programs drop column if exists points_reminder`.execute(db);
}
