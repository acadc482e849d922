import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // People who sign in to the browser apps, each within a scope like a key's.
  await sql`
    create table staff (
      id uuid primary key default gen_random_uuid(),
      brand_id uuid not null references brands(id),
      email text not null check (email = lower(email) and length(email) between 3 and 254),
      name text not null check (length(name) between 1 and 100),
      role text not null check (role in ('brand_admin', 'marketer', 'store_manager', 'cashier')),
      program_ids uuid[],
      store_id uuid references stores(id),
      password_hash text,
      failed_logins integer not null default 0,
      locked_until timestamptz,
      created_by text not null,
      created_at timestamptz not null default now(),
      disabled_at timestamptz,
      check ((role in ('store_manager', 'cashier')) = (store_id is not null))
    )`.execute(db);
  // Unique within a brand: one person may work for two brands, and no brand can probe another's staff.
  await sql`create unique index staff_brand_email_idx on staff (brand_id, email)`.execute(db);
  await sql`create index staff_email_idx on staff (email)`.execute(db);
  // One-time links (invitation, password reset): only their hash is kept.
  await sql`
    create table staff_tokens (
      token_hash text primary key,
      staff_id uuid not null references staff(id),
      kind text not null check (kind in ('invite', 'reset')),
      expires_at timestamptz not null,
      used_at timestamptz,
      created_at timestamptz not null default now()
    )`.execute(db);
  // Browser sessions: the cookie holds the id, the table its hash.
  await sql`
    create table staff_sessions (
      id_hash text primary key,
      staff_id uuid not null references staff(id),
      created_at timestamptz not null default now(),
      last_seen_at timestamptz not null default now(),
      expires_at timestamptz not null,
      revoked_at timestamptz,
      ip text
    )`.execute(db);
  await sql`create index staff_sessions_staff_idx on staff_sessions (staff_id) where revoked_at is null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['staff_sessions', 'staff_tokens', 'staff']) await sql`drop table if exists ${sql.table(t)}`.execute(db);
}
