import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // One writer per object at a time: a lease taken for the duration of a sync job (not a row lock:
  // a transaction must not stay open across calls to Google), released only by its holder's token. synced_message_seq: the last card
  // message (cards.message_seq) that reached Google or was settled without a call. full_sync_due:
  // the object was just saved to a wallet, and what it missed while unsaved is sent, silently.
  await sql`
    alter table google_objects
      add column lease_until timestamptz,
      add column lease_token text,
      add column synced_message_seq integer not null default 0,
      add column full_sync_due boolean not null default false`.execute(db);
  await sql`update google_objects g set synced_message_seq = c.message_seq from cards c where c.id = g.card_id`.execute(db);
  await sql`alter table google_objects drop column synced_message`.execute(db);

  // The message outbox: one row per card message to an object in a wallet, written in the
  // transaction that set it, so none is lost when jobs coalesce and none is sent twice. status:
  // pending → sent | silent (sent as TEXT, the budget was spent) | skipped (the object was not in a
  // wallet, or the card was voided first).
  await sql`
    create table google_messages (
      card_id uuid not null references cards(id),
      seq integer not null,
      text text,
      status text not null default 'pending' check (status in ('pending', 'sent', 'silent', 'skipped')),
      created_at timestamptz not null default now(),
      sent_at timestamptz,
      primary key (card_id, seq)
    )`.execute(db);
  await sql`create index google_messages_pending_idx on google_messages (card_id) where status = 'pending'`.execute(db);

  // The budget log's key: an update's pass version, a message's seq, or a class message's number.
  await sql`alter table google_notifications rename column pass_version to ref`.execute(db);
  await sql`alter table google_notifications drop constraint google_notifications_kind_check`.execute(db);
  await sql`alter table google_notifications add constraint google_notifications_kind_check check (kind in ('message', 'update', 'class'))`.execute(db);
  await sql`update google_notifications set text = null`.execute(db);
  await sql`alter table google_notifications drop column text`.execute(db);

  // The deployment's one Google channel state, shared by every process: the request quota as a
  // token bucket (tokens may go below zero: callers queue for future slots), its adaptive rate
  // after 429s, and a pause while Google refuses the service account (PERMISSION_DENIED).
  await sql`
    create table google_channel (
      id smallint primary key default 1 check (id = 1),
      tokens double precision not null default 0,
      refreshed_at timestamptz not null default clock_timestamp(),
      rate double precision,
      throttled_at timestamptz,
      paused_until timestamptz,
      pause_reason text
    )`.execute(db);
  await sql`insert into google_channel (id) values (1)`.execute(db);

  // The campaign reached Google through one class message (see the broadcast rule in the README).
  await sql`alter table campaigns add column google_class_message boolean not null default false`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table campaigns drop column if exists google_class_message`.execute(db);
  await sql`drop table if exists google_channel`.execute(db);
  await sql`drop table if exists google_messages`.execute(db);
  await sql`alter table google_notifications add column if not exists text text`.execute(db);
  await sql`alter table google_notifications rename column ref to pass_version`.execute(db);
  await sql`alter table google_objects add column if not exists synced_message text, drop column if exists lease_until, drop column if exists lease_token, drop column if exists synced_message_seq, drop column if exists full_sync_due`.execute(
    db,
  );
}
