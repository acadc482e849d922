import { sql, type Kysely } from 'kysely';

// Every SMS the service sent, tried to send or refused, for the rate limits (per phone per day,
// per API key per hour) and for support. The phone itself is never stored: only its SHA-256.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table sms_messages (
      id bigint generated always as identity primary key,
      card_id uuid not null references cards(id),
      phone_hash text not null,
      key_id text not null,
      provider text not null,
      status text not null check (status in ('pending', 'sent', 'failed', 'rate_limited')),
      segments integer not null check (segments > 0),
      provider_message_id text,
      error text,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index sms_messages_phone_idx on sms_messages (phone_hash, created_at)`.execute(db);
  await sql`create index sms_messages_key_idx on sms_messages (key_id, created_at)`.execute(db);
  await sql`create index sms_messages_card_idx on sms_messages (card_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists sms_messages`.execute(db);
}
