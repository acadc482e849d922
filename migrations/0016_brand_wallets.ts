import { sql, type Kysely } from 'kysely';

/**
 * Each brand may bring its own Apple identity (pass type id, certificate and key) and SMS sender.
 * A pass keeps the pass type id it was first signed with: Wallet knows it by that id and serial, so a
 * brand that moves to its own identity keeps serving the passes already on phones.
 *
 * The passes known to be on phones (registered by a device) were signed with the deployment's identity,
 * APPLE_PASS_TYPE_ID, read here from the environment the upgrade runs in (with the configuration's
 * default); the other cards stay unbound and take their brand's identity with their next pass.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const deployment = process.env.APPLE_PASS_TYPE_ID?.trim() || 'pass.dev.wallet-loyalty';
  await sql`
    create table apple_identities (
      pass_type_id text primary key check (pass_type_id ~ '^pass[.][A-Za-z0-9.-]+$'),
      brand_id uuid not null references brands(id),
      team_id text not null check (team_id ~ '^[A-Z0-9]{10}$'),
      credentials jsonb not null,
      certificate_not_after timestamptz not null,
      wwdr_not_after timestamptz not null,
      current boolean not null default true,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create unique index apple_identities_current_idx on apple_identities (brand_id) where current`.execute(db);

  await sql`alter table cards add column apple_pass_type_id text`.execute(db);
  await sql`update cards set apple_pass_type_id = ${deployment} where id in (select card_id from apple_registrations)`.execute(db);

  await sql`alter table apple_registrations drop constraint apple_registrations_device_library_id_fkey`.execute(db);
  await sql`alter table apple_devices add column pass_type_id text`.execute(db);
  await sql`update apple_devices set pass_type_id = ${deployment}`.execute(db);
  await sql`alter table apple_devices alter column pass_type_id set not null, drop constraint apple_devices_pkey, add primary key (device_library_id, pass_type_id)`.execute(
    db,
  );
  await sql`alter table apple_registrations add column pass_type_id text`.execute(db);
  await sql`update apple_registrations set pass_type_id = ${deployment}`.execute(db);
  await sql`
    alter table apple_registrations alter column pass_type_id set not null,
      add foreign key (device_library_id, pass_type_id) references apple_devices (device_library_id, pass_type_id) on delete cascade`.execute(db);

  await sql`alter table brands add column sms_sender text, add column sms_signature text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table brands drop column if exists sms_sender, drop column if exists sms_signature`.execute(db);
  await sql`alter table apple_registrations drop constraint if exists apple_registrations_device_library_id_pass_type_id_fkey`.execute(db);
  await sql`alter table apple_registrations drop column if exists pass_type_id`.execute(db);
  await sql`alter table apple_devices drop constraint apple_devices_pkey, drop column pass_type_id, add primary key (device_library_id)`.execute(db);
  await sql`alter table apple_registrations add foreign key (device_library_id) references apple_devices (device_library_id) on delete cascade`.execute(db);
  await sql`alter table cards drop column if exists apple_pass_type_id`.execute(db);
  await sql`drop table if exists apple_identities`.execute(db);
}
