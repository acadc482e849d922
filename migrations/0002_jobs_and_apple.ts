import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // The Postgres-backed job queue and outbox: rows are written in the same transaction as the
  // change they announce, and any number of workers claim them with FOR UPDATE SKIP LOCKED.
  await sql`
    create table jobs (
      id bigint generated always as identity primary key,
      kind text not null,
      dedupe_key text,
      payload jsonb not null default '{}',
      run_at timestamptz not null default now(),
      attempts integer not null default 0,
      locked_until timestamptz,
      last_error text,
      failed_at timestamptz,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index jobs_due_idx on jobs (run_at, id) where failed_at is null`.execute(db);
  // At most one waiting job per (kind, key): ten balance changes before the worker runs → one push.
  await sql`
    create unique index jobs_waiting_dedupe_idx on jobs (kind, dedupe_key)
    where dedupe_key is not null and locked_until is null and failed_at is null`.execute(db);

  // Apple Wallet devices (one push token each) and the passes they registered for.
  await sql`
    create table apple_devices (
      device_library_id text primary key,
      push_token text not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index apple_devices_push_token_idx on apple_devices (push_token)`.execute(db);
  await sql`
    create table apple_registrations (
      device_library_id text not null references apple_devices(device_library_id) on delete cascade,
      card_id uuid not null references cards(id),
      created_at timestamptz not null default now(),
      primary key (device_library_id, card_id)
    )`.execute(db);
  await sql`create index apple_registrations_card_idx on apple_registrations (card_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists apple_registrations`.execute(db);
  await sql`drop table if exists apple_devices`.execute(db);
  await sql`drop table if exists jobs`.execute(db);
}
