import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // A code is answered where it was asked for: a till's at the till, the join form's on the form
  // (a till's verification id on the public form would hand the cashier the member's card link).
  await sql`alter table phone_verifications add column channel text not null default 'join' check (channel in ('join', 'till'))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table phone_verifications drop column if exists channel`.execute(db);
}
