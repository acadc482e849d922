import type { UnitOfWork } from '../../platform/db/unit-of-work.js';
import type { Db } from '../../platform/db/database.js';
import type { Program } from '../../platform/db/schema.js';
import { runIdempotent } from '../../platform/idempotency/idempotency.js';
import { invalidField } from '../../platform/shared/errors.js';
import { currencyExponent, toMinorUnits } from '../../platform/shared/money.js';
import { firstName } from '../cards/card-view.js';
import type { Ledger } from '../ledger/ledger.js';
import type { PurchaseInput, RefundInput } from '../ledger/purchase-input.js';
import type { PurchaseService } from '../ledger/purchase-service.js';
import { maxRedeemablePoints } from '../ledger/rules.js';

/** The till: a pos key belongs to one store, and everything it does is in that store's program. */
export class TillService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly purchases: PurchaseService,
    private readonly ledger: Ledger,
  ) {}

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

  purchase(storeId: string, key: string, input: PurchaseInput) {
    return this.#once(storeId, key, 'purchase', input, (trx, program) => this.purchases.purchase(trx, program, storeId, input));
  }

  refund(storeId: string, key: string, input: RefundInput) {
    return this.#once(storeId, key, 'refund', input, (trx, program) => this.purchases.refund(trx, program, storeId, input));
  }

  /** A money-moving call: the store's Idempotency-Key scope, one unit of work, the first answer on retry. */
  async #once<T>(storeId: string, key: string, op: string, input: object, run: (trx: Db, program: Program) => Promise<T>) {
    const program = await this.#programOf(storeId);
    return runIdempotent(this.uow, `pos:${storeId}`, key, { op, ...input }, async (trx) => ({ status: 201, body: await run(trx, program) }));
  }

  #programOf(storeId: string): Promise<Program> {
    return this.uow.db
      .selectFrom('stores')
      .innerJoin('programs', 'programs.id', 'stores.program_id')
      .selectAll('programs')
      .where('stores.id', '=', storeId)
      .executeTakeFirstOrThrow();
  }
}
