import type { Db } from '../../platform/db/database.js';
import type { Card, Program } from '../../platform/db/schema.js';
import { AppError, conflict, invalidField, notFound, unprocessable } from '../../platform/shared/errors.js';
import { currencyExponent, fromMinorUnits, toMinorUnits } from '../../platform/shared/money.js';
import { tierForSpend } from '../programs/program-service.js';
import type { Ledger } from './ledger.js';
import { expiryDate, maxRedeemablePoints, pointsEarned, pointsToMinor, refundShares } from './rules.js';
import type { PurchaseInput, RefundInput } from './purchase-input.js';
import { chainLinks, laterPurchaseExists, rebuildChain } from './purchase-chain.js';

export interface PurchaseResult {
  purchaseId: number;
  earned: number;
  redeemed: number;
  balance: number;
  tier: string;
  tierChanged: boolean;
}

/** The till's operations. Each runs inside the caller's (idempotent) transaction. */
export class PurchaseService {
  constructor(private readonly ledger: Ledger) {}

  /** Finds the program's card by its scanned barcode or typed card number; `lock` holds it for the transaction. */
  async findCard(db: Db, programId: string, barcode: string, lock = false): Promise<Card> {
    let q = db
      .selectFrom('cards')
      .selectAll()
      .where('program_id', '=', programId)
      .where((eb) => eb.or([eb('barcode_value', '=', barcode), eb('card_number', '=', barcode.replace(/[\s-]/g, ''))]));
    if (lock) q = q.forUpdate();
    const card = await q.executeTakeFirst();
    if (!card) throw notFound('Card with this barcode');
    return card;
  }

  async purchase(trx: Db, program: Program, storeId: string, input: PurchaseInput, cashier?: { id: string; name: string }): Promise<PurchaseResult> {
    const exponent = currencyExponent(program.currency);
    const amountMinor = toMinorUnits(input.amount, exponent);
    if (amountMinor === null || amountMinor <= 0)
      throw invalidField('amount', `must be a positive amount in ${program.currency} with at most ${exponent} decimals`);
    const card = await this.findCard(trx, program.id, input.barcode, true);
    this.ledger.assertUsable(card);

    const maxRedeem = maxRedeemablePoints(amountMinor, program.max_redeem_bp, exponent, card.balance);
    if (input.redeemPoints > maxRedeem) {
      throw unprocessable(`At most ${maxRedeem} points can pay for this purchase`, { maxRedeemPoints: maxRedeem, balance: card.balance });
    }
    const paidMinor = amountMinor - pointsToMinor(input.redeemPoints, exponent);
    const tierBefore = tierForSpend(program.tiers, card.lifetime_spend_minor);
    const earned = pointsEarned(paidMinor, tierBefore.earnRateBp, exponent);

    const purchase = await trx
      .insertInto('purchases')
      .values({
        card_id: card.id,
        store_id: storeId,
        program_id: program.id,
        receipt_id: input.receiptId,
        amount_minor: amountMinor,
        redeemed_points: input.redeemPoints,
        earned_points: earned,
        cashier_id: cashier?.id ?? null,
        cashier: cashier?.name ?? null,
        ...chainLinks(card.id, storeId),
      })
      .onConflict((oc) => oc.columns(['store_id', 'receipt_id']).doNothing())
      .returning(['id', laterPurchaseExists(card.id).as('later')])
      .executeTakeFirst();
    if (!purchase) throw conflict(`Receipt ${input.receiptId} was already recorded at this store`);
    if (purchase.later) await rebuildChain(trx, card.id);
    // The card came out after the till had reported the receipt as card-less: it is the card's now.
    await trx.deleteFrom('pos_receipts').where('store_id', '=', storeId).where('receipt_id', '=', input.receiptId).execute();

    const common = { amountMinor, storeId, receiptId: input.receiptId, purchaseId: purchase.id };
    const balance = await this.ledger.post(trx, card, [
      { kind: 'redeem', points: -input.redeemPoints, ...common },
      { kind: 'earn', points: earned, ...common, expiresAt: expiryDate(new Date(), program.points_expire_after_months) },
    ]);
    const tierChanged = this.#updateSpend(program, card, card.lifetime_spend_minor + paidMinor);
    await this.ledger.save(trx, card, earned > 0 || input.redeemPoints > 0 || tierChanged);
    return { purchaseId: purchase.id, earned, redeemed: input.redeemPoints, balance, tier: card.tier, tierChanged };
  }

