import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { Card, LedgerKind } from '../db/schema.js';
import type { CardChanges } from '../card-updates/card-changes.js';
import { conflict, unprocessable } from '../shared/errors.js';

export interface EntryInput {
  kind: LedgerKind;
  /** Positive credits, negative debits. */
  points: number;
  amountMinor?: number | null;
  storeId?: string | null;
  receiptId?: string | null;
  purchaseId?: number | null;
  reason?: string | null;
  /** For credits: when these points expire (null: never). */
  expiresAt?: Date | null;
}

/**
 * The only code that moves points. Every call runs inside the caller's transaction on a card row
 * the caller has locked (lockCard), so concurrent tills serialise on the card and a balance can
 * never be overdrawn; the cached cards.balance, the ledger sum and the open lots move together.
 */
export class Ledger {
  constructor(private readonly changes: CardChanges) {}

  /** Locks the card for the rest of the transaction and returns its current row. */
  async lockCard(trx: Db, cardId: string): Promise<Card> {
    return trx.selectFrom('cards').selectAll().where('id', '=', cardId).forUpdate().executeTakeFirstOrThrow();
  }

  assertUsable(card: Card): void {
    if (card.status !== 'active') throw conflict(`Card ${card.card_number} is ${card.status}`, { cardStatus: card.status });
  }

  /** Posts entries on a locked card; returns the new balance. Tier/pass changes are marked by the caller via touch. */
  async post(trx: Db, card: Card, entries: EntryInput[]): Promise<number> {
    let balance = card.balance;
    for (const e of entries) {
      if (e.points === 0) continue;
      if (balance + e.points < 0) {
        throw unprocessable(`Card ${card.card_number} has ${balance} points; ${-e.points} cannot be taken`, { balance });
      }
      const entry = await trx
        .insertInto('ledger_entries')
        .values({
          card_id: card.id,
          kind: e.kind,
          points: e.points,
          amount_minor: e.amountMinor ?? null,
          store_id: e.storeId ?? null,
          receipt_id: e.receiptId ?? null,
          purchase_id: e.purchaseId ?? null,
          reason: e.reason ?? null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      if (e.points > 0) {
        await trx
          .insertInto('point_lots')
          .values({ card_id: card.id, entry_id: entry.id, points: e.points, remaining: e.points, expires_at: e.expiresAt ?? null })
          .execute();
      } else {
        await consumeOldestFirst(trx, card.id, -e.points);
      }
      balance += e.points;
    }
    if (balance !== card.balance) {
      await trx.updateTable('cards').set({ balance }).where('id', '=', card.id).execute();
      card.balance = balance;
    }
    return balance;
  }

  /** Marks the card's pass changed (balance or tier on the card) inside the transaction. */
  async touch(trx: Db, card: Card): Promise<void> {
    await this.changes.markChanged(trx, [card.id]);
  }

  committed(): void {
    this.changes.committed();
  }
}

/**
 * Takes `points` from the card's open lots, soonest-expiring first, in one statement: a lot whose
 * running total (in that order) stays within `points` is emptied, the lot where it crosses keeps
 * the rest, later lots are untouched.
 */
async function consumeOldestFirst(trx: Db, cardId: string, points: number): Promise<void> {
  await sql`
    with open_lots as (
      select id, remaining,
             sum(remaining) over (order by expires_at asc nulls last, id) as running
      from point_lots where card_id = ${cardId} and remaining > 0
    )
    update point_lots l
    set remaining = greatest(0, o.running - ${points})
    from open_lots o
    where l.id = o.id and o.running - o.remaining < ${points}`.execute(trx);
}
