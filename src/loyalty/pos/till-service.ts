import type { UnitOfWork } from '../../platform/db/unit-of-work.js';
import type { Db } from '../../platform/db/database.js';
import type { Program } from '../../platform/db/schema.js';
import { runIdempotent } from '../../platform/idempotency/idempotency.js';
import { AppError, invalidField } from '../../platform/shared/errors.js';
import { sql } from 'kysely';
import type { AbuseBudgets } from '../../platform/budgets/abuse-budgets.js';
import { currencyExponent, fromMinorUnits, toMinorUnits } from '../../platform/shared/money.js';
import { firstName } from '../cards/card-view.js';
import type { Ledger } from '../ledger/ledger.js';
import type { PurchaseInput, ReceiptInput, RefundInput } from '../ledger/purchase-input.js';
import type { PurchaseService } from '../ledger/purchase-service.js';
import { maxRedeemablePoints } from '../ledger/rules.js';

/** The till: a pos key belongs to one store, and everything it does is in that store's program. */
/** Store managers who may approve a refund at a till, and the check of one's PIN (the staff capability's). */
export interface RefundApprovers {
  list(storeId: string): Promise<{ id: string; name: string }[]>;
  /** The approver's `staff:<id>` when the PIN is a store manager's of this store; null otherwise. */
  check(storeId: string, staffId: string, pin: string): Promise<string | null>;
}

