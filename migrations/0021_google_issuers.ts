import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // A brand's own Google Wallet issuer and its service account (sealed with SECRETS_KEY, or a file
  // on the server). Like Apple identities, an issuer keeps serving the objects made under it after
  // the brand moves to another: Google ids cannot move between issuers.
  await sql`
    create table google_issuers (
      issuer_id text primary key check (issuer_id ~ '^[0-9]{1,30}$'),
      brand_id uuid not null references brands(id),
      client_email text not null,
      credentials jsonb not null,
      current boolean not null default true,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create unique index google_issuers_current_idx on google_issuers (brand_id) where current`.execute(db);

  // Google's quota and a refused service account are per issuer: one row each, made on first use.
  // The old single row held only transient state (tokens, a pause), so it is not carried over.
  await sql`drop table google_channel`.execute(db);
  await sql`
    create table google_channel (
      issuer_id text primary key,
      tokens double precision not null default 0,
      refreshed_at timestamptz not null default clock_timestamp(),
      rate double precision,
      throttled_at timestamptz,
      paused_until timestamptz,
      pause_reason text
    )`.execute(db);

  // A program has one class per issuer its cards' objects live under.
  await sql`alter table google_classes drop constraint google_classes_pkey`.execute(db);
  await sql`alter table google_classes add primary key (program_id, class_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists google_issuers`.execute(db);
}
