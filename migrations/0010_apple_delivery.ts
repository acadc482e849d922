import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // The transaction that wrote the card's current pass version: the Wallet list endpoint's tag is a
  // snapshot horizon, so "changed since" follows commit order, not the order versions were drawn.
  await sql`alter table cards add column pass_xid xid8 not null default '0'`.execute(db);
  // Which field this pass version announces on the lock screen (its changeMessage); null: silent.
  await sql`alter table cards add column announce text check (announce in ('balance', 'message'))`.execute(db);
  // Counts message changes, so the same text sent again is still a change of the field's value.
  await sql`alter table cards add column message_seq integer not null default 0`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table cards drop column if exists pass_xid, drop column if exists announce, drop column if exists message_seq`.execute(db);
}
