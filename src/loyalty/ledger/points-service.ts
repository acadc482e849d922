import type { Db } from '../../platform/db/database.js';
import type { UnitOfWork } from '../../platform/db/unit-of-work.js';
import type { Card, Program } from '../../platform/db/schema.js';
import { fromMinorUnits, currencyExponent } from '../../platform/shared/money.js';
import { runIdempotent } from '../../platform/idempotency/idempotency.js';
import type { Ledger } from './ledger.js';
import { expiryDate, isLocalDaytime } from './rules.js';

/** Points outside purchases: welcome bonus, manual adjustments, expiry, history. */
export class PointsService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly ledger: Ledger,
  ) {}
  private get db() {
    return this.uow.db;
  }

  /** Enrolment hook: the welcome bonus, in the enrolment's transaction. */
  async grantWelcome(trx: Db, card: Card, program: Program): Promise<void> {
    if (program.welcome_bonus <= 0) return;
    const locked = await this.ledger.lockCard(trx, card.id);
    await this.ledger.post(trx, locked, [
      { kind: 'welcome', points: program.welcome_bonus, reason: 'Welcome bonus', expiresAt: expiryDate(new Date(), program.points_expire_after_months) },
    ]);
    // A brand-new card: no device has its pass yet, so there is nothing to push.
    await this.ledger.save(trx, locked, false);
  }

  /** A manual adjustment through the API: once per Idempotency-Key of the calling key. */
  async adjustOnce(card: Card, program: Program, input: { points: number; reason: string }, idempotency: { scope: string; key: string }) {
    return runIdempotent(this.uow, idempotency.scope, idempotency.key, { op: 'points', card: card.id, ...input }, async (trx) => ({
      status: 201,
      body: await this.adjust(trx, card.id, program, input.points, input.reason),
    }));
  }

  async adjust(trx: Db, cardId: string, program: Program, points: number, reason: string, kind: 'adjustment' | 'bonus' | 'birthday' = 'adjustment') {
    const card = await this.ledger.lockCard(trx, cardId);
    this.ledger.assertUsable(card);
    const balance = await this.ledger.post(trx, card, [
      { kind, points, reason, ...(points > 0 && { expiresAt: expiryDate(new Date(), program.points_expire_after_months) }) },
    ]);
    await this.ledger.save(trx, card, true);
    return { points, balance, tier: card.tier };
  }

  /**
   * Burns what is left of lots past their expiry, card by card (each in its own short transaction
   * holding the card's lock). Returns the number of cards touched. `localDaytime`: only programs
   * whose local time at `asOf` is daytime, so the "Balance" line never lights a phone at night (the
   * hourly job; what expired overnight goes in the morning).
   */
  async expire(asOf: Date = new Date(), options: { localDaytime?: boolean; batch?: number } = {}): Promise<number> {
    const { localDaytime = false, batch = 500 } = options;
    // The local hour is worked out here with Intl, which validated the zone, not by PostgreSQL,
    // whose zone list differs: one odd zone must not stop expiry for every program.
    const programs = localDaytime
      ? (await this.db.selectFrom('programs').select(['id', 'timezone']).execute()).filter((p) => isLocalDaytime(asOf, p.timezone)).map((p) => p.id)
      : undefined;
    if (programs?.length === 0) return 0;
    let touched = 0;
    for (;;) {
      const due = await this.db
        .selectFrom('point_lots')
        .innerJoin('cards', 'cards.id', 'point_lots.card_id')
        .select('point_lots.card_id')
        .distinct()
        .where('point_lots.remaining', '>', 0)
        .where('point_lots.expires_at', '<=', asOf)
        .$if(programs !== undefined, (q) => q.where('cards.program_id', 'in', programs!))
        .limit(batch)
        .execute();
      if (due.length === 0) break;
      for (const { card_id } of due) {
        await this.uow.run(async (trx) => {
          const card = await this.ledger.lockCard(trx, card_id);
          await trx
            .updateTable('point_lots')
            .set({ remaining: 0 })
            .where('card_id', '=', card_id)
            .where('remaining', '>', 0)
            .where('expires_at', '<=', asOf)
            .execute();
          // What the open lots no longer hold is what burnt (their sum always equals the balance).
          const open = await trx
            .selectFrom('point_lots')
            .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('remaining'), eb.lit(0)).as('left'))
            .where('card_id', '=', card_id)
            .executeTakeFirstOrThrow();
          const burnt = card.balance - Number(open.left);
          if (burnt <= 0) return;
          // The lots are already emptied: post only the ledger entry and the balance.
          await trx
            .insertInto('ledger_entries')
            .values({
              card_id,
              program_id: card.program_id,
              kind: 'expiry',
              points: -burnt,
              reason: `Points expired (as of ${asOf.toISOString().slice(0, 10)})`,
            })
            .execute();
          card.balance -= burnt;
          await this.ledger.save(trx, card, true);
        });
        touched++;
      }
    }
    return touched;
  }

  async history(card: Card, program: Program, options: { limit: number; before?: number | undefined }) {
    const exponent = currencyExponent(program.currency);
    let q = this.db
      .selectFrom('ledger_entries as e')
      .leftJoin('purchases as p', 'p.id', 'e.purchase_id')
      .selectAll('e')
      .select('p.cashier')
      .where('e.card_id', '=', card.id);
    if (options.before) q = q.where('e.id', '<', options.before);
    const rows = await q.orderBy('e.id', 'desc').limit(options.limit).execute();
    return {
      items: rows.map((r) => ({
        id: r.id,
        kind: r.kind,
        points: r.points,
        amount: r.amount_minor === null ? null : fromMinorUnits(r.amount_minor, exponent),
        storeId: r.store_id,
        receiptId: r.receipt_id,
        reason: r.reason,
        cashier: r.cashier ?? null,
        createdAt: r.created_at.toISOString(),
      })),
      nextBefore: rows.length === options.limit ? rows.at(-1)!.id : null,
    };
  }
}
