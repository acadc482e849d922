import { sql, type Kysely } from 'kysely';

// Programs, stores, customers with their consents, cards, and API keys.
// Money is stored in integer minor units, rates in basis points (10% = 1000), so no float ever
// touches a balance.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table programs (
      id uuid primary key default gen_random_uuid(),
      slug text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
      name text not null check (length(name) between 1 and 100),
      currency char(3) not null default 'RUB',
      earn_rate_bp integer not null default 1000 check (earn_rate_bp between 0 and 10000),
      max_redeem_bp integer not null default 3000 check (max_redeem_bp between 0 and 10000),
      welcome_bonus integer not null default 0 check (welcome_bonus >= 0),
      tiers jsonb not null default '[]',
      points_expire_after_months integer check (points_expire_after_months > 0),
      timezone text not null default 'UTC',
      design text not null default 'default',
      barcode_format text not null default 'QR' check (barcode_format in ('QR', 'PDF417', 'CODE128')),
      terms text not null default '',
      privacy_policy_url text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);

  await sql`
    create table stores (
      id uuid primary key default gen_random_uuid(),
      program_id uuid not null references programs(id),
      name text not null,
      address text not null default '',
      latitude double precision not null check (latitude between -90 and 90),
      longitude double precision not null check (longitude between -180 and 180),
      relevant_text text,
      beacons jsonb not null default '[]',
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index stores_program_idx on stores (program_id)`.execute(db);

  // Personal data lives only here; erasure nulls it and stamps erased_at.
  await sql`
    create table customers (
      id uuid primary key default gen_random_uuid(),
      program_id uuid not null references programs(id),
      name text,
      phone text,
      email text,
      birthday date,
      home_store_id uuid references stores(id),
      marketing_consent boolean not null default false,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      erased_at timestamptz,
      unique (program_id, phone)
    )`.execute(db);

  // Append-only history of what the customer agreed to, when, and through which channel.
  await sql`
    create table consents (
      id bigint generated always as identity primary key,
      customer_id uuid not null references customers(id),
      kind text not null check (kind in ('personal_data', 'marketing')),
      granted boolean not null,
      source text not null,
      store_id uuid references stores(id),
      recorded_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index consents_customer_idx on consents (customer_id)`.execute(db);

  // Every change to what a card's wallet pass shows takes a new value of this sequence, so
  // "changed since tag N" is a plain comparison with no clock involved.
  await sql`create sequence card_pass_version_seq`.execute(db);
  await sql`
    create table cards (
      id uuid primary key default gen_random_uuid(),
      program_id uuid not null references programs(id),
      customer_id uuid not null unique references customers(id),
      card_number text not null unique,
      serial_number text not null unique,
      barcode_value text not null unique,
      status text not null default 'active' check (status in ('active', 'blocked', 'voided')),
      tier text not null,
      balance integer not null default 0 check (balance >= 0),
      lifetime_spend_minor bigint not null default 0,
      auth_token text not null check (length(auth_token) >= 32),
      link_token text not null unique,
      message text,
      pass_version bigint not null default nextval('card_pass_version_seq'),
      pass_updated_at timestamptz not null default now(),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index cards_program_idx on cards (program_id)`.execute(db);

  await sql`
    create table api_keys (
      id uuid primary key default gen_random_uuid(),
      name text not null,
      role text not null check (role in ('admin', 'marketer', 'pos')),
      store_id uuid references stores(id),
      key_hash text not null unique,
      key_prefix text not null,
      created_at timestamptz not null default now(),
      revoked_at timestamptz,
      check ((role = 'pos') = (store_id is not null))
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['api_keys', 'cards', 'consents', 'customers', 'stores', 'programs']) {
    await sql`drop table if exists ${sql.table(table)}`.execute(db);
  }
  await sql`drop sequence if exists card_pass_version_seq`.execute(db);
}
