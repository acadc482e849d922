import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // What happens to each card's wallets, append-only. card_delta is +1 when the event put the card
  // into the channel (its first device, or the save), -1 when it left it (its last device, or the
  // removal), else 0: "cards in the channel" at any date is a running sum. No device ids: the
  // figures need none, and an erased customer's phones must not stay.
  await sql`
    create table wallet_events (
      id bigserial primary key,
      program_id uuid not null references programs(id),
      card_id uuid not null references cards(id),
      channel text not null check (channel in ('apple', 'google', 'android', 'web')),
      event text not null check (event in ('installed', 'removed', 'pass_fetched', 'push_sent', 'push_failed', 'message_shown', 'message_silent')),
      card_delta smallint not null default 0 check (card_delta between -1 and 1),
      at timestamptz not null default now()
    )`.execute(db);
  await sql`create index wallet_events_program_at_idx on wallet_events (program_id, at) include (channel, event, card_delta)`.execute(db);
  await sql`create index wallet_events_card_idx on wallet_events (card_id, at)`.execute(db);
  await sql`
    create function wallet_events_append_only() returns trigger language plpgsql as $$
    begin raise exception 'wallet_events is append-only'; end $$`.execute(db);
  await sql`create trigger wallet_events_no_update before update or delete on wallet_events for each row execute function wallet_events_append_only()`.execute(
    db,
  );

  // Installs and removals are recorded by the database, in the statement that makes them, whatever
  // the path: a registration, an unregistration, a dead token's device deleted (cascading to its
  // registrations), a revoked or erased card's devices forgotten; a Google save or delete callback.
  // Two devices of one card changing at once (a phone and its watch) are serialised on the card:
  // the count after the lock sees the other's committed row (each statement of a plpgsql function
  // takes a new snapshot), so the card enters or leaves the channel exactly once.
  await sql`
    create function wallet_events_apple_registered() returns trigger language plpgsql as $$
    begin
      perform pg_advisory_xact_lock(hashtextextended(card_id::text, 22)) from (select distinct card_id from new_rows order by 1) s;
      insert into wallet_events (program_id, card_id, channel, event, card_delta)
      select c.program_id, n.card_id, 'apple', 'installed',
        case when row_number() over (partition by n.card_id) = 1
              and (select count(*) from apple_registrations r where r.card_id = n.card_id) = count(*) over (partition by n.card_id)
             then 1 else 0 end
      from new_rows n join cards c on c.id = n.card_id;
      return null;
    end $$`.execute(db);
  await sql`
    create function wallet_events_apple_unregistered() returns trigger language plpgsql as $$
    begin
      perform pg_advisory_xact_lock(hashtextextended(card_id::text, 22)) from (select distinct card_id from old_rows order by 1) s;
      insert into wallet_events (program_id, card_id, channel, event, card_delta)
      select c.program_id, o.card_id, 'apple', 'removed',
        case when row_number() over (partition by o.card_id) = 1
              and not exists (select 1 from apple_registrations r where r.card_id = o.card_id)
             then -1 else 0 end
      from old_rows o join cards c on c.id = o.card_id;
      return null;
    end $$`.execute(db);
  await sql`
    create trigger apple_registrations_installed after insert on apple_registrations
    referencing new table as new_rows for each statement execute function wallet_events_apple_registered()`.execute(db);
  await sql`
    create trigger apple_registrations_removed after delete on apple_registrations
    referencing old table as old_rows for each statement execute function wallet_events_apple_unregistered()`.execute(db);
  await sql`
    create function wallet_events_google_saved() returns trigger language plpgsql as $$
    begin
      if new.saved is distinct from (case when tg_op = 'INSERT' then false else old.saved end) then
        insert into wallet_events (program_id, card_id, channel, event, card_delta)
        select c.program_id, new.card_id, 'google', case when new.saved then 'installed' else 'removed' end, case when new.saved then 1 else -1 end
        from cards c where c.id = new.card_id;
      end if;
      return null;
    end $$`.execute(db);
  await sql`
    create trigger google_objects_saved after insert or update of saved on google_objects
    for each row execute function wallet_events_google_saved()`.execute(db);

  // What is in wallets today becomes the log's opening: one install per registration and saved object.
  await sql`
    insert into wallet_events (program_id, card_id, channel, event, card_delta, at)
    select c.program_id, r.card_id, 'apple', 'installed',
      case when row_number() over (partition by r.card_id order by r.created_at) = 1 then 1 else 0 end, r.created_at
    from apple_registrations r join cards c on c.id = r.card_id`.execute(db);
  await sql`
    insert into wallet_events (program_id, card_id, channel, event, card_delta, at)
    select c.program_id, g.card_id, 'google', 'installed', 1, coalesce(g.saved_at, g.created_at)
    from google_objects g join cards c on c.id = g.card_id where g.saved`.execute(db);

  // Where and how each card was issued, for "cards issued by source and store"; from the
  // personal-data consent it was issued with, for cards issued before.
  await sql`alter table cards add column source text, add column issued_store_id uuid references stores(id)`.execute(db);
  await sql`
    update cards c set source = k.source, issued_store_id = k.store_id
    from (select distinct on (customer_id) customer_id, source, store_id from consents where kind = 'personal_data' order by customer_id, id) k
    where k.customer_id = c.customer_id`.execute(db);
  await sql`update cards set source = 'api' where source is null`.execute(db);
  await sql`alter table cards alter column source set not null, alter column source set default 'api'`.execute(db);
  await sql`create index cards_program_created_idx on cards (program_id, created_at) include (source, issued_store_id)`.execute(db);

  // The period queries: purchases by store and time, ledger entries by program and time.
  // Replaces the till's (store, time) index: the same order, read backwards for today's purchases.
  await sql`create index purchases_store_created_idx on purchases (store_id, created_at) include (card_id, amount_minor, refunded_minor)`.execute(db);
  await sql`drop index purchases_store_time_idx`.execute(db);
  await sql`alter table ledger_entries add column program_id uuid references programs(id)`.execute(db);
  await sql`update ledger_entries l set program_id = c.program_id from cards c where c.id = l.card_id`.execute(db);
  await sql`alter table ledger_entries alter column program_id set not null`.execute(db);
  await sql`create index ledger_entries_program_created_idx on ledger_entries (program_id, created_at) include (kind, points)`.execute(db);

  // Receipts a till rang up with no card shown: the average check without the card.
  await sql`
    create table pos_receipts (
      store_id uuid not null references stores(id),
      receipt_id text not null,
      amount_minor bigint not null check (amount_minor > 0),
      created_at timestamptz not null default now(),
      primary key (store_id, receipt_id)
    )`.execute(db);
  await sql`create index pos_receipts_store_created_idx on pos_receipts (store_id, created_at) include (amount_minor)`.execute(db);

  // A campaign's holdout: a share of its audience that is deliberately not messaged, to measure against.
  await sql`
    alter table campaigns
      add column holdout_percent smallint not null default 0 check (holdout_percent between 0 and 90),
      add column attribution_days smallint not null default 7 check (attribution_days between 1 and 90)`.execute(db);
  await sql`alter table campaign_deliveries drop constraint campaign_deliveries_status_check`.execute(db);
  await sql`
    alter table campaign_deliveries add constraint campaign_deliveries_status_check
      check (status in ('pending', 'sent', 'skipped_consent', 'skipped_cap', 'skipped_status', 'holdout'))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists wallet_events`.execute(db);
  await sql`drop table if exists pos_receipts`.execute(db);
}