  /** `approvedBy`: the store manager whose PIN approved it, needed above the program's limit. */
  async refund(trx: Db, program: Program, storeId: string, input: RefundInput, approvedBy: string | null = null) {
    const exponent = currencyExponent(program.currency);
    // The card first, then the purchase: the order every purchase and refund takes its locks in (a
    // full refund rebuilds the card's chain, writing its other purchases; taken the other way round,
    // two refunds of one card could each hold what the other waits for).
    const found = await trx
      .selectFrom('purchases')
      .select('card_id')
      .where('store_id', '=', storeId)
      .where('receipt_id', '=', input.receiptId)
      .executeTakeFirst();
    if (!found) throw notFound(`Purchase with receipt ${input.receiptId} at this store`);
    const card = await this.ledger.lockCard(trx, found.card_id);
    const purchase = await trx
      .selectFrom('purchases')
      .selectAll()
      .where('store_id', '=', storeId)
      .where('receipt_id', '=', input.receiptId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const left = purchase.amount_minor - purchase.refunded_minor;
    if (left === 0) throw conflict(`Receipt ${input.receiptId} is already fully refunded`);
    const refundMinor = input.amount === undefined ? left : toMinorUnits(input.amount, exponent);
    if (refundMinor === null || refundMinor <= 0)
      throw invalidField('amount', `must be a positive amount in ${program.currency} with at most ${exponent} decimals`);
    if (refundMinor > left)
      throw unprocessable(`At most ${fromMinorUnits(left, exponent)} can still be refunded on this receipt`, { refundable: fromMinorUnits(left, exponent) });
    const limit = program.refund_approval_above_minor;
    // The limit is on what the receipt has refunded in all, or five small refunds would make one big one.
    if (limit !== null && purchase.refunded_minor + refundMinor > limit && !approvedBy)
      throw new AppError(403, 'Approval required', `A refund above ${fromMinorUnits(limit, exponent)} needs a store manager's PIN`, { approvalRequired: true });

    const before = purchase.refunded_minor;
    const after = before + refundMinor;
    const { takeBack, giveBack } = refundShares(
      { amountMinor: purchase.amount_minor, earnedPoints: purchase.earned_points, redeemedPoints: purchase.redeemed_points },
      before,
      after,
    );
    // Points already spent cannot be taken back: take what is there, report the rest.
    const takeable = Math.min(takeBack, card.balance + giveBack);
    const common = { amountMinor: refundMinor, storeId, receiptId: input.receiptId, purchaseId: purchase.id };
    const balance = await this.ledger.post(trx, card, [
      { kind: 'refund_redeem', points: giveBack, ...common, expiresAt: expiryDate(new Date(), program.points_expire_after_months) },
      { kind: 'refund_earn', points: -takeable, ...common },
    ]);
    await trx
      .updateTable('purchases')
      .set({ refunded_minor: after, ...(approvedBy && { refund_approved_by: approvedBy }) })
      .where('id', '=', purchase.id)
      .execute();
    // A fully refunded purchase leaves the chain: the card's later purchases link past it.
    if (after === purchase.amount_minor) await rebuildChain(trx, purchase.card_id);

    // The refunded share of what was paid in money no longer counts towards the tier.
    const paid = purchase.amount_minor - pointsToMinor(purchase.redeemed_points, exponent);
    const paidShare = (refunded: number) => Number((BigInt(paid) * BigInt(refunded)) / BigInt(purchase.amount_minor));
    const spendAfter = Math.max(0, card.lifetime_spend_minor - (paidShare(after) - paidShare(before)));
    const tierChanged = this.#updateSpend(program, card, spendAfter);
    await this.ledger.save(trx, card, giveBack > 0 || takeable > 0 || tierChanged);
    return {
      refunded: fromMinorUnits(refundMinor, exponent),
      pointsReturned: giveBack,
      pointsTakenBack: takeable,
      unrecoveredPoints: takeBack - takeable,
      balance,
      tier: card.tier,
    };
  }

  /** Sets accumulated spend and moves the tier with it (saved by ledger.save); true when the tier changed. */
  #updateSpend(program: Program, card: Card, spendMinor: number): boolean {
    const tier = tierForSpend(program.tiers, spendMinor).name;
    const tierChanged = tier !== card.tier;
    card.lifetime_spend_minor = spendMinor;
    card.tier = tier;
    return tierChanged;
  }
}
