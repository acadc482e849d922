import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Marketing restraint: at most this many marketing messages per card per day / per week.
  await sql`alter table programs add column marketing_caps jsonb not null default '{"perDay": 1, "perWeek": 3}'`.execute(db);
  // Birthday automation settings (null = off).
  await sql`alter table programs add column birthday_automation jsonb`.execute(db);
  // A customer's own limit (some accept three messages a day, others one a month).
  await sql`alter table customers add column max_messages_per_week integer check (max_messages_per_week >= 0)`.execute(db);

  await sql`
    create table campaigns (
      id uuid primary key default gen_random_uuid(),
      program_id uuid not null references programs(id),
      kind text not null check (kind in ('broadcast', 'birthday', 'reminder')),
      message text not null,
      audience jsonb not null default '{}',
      send_at timestamptz not null default now(),
      bonus_points integer not null default 0 check (bonus_points >= 0),
      status text not null default 'scheduled' check (status in ('scheduled', 'running', 'completed', 'cancelled')),
      dedupe_key text unique,
      created_at timestamptz not null default now(),
      started_at timestamptz,
      completed_at timestamptz
    )`.execute(db);

  // One row per card per campaign: a re-run or a crashed worker can never message a card twice.
  await sql`
    create table campaign_deliveries (
      campaign_id uuid not null references campaigns(id),
      card_id uuid not null references cards(id),
      status text not null check (status in ('pending', 'sent', 'skipped_consent', 'skipped_cap', 'skipped_status')),
      apple boolean not null default false,
      google boolean not null default false,
      created_at timestamptz not null default now(),
      sent_at timestamptz,
      primary key (campaign_id, card_id)
    )`.execute(db);
  await sql`create index campaign_deliveries_pending_idx on campaign_deliveries (campaign_id) where status = 'pending'`.execute(db);
  await sql`create index campaign_deliveries_card_sent_idx on campaign_deliveries (card_id, sent_at) where status = 'sent'`.execute(db);

  // The birthday bonus is granted once per customer per year.
  await sql`
    create table birthday_grants (
      customer_id uuid not null references customers(id),
      year integer not null,
      campaign_id uuid not null references campaigns(id),
      primary key (customer_id, year)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['birthday_grants', 'campaign_deliveries', 'campaigns']) await sql`drop table if exists ${sql.table(t)}`.execute(db);
  await sql`alter table customers drop column if exists max_messages_per_week`.execute(db);
  await sql`alter table programs drop column if exists birthday_automation`.execute(db);
  await sql`alter table programs drop column if exists marketing_caps`.execute(db);
}
