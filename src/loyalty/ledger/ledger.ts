import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import type { Card, LedgerKind } from '../../platform/db/schema.js';
import type { WalletOutbox } from '../../wallets/outbox/wallet-outbox.js';
import { conflict, unprocessable } from '../../platform/shared/errors.js';

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
 * never be overdrawn. post() writes the entries and lots; save() writes the card row once
 * (balance, spend, tier and the pass version together) and queues the wallet updates.
 */
export class Ledger {
  constructor(private readonly outbox: WalletOutbox) {}

  /** Locks the card for the rest of the transaction and returns its current row. */
  async lockCard(trx: Db, cardId: string): Promise<Card> {
    return trx.selectFrom('cards').selectAll().where('id', '=', cardId).forUpdate().executeTakeFirstOrThrow();
  }

  assertUsable(card: Card): void {
    if (card.status !== 'active') throw conflict(`Card ${card.card_number} is ${card.status}`, { cardStatus: card.status });
  }

  /**
   * Posts entries on a locked card and moves card.balance in memory; returns the new balance.
   * Call save() before the transaction ends.
   */
  async post(trx: Db, card: Card, entries: EntryInput[]): Promise<number> {
    const moves = entries.filter((e) => e.points !== 0);
    let balance = card.balance;
    for (const e of moves) {
      if (balance + e.points < 0) {
        throw unprocessable(`Card ${card.card_number} has ${balance} points; ${-e.points} cannot be taken`, { balance });
      }
      balance += e.points;
    }
    if (moves.length === 0) return balance;
    const inserted = await trx
      .insertInto('ledger_entries')
      .values(
        moves.map((e) => ({
          card_id: card.id,
          program_id: card.program_id,
          kind: e.kind,
          points: e.points,
          amount_minor: e.amountMinor ?? null,
          store_id: e.storeId ?? null,
          receipt_id: e.receiptId ?? null,
          purchase_id: e.purchaseId ?? null,
          reason: e.reason ?? null,
        })),
      )
      .returning('id')
      .execute();
    // Credits become lots first, so a debit in the same call can draw on them (their expiry is
    // the latest, so they are drawn on last).
    const lots = moves.flatMap((e, i) =>
      e.points > 0 ? [{ card_id: card.id, entry_id: inserted[i]!.id, points: e.points, remaining: e.points, expires_at: e.expiresAt ?? null }] : [],
    );
    if (lots.length) await trx.insertInto('point_lots').values(lots).execute();
    const debit = -moves.reduce((sum, e) => sum + Math.min(0, e.points), 0);
    if (debit > 0) await consumeOldestFirst(trx, card.id, debit);
    card.balance = balance;
    return balance;
  }

  /**
   * Writes the card's balance, spend and tier in one statement; when `passChanged` that statement is
   * the outbox's, so it also moves the pass version and queues the wallet updates.
   */
  async save(trx: Db, card: Card, passChanged: boolean): Promise<void> {
    const columns = { balance: card.balance, lifetime_spend_minor: card.lifetime_spend_minor, tier: card.tier };
    if (passChanged) await this.outbox.cardChanged(trx, [card.id], columns, 'balance');
    else
      await trx
        .updateTable('cards')
        .set({ ...columns, updated_at: new Date() })
        .where('id', '=', card.id)
        .execute();
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
