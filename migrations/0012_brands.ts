import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // The tenant: its programs (and through them its stores, customers, cards), its keys and people.
  await sql`
    create table brands (
      id uuid primary key default gen_random_uuid(),
      slug text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
      name text not null check (length(name) between 1 and 100),
      privacy_url text,
      created_at timestamptz not null default now()
    )`.execute(db);
  // Everything that exists on upgrade belongs to the first brand: every card, token and key keeps working.
  await sql`insert into brands (slug, name) values ('default', 'Default')`.execute(db);
  await sql`alter table programs add column brand_id uuid references brands(id)`.execute(db);
  await sql`update programs set brand_id = (select id from brands where slug = 'default')`.execute(db);
  await sql`alter table programs alter column brand_id set not null`.execute(db);
  await sql`create index programs_brand_idx on programs (brand_id)`.execute(db);

  // A key's scope: its brand, and within it a set of programs (null: all of them) or one store.
  await sql`alter table api_keys add column brand_id uuid references brands(id), add column program_ids uuid[]`.execute(db);
  await sql`update api_keys set brand_id = (select id from brands where slug = 'default')`.execute(db);
  await sql`alter table api_keys alter column brand_id set not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table api_keys drop column if exists brand_id, drop column if exists program_ids`.execute(db);
  await sql`alter table programs drop column if exists brand_id`.execute(db);
  await sql`drop table if exists brands`.execute(db);
}
