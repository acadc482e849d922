import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Append-only: who (a key or a person) did what to what, in which brand, when, from where.
  await sql`
    create table audit_log (
      id bigint generated always as identity primary key,
      at timestamptz not null default now(),
      brand_id uuid references brands(id),
      actor_kind text not null check (actor_kind in ('deployment', 'key', 'staff')),
      actor_id text not null,
      actor_name text not null,
      role text not null,
      action text not null,
      target jsonb not null default '[]',
      status integer,
      ip text
    )`.execute(db);
  await sql`create index audit_log_brand_at_idx on audit_log (brand_id, at desc)`.execute(db);
  // Nothing may rewrite history: updates are refused by the database itself (deletes only by age).
  await sql`
    create function audit_log_append_only() returns trigger language plpgsql as $$
    begin raise exception 'audit_log is append-only'; end $$`.execute(db);
  await sql`create trigger audit_log_no_update before update on audit_log for each row execute function audit_log_append_only()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists audit_log`.execute(db);
  await sql`drop function if exists audit_log_append_only()`.execute(db);
}