export class TillService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly purchases: PurchaseService,
    private readonly ledger: Ledger,
    private readonly approvers: RefundApprovers = { list: async () => [], check: async () => null },
    private readonly budgets?: AbuseBudgets,
  ) {}

  /** Who may approve a refund above the program's limit here. */
  managers(storeId: string) {
    return this.approvers.list(storeId);
  }

  /** A scanned card, with what may be redeemed on a purchase of `amount` (when given). */
  async lookup(storeId: string, barcode: string, amount: string | number | undefined) {
    const program = await this.#programOf(storeId);
    const db = this.uow.db;
    const card = await this.purchases.findCard(db, program.id, barcode);
    this.ledger.assertUsable(card);
    const customer = await db.selectFrom('customers').select('name').where('id', '=', card.customer_id).executeTakeFirstOrThrow();
    let maxRedeemPoints: number | undefined;
    if (amount !== undefined) {
      const exponent = currencyExponent(program.currency);
      const amountMinor = toMinorUnits(amount, exponent);
      if (amountMinor === null) throw invalidField('amount', `must have at most ${exponent} decimals in ${program.currency}`);
      maxRedeemPoints = maxRedeemablePoints(amountMinor, program.max_redeem_bp, exponent, card.balance);
    }
    return {
      cardNumber: card.card_number,
      firstName: firstName(customer.name),
      tier: card.tier,
      balance: card.balance,
      ...(maxRedeemPoints !== undefined && { maxRedeemPoints }),
    };
  }

  purchase(storeId: string, key: string, input: PurchaseInput, cashier?: { id: string; name: string }) {
    return this.#once(storeId, key, 'purchase', input, (trx, program) => this.purchases.purchase(trx, program, storeId, input, cashier));
  }

  /** What the till screen needs to start: its store, program and who is working. */
  async context(storeId: string, cashier: string) {
    const row = await this.uow.db
      .selectFrom('stores')
      .innerJoin('programs', 'programs.id', 'stores.program_id')
      .select([
        'stores.id as storeId',
        'stores.name as storeName',
        'programs.slug',
        'programs.name',
        'programs.currency',
        'programs.barcode_format',
        'programs.max_redeem_bp',
      ])
      .where('stores.id', '=', storeId)
      .executeTakeFirstOrThrow();
    return {
      store: { id: row.storeId, name: row.storeName },
      program: { slug: row.slug, name: row.name, currency: row.currency, barcodeFormat: row.barcode_format, maxRedeemPercent: row.max_redeem_bp / 100 },
      cashier,
    };
  }

  /** Today's purchases at this store (the program's day), newest first: what a refund is chosen from. */
  async today(storeId: string) {
    const program = await this.#programOf(storeId);
    const exponent = currencyExponent(program.currency);
    const rows = await this.uow.db
      .selectFrom('purchases as p')
      .innerJoin('cards as c', 'c.id', 'p.card_id')
      .select([
        'p.id',
        'p.receipt_id',
        'p.created_at',
        'p.amount_minor',
        'p.refunded_minor',
        'p.earned_points',
        'p.redeemed_points',
        'p.cashier',
        'c.card_number',
      ])
      .where('p.store_id', '=', storeId)
      .where('p.created_at', '>=', sql<Date>`date_trunc('day', now() at time zone ${program.timezone}) at time zone ${program.timezone}`)
      .orderBy('p.created_at', 'desc')
      .limit(200)
      .execute();
    return rows.map((r) => ({
      purchaseId: r.id,
      receiptId: r.receipt_id,
      at: r.created_at.toISOString(),
      amount: fromMinorUnits(r.amount_minor, exponent),
      refunded: fromMinorUnits(r.refunded_minor, exponent),
      earned: r.earned_points,
      redeemed: r.redeemed_points,
      cardLast4: r.card_number.slice(-4),
      cashier: r.cashier,
    }));
  }

  /**
   * Cards by a part of the customer's phone (at least 4 digits), in this till's program: first name
   * and the card's last digits only — never the phone — and at most five.
   */
  async findByPhone(storeId: string, digits: string, keyId: string) {
    // A search is a few digits away from every member's name and card: 60 an hour per till.
    const spent = await this.budgets?.take([{ bucket: `till:search:${keyId}`, limit: 60, windowSeconds: 3600 }]);
    if (spent && !spent.ok)
      throw new AppError(429, 'Too many searches', `At most 60 phone searches an hour per till; try again in ${Math.ceil(spent.retryAfterSeconds / 60)} min`, {
        retryAfterSeconds: spent.retryAfterSeconds,
      });
    const program = await this.#programOf(storeId);
    const rows = await this.uow.db
      .selectFrom('customers as u')
      .innerJoin('cards as c', 'c.customer_id', 'u.id')
      .select(['u.name', 'c.card_number'])
      .where('u.program_id', '=', program.id)
      .where('c.status', '=', 'active')
      .where('u.phone', 'like', `%${digits}%`)
      .orderBy('c.updated_at', 'desc')
      .limit(5)
      .execute();
    return rows.map((r) => ({ cardNumber: r.card_number, cardLast4: r.card_number.slice(-4), firstName: firstName(r.name) }));
  }

  async refund(storeId: string, key: string, input: RefundInput) {
    const { approval, ...request } = input;
    // The PIN is checked before the refund's transaction (its attempt counter is a write of its own),
    // and is no part of the request's fingerprint kept with the Idempotency-Key: it is a secret.
    let approvedBy: string | null = null;
    if (approval) {
      approvedBy = await this.approvers.check(storeId, approval.staffId, approval.pin);
      if (!approvedBy) throw new AppError(403, 'Approval refused', 'That PIN is not a store manager’s of this store', { approvalRequired: true });
    }
    return this.#once(storeId, key, 'refund', request, (trx, program) => this.purchases.refund(trx, program, storeId, request, approvedBy));
  }

  /**
   * A receipt without a card (the analytics' average check without the card). A receipt is one or
   * the other: its id, already used by a purchase with a card or by another receipt, is a 409.
   */
  async receipt(storeId: string, key: string, input: ReceiptInput) {
    return this.#once(storeId, key, 'receipt', input, async (trx, program) => {
      const exponent = currencyExponent(program.currency);
      const amountMinor = toMinorUnits(input.amount, exponent);
      if (amountMinor === null || amountMinor <= 0)
        throw invalidField('amount', `must be a positive amount in ${program.currency} with at most ${exponent} decimals`);
      const withCard = await trx
        .selectFrom('purchases')
        .select('id')
        .where('store_id', '=', storeId)
        .where('receipt_id', '=', input.receiptId)
        .executeTakeFirst();
      const inserted =
        !withCard &&
        (await trx
          .insertInto('pos_receipts')
          .values({ store_id: storeId, receipt_id: input.receiptId, amount_minor: amountMinor })
          .onConflict((oc) => oc.columns(['store_id', 'receipt_id']).doNothing())
          .returning('created_at')
          .executeTakeFirst());
      if (!inserted) throw new AppError(409, 'Conflict', `Receipt ${input.receiptId} was already recorded at this store`);
      return { receiptId: input.receiptId, amount: fromMinorUnits(amountMinor, exponent), recordedAt: inserted.created_at.toISOString() };
    });
  }

  /** A money-moving call: the store's Idempotency-Key scope, one unit of work, the first answer on retry. */
  async #once<T>(storeId: string, key: string, op: string, input: object, run: (trx: Db, program: Program) => Promise<T>) {
    const program = await this.#programOf(storeId);
    return runIdempotent(this.uow, `pos:${storeId}`, key, { op, ...input }, async (trx) => ({ status: 201, body: await run(trx, program) }));
  }

  #programOf(storeId: string): Promise<Program> {
    return programOfStore(this.uow.db, storeId);
  }
}

/** A till's program: the one of its store. */
export function programOfStore(db: Db, storeId: string): Promise<Program> {
  return db
    .selectFrom('stores')
    .innerJoin('programs', 'programs.id', 'stores.program_id')
    .selectAll('programs')
    .where('stores.id', '=', storeId)
    .executeTakeFirstOrThrow();
}
