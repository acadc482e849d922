import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';

/** Objects re-driven per sweep at most: the quota would not serve more in a minute anyway. */
const SWEEP_LIMIT = 1000;

/**
 * Finds the cards whose Google object is missing (never inserted: Google refused, the job failed
 * for good, the card predates Google being on), stale (its wallet copy is behind the card), or
 * failed (its last sync left an error); whatever failed is retried at most every `retryFailedAfterMs`, and that have no sync job
 * waiting, and enqueues one each. Objects never saved to a wallet are not stale: they are brought
 * up to date when saved
 * (again). Returns how many it enqueued.
 */
export async function sweep(db: Db, retryFailedAfterMs: number, everyBrand: boolean): Promise<number> {
  const retry = sql`${`${retryFailedAfterMs} milliseconds`}::interval`;
  // Without a deployment issuer, a card of a brand without its own has nowhere to go.
  const hasIssuer = everyBrand
    ? sql`true`
    : sql`(g.card_id is not null or c.program_id in (select p.id from programs p join google_issuers i on i.brand_id = p.brand_id and i.current))`;
  // The earlier failed job of a re-driven card goes (its reason stays on the object): one failed
  // row per card at most, however long it keeps failing.
  const result = await sql`
    with candidates as (
      select c.id from cards c left join google_objects g on g.card_id = c.id
      where (g.card_id is null
          or g.synced_version is null
          or (g.synced_version < c.pass_version and (g.saved or c.status = 'voided'))
          or g.full_sync_due
          or g.last_error is not null)
        and (c.status != 'voided' or g.card_id is not null)
        and ${hasIssuer}
        and (g.last_error is null or g.updated_at < now() - ${retry})
        and (g.lease_until is null or g.lease_until < now())
        and not exists (select 1 from jobs j where j.kind = 'google.card-changed' and j.dedupe_key = c.id::text and j.failed_at is null)
      order by g.updated_at nulls first
      limit ${SWEEP_LIMIT}
    ), cleared as (
      delete from jobs where kind = 'google.card-changed' and failed_at is not null and dedupe_key in (select id::text from candidates)
    )
    insert into jobs (kind, dedupe_key, payload)
    select 'google.card-changed', id::text, jsonb_build_object('cardId', id, 'bulk', true) from candidates
    on conflict (kind, dedupe_key) where dedupe_key is not null and locked_until is null and failed_at is null do nothing`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/**
 * The outbox's hook for Google, in the transaction that set the cards' messages: one row per
 * message for the objects that are in a wallet now (the others would skip it anyway). Not when the
 * campaign already reached them through the class.
 */
export async function recordMessages(trx: Db, cardIds: string[], deliveredByClass: boolean): Promise<void> {
  if (deliveredByClass || cardIds.length === 0) return;
  await sql`
    insert into google_messages (card_id, seq, text)
    select c.id, c.message_seq, c.message from cards c
    where c.id = any(${cardIds}::uuid[]) and c.message is not null
      and exists (select 1 from google_objects g where g.card_id = c.id and g.saved)
    on conflict do nothing`.execute(trx);
}

/** Erasure: the texts of messages recorded for these cards are cleared (what was sent, not to whom, stays). */
export async function forgetMessages(trx: Db, cardIds: string[]): Promise<void> {
  if (cardIds.length === 0) return;
  await trx.updateTable('google_messages').set({ text: null }).where('card_id', 'in', cardIds).execute();
}
