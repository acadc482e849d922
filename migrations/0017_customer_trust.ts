import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Secrets the service makes for itself (the key of phone hashes): random, never leave the database.
  await sql`
    create table server_secrets (
      name text primary key,
      value text not null,
      created_at timestamptz not null default now()
    )`.execute(db);

  // A join waiting for the code texted to its phone. Short-lived: deleted when used or expired.
  await sql`
    create table phone_verifications (
      id text primary key,
      program_id uuid not null references programs(id),
      phone text not null,
      enrolment jsonb not null,
      code_hash text not null,
      attempts integer not null default 0,
      sends integer not null default 0,
      last_sent_at timestamptz,
      expires_at timestamptz not null,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index phone_verifications_phone_idx on phone_verifications (program_id, phone)`.execute(db);
  await sql`create index phone_verifications_expiry_idx on phone_verifications (expires_at)`.execute(db);

  // Abuse budgets shared by every process: a count per bucket and fixed window.
  await sql`
    create table abuse_counters (
      bucket text not null,
      window_start timestamptz not null,
      count integer not null,
      primary key (bucket, window_start)
    )`.execute(db);

  // Who may join: verification by code (null: on when texts can reach phones) and phone regions.
  await sql`alter table programs add column verify_phone boolean, add column phone_regions text[]`.execute(db);
  // A consent change names who made it (a key, a person, or the customer's verified channel).
  await sql`alter table consents add column recorded_by text`.execute(db);
  // Unsalted SHA-256 of a phone is the phone (10^10 guesses): the old hashes go, new ones are HMACs.
  await sql`alter table sms_messages alter column phone_hash drop not null`.execute(db);
  await sql`update sms_messages set phone_hash = null`.execute(db);
  // A verification code is texted before there is a card.
  await sql`alter table sms_messages alter column card_id drop not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table consents drop column if exists recorded_by`.execute(db);
  await sql`alter table programs drop column if exists verify_phone, drop column if exists phone_regions`.execute(db);
  await sql`drop table if exists abuse_counters`.execute(db);
  await sql`drop table if exists phone_verifications`.execute(db);
  await sql`drop table if exists server_secrets`.execute(db);
}
