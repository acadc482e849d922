import { sql, type Kysely } from 'kysely';

// Back-in-stock notifications. A customer (through a shop, a till or a marketer's tool) asks to be
// told when an item (sku, optionally a size, optionally at one store) is back; a restock notifies
// every open subscription it matches exactly once, through the card's message field.
export async function up(db: Kysely<unknown>): Promise<void> {
  // One row per announced restock; subscriptions it notified point at it.
  await sql`
    create table restocks (
      id uuid primary key default gen_random_uuid(),
      program_id uuid not null references programs(id),
      sku text not null check (length(sku) between 1 and 64),
      size text check (length(size) between 1 and 20),
      store_id uuid references stores(id),
      lang text not null default 'ru' check (lang in ('ru', 'en')),
      notified_count integer not null default 0 check (notified_count >= 0),
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index restocks_program_idx on restocks (program_id, created_at)`.execute(db);

  // size null = any size; store_id null = any store. The unsubscribe token is the customer's
  // capability to cancel without an account: random, unique, never derived from anything.
  await sql`
    create table restock_subscriptions (
      id uuid primary key default gen_random_uuid(),
      program_id uuid not null references programs(id),
      card_id uuid not null references cards(id),
      sku text not null check (length(sku) between 1 and 64),
      size text check (length(size) between 1 and 20),
      store_id uuid references stores(id),
      title text not null check (length(title) between 1 and 120),
      unsubscribe_token text not null unique check (length(unsubscribe_token) >= 32),
      status text not null default 'open' check (status in ('open', 'notified', 'cancelled')),
      created_at timestamptz not null default now(),
      notified_at timestamptz,
      cancelled_at timestamptz,
      restock_id uuid references restocks(id),
      check ((status = 'notified') = (notified_at is not null and restock_id is not null)),
      check ((status = 'cancelled') = (cancelled_at is not null))
    )`.execute(db);
  // One card holds at most one OPEN subscription per (sku, size, store); "any size" and "any store"
  // are values of their own here, so NULLs do not slip past the uniqueness (PostgreSQL 13 has no
  // NULLS NOT DISTINCT).
  await sql`
    create unique index restock_subscriptions_open_unique on restock_subscriptions
      (card_id, sku, coalesce(size, ''), coalesce(store_id, '00000000-0000-0000-0000-000000000000'::uuid))
    where status = 'open'`.execute(db);
  // What a restock looks for.
  await sql`create index restock_subscriptions_match_idx on restock_subscriptions (program_id, sku, created_at) where status = 'open'`.execute(db);
  await sql`create index restock_subscriptions_card_idx on restock_subscriptions (card_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists restock_subscriptions`.execute(db);
  await sql`drop table if exists restocks`.execute(db);
}
