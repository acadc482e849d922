import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../platform/db/database.js';

/**
 * The purchase chain: each counted purchase (not fully refunded) carries the times of its card's
 * previous two counted purchases, in the program and at its store, so analytics counts distinct
 * customers without grouping by card (migration 0023). Purchases of a card are serialised by the
 * card's row lock, so a new purchase is the card's latest and its links are read at insert; the rare
 * exceptions (a transaction that began before another purchase of the card committed, a full refund)
 * rebuild the card's chain.
 */
export function chainLinks(cardId: string, storeId: string): Record<'prev_at' | 'prev2_at' | 'prev_at_store' | 'prev2_at_store', RawBuilder<Date | null>> {
  const nth = (offset: number, store: boolean) => sql<Date | null>`(
    select created_at from purchases where card_id = ${cardId} ${store ? sql`and store_id = ${storeId}` : sql``}
      and amount_minor > refunded_minor order by created_at desc, id desc limit 1 offset ${sql.lit(offset)})`;
  return { prev_at: nth(0, false), prev2_at: nth(1, false), prev_at_store: nth(0, true), prev2_at_store: nth(1, true) };
}

/** In the insert's RETURNING: true when the card already has a purchase later than this one (rebuild). */
export const laterPurchaseExists = (cardId: string) =>
  sql<boolean>`exists (select 1 from purchases later where later.card_id = ${cardId} and later.created_at > now())`;

/** Rebuilds one card's chain from its counted purchases; rows already right are left alone. */
export async function rebuildChain(trx: Db, cardId: string): Promise<void> {
  await sql`
    update purchases p set prev_at = w.prev_at, prev2_at = w.prev2_at, prev_at_store = w.prev_at_store, prev2_at_store = w.prev2_at_store
    from (
      select id, lag(created_at, 1) over card as prev_at, lag(created_at, 2) over card as prev2_at,
        lag(created_at, 1) over store as prev_at_store, lag(created_at, 2) over store as prev2_at_store
      from purchases where card_id = ${cardId} and amount_minor > refunded_minor
      window card as (order by created_at, id), store as (partition by store_id order by created_at, id)
    ) w
    where p.id = w.id
      and (p.prev_at, p.prev2_at, p.prev_at_store, p.prev2_at_store) is distinct from (w.prev_at, w.prev2_at, w.prev_at_store, w.prev2_at_store)`.execute(trx);
}
