import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // A shared till (phone, tablet, till PC) paired with one store; cashiers switch in on it by PIN.
  await sql`
    create table till_devices (
      id uuid primary key default gen_random_uuid(),
      store_id uuid not null references stores(id),
      name text not null check (length(name) between 1 and 100),
      token_hash text not null unique,
      paired_by text not null,
      created_at timestamptz not null default now(),
      last_seen_at timestamptz,
      revoked_at timestamptz
    )`.execute(db);
  await sql`alter table staff add column pin_hash text, add column pin_failures integer not null default 0, add column pin_locked_until timestamptz`.execute(
    db,
  );
  // A session opened by PIN on a device ends with the device.
  await sql`alter table staff_sessions add column device_id uuid references till_devices(id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table staff_sessions drop column if exists device_id`.execute(db);
  await sql`alter table staff drop column if exists pin_hash, drop column if exists pin_failures, drop column if exists pin_locked_until`.execute(db);
  await sql`drop table if exists till_devices`.execute(db);
}
