import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Refunds above this amount need a store manager's PIN at the till (null: none do).
  await sql`alter table programs add column refund_approval_above_minor bigint check (refund_approval_above_minor >= 0)`.execute(db);
  // Who approved a refund that needed it.
  await sql`alter table purchases add column refund_approved_by text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table purchases drop column if exists refund_approved_by`.execute(db);
  await sql`alter table programs drop column if exists refund_approval_above_minor`.execute(db);
}
