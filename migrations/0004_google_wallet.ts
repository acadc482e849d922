import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // One Google loyalty object per card: what was last sent, and whether the card is in a wallet
  // (known only from Google's save/delete callbacks).
  await sql`
    create table google_objects (
      card_id uuid primary key references cards(id),
      object_id text not null unique,
      synced_balance integer,
      synced_tier text,
      synced_message text,
      synced_version bigint,
      messages_sent integer not null default 0,
      saved boolean not null default false,
      saved_at timestamptz,
      removed_at timestamptz,
      last_error text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);

  // Notifying messages and updates, to keep within Google's 3 per object per 24 h; silent ones
  // are recorded too, marked notified = false.
  await sql`
    create table google_notifications (
      id bigint generated always as identity primary key,
      card_id uuid not null references cards(id),
      kind text not null check (kind in ('message', 'update')),
      notified boolean not null,
      text text,
      pass_version bigint not null,
      created_at timestamptz not null default now(),
      unique (card_id, kind, pass_version)
    )`.execute(db);
  await sql`create index google_notifications_card_idx on google_notifications (card_id, created_at)`.execute(db);

  await sql`
    create table google_classes (
      program_id uuid primary key references programs(id),
      class_id text not null unique,
      synced_at timestamptz,
      last_error text
    )`.execute(db);

  // Nonces of accepted callbacks: a replayed message is refused.
  await sql`
    create table google_callback_nonces (
      nonce text primary key,
      received_at timestamptz not null default now()
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['google_callback_nonces', 'google_classes', 'google_notifications', 'google_objects'])
    await sql`drop table if exists ${sql.table(t)}`.execute(db);
}
