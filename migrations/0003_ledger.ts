import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // One row per purchase at a till; a receipt is earned at most once per store.
  await sql`
    create table purchases (
      id bigint generated always as identity primary key,
      card_id uuid not null references cards(id),
      store_id uuid not null references stores(id),
      receipt_id text not null,
      amount_minor bigint not null check (amount_minor > 0),
      redeemed_points integer not null check (redeemed_points >= 0),
      earned_points integer not null check (earned_points >= 0),
      refunded_minor bigint not null default 0,
      created_at timestamptz not null default now(),
      unique (store_id, receipt_id),
      check (refunded_minor between 0 and amount_minor)
    )`.execute(db);
  await sql`create index purchases_card_idx on purchases (card_id, created_at)`.execute(db);

  // Append-only: every movement of points. A card's balance is the sum of its entries.
  await sql`
    create table ledger_entries (
      id bigint generated always as identity primary key,
      card_id uuid not null references cards(id),
      kind text not null check (kind in ('earn', 'redeem', 'refund_earn', 'refund_redeem', 'welcome', 'birthday', 'bonus', 'adjustment', 'expiry')),
      points integer not null check (points <> 0),
      amount_minor bigint,
      store_id uuid references stores(id),
      receipt_id text,
      purchase_id bigint references purchases(id),
      reason text,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index ledger_entries_card_idx on ledger_entries (card_id, id)`.execute(db);

  // Credited points not yet spent, with their expiry: debits consume the oldest first, the
  // expiry job burns what is left of lots past their date. Sum(remaining) = balance, always.
  await sql`
    create table point_lots (
      id bigint generated always as identity primary key,
      card_id uuid not null references cards(id),
      entry_id bigint not null references ledger_entries(id),
      points integer not null check (points > 0),
      remaining integer not null check (remaining between 0 and points),
      expires_at timestamptz,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index point_lots_open_idx on point_lots (card_id, expires_at, id) where remaining > 0`.execute(db);
  await sql`create index point_lots_expiry_idx on point_lots (expires_at) where remaining > 0 and expires_at is not null`.execute(db);

  // Responses of requests made with an Idempotency-Key, stored in the same transaction as
  // their effect: a repeated request gets the first answer and changes nothing.
  await sql`
    create table idempotency_keys (
      scope text not null,
      key text not null,
      request_hash text not null,
      status integer not null,
      response jsonb not null,
      created_at timestamptz not null default now(),
      primary key (scope, key)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['idempotency_keys', 'point_lots', 'ledger_entries', 'purchases']) await sql`drop table if exists ${sql.table(t)}`.execute(db);
}
