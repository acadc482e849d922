import { Router, type Response } from 'express';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { allow, principalOf } from '../http/auth.js';
import { requireIdempotencyKey } from '../http/idempotency-key.js';
import { parseInput, pathParam } from '../http/validate.js';
import { runIdempotent } from '../idempotency/idempotency.js';
import { purchaseInput, refundInput } from '../ledger/purchase-input.js';
import type { PurchaseService } from '../ledger/purchase-service.js';
import type { Ledger } from '../ledger/ledger.js';
import { maxRedeemablePoints } from '../ledger/rules.js';
import { amountInput, currencyExponent, toMinorUnits } from '../shared/money.js';
import { invalidField } from '../shared/errors.js';

/** The till API: a pos key belongs to one store, and everything it does is in that store's program. */
export function posRoutes(db: Db, purchases: PurchaseService, ledger: Ledger): Router {
  const router = Router();
  router.use('/pos', allow('pos'));

  async function tillContext(res: Response) {
    const storeId = principalOf(res).storeId!;
    const program = await db
      .selectFrom('stores')
      .innerJoin('programs', 'programs.id', 'stores.program_id')
      .selectAll('programs')
      .where('stores.id', '=', storeId)
      .executeTakeFirstOrThrow();
    return { storeId, program };
  }

  router.get('/pos/cards/:barcode', async (req, res) => {
    const { program } = await tillContext(res);
    const query = parseInput(z.object({ amount: amountInput.optional() }), req.query);
    const card = await purchases.findCard(db, program.id, pathParam(req, 'barcode'));
    ledger.assertUsable(card);
    const customer = await db.selectFrom('customers').select('name').where('id', '=', card.customer_id).executeTakeFirstOrThrow();
    let maxRedeemPoints: number | undefined;
    if (query.amount !== undefined) {
      const exponent = currencyExponent(program.currency);
      const amountMinor = toMinorUnits(query.amount, exponent);
      if (amountMinor === null) throw invalidField('amount', `must have at most ${exponent} decimals in ${program.currency}`);
      maxRedeemPoints = maxRedeemablePoints(amountMinor, program.max_redeem_bp, exponent, card.balance);
    }
    res.json({
      cardNumber: card.card_number,
      firstName: (customer.name ?? '').split(/\s+/)[0] ?? '',
      tier: card.tier,
      balance: card.balance,
      ...(maxRedeemPoints !== undefined && { maxRedeemPoints }),
    });
  });

  router.post('/pos/purchases', async (req, res) => {
    const key = requireIdempotencyKey(req);
    const input = parseInput(purchaseInput, req.body);
    const { storeId, program } = await tillContext(res);
    const result = await runIdempotent(db, `pos:${storeId}`, key, { op: 'purchase', ...input }, async (trx) => ({
      status: 201,
      body: await purchases.purchase(trx, program, storeId, input),
    }));
    if (!result.replayed) ledger.committed();
    res.status(result.status).set('Idempotent-Replayed', String(result.replayed)).json(result.body);
  });

  router.post('/pos/refunds', async (req, res) => {
    const key = requireIdempotencyKey(req);
    const input = parseInput(refundInput, req.body);
    const { storeId, program } = await tillContext(res);
    const result = await runIdempotent(db, `pos:${storeId}`, key, { op: 'refund', ...input }, async (trx) => ({
      status: 201,
      body: await purchases.refund(trx, program, storeId, input),
    }));
    if (!result.replayed) ledger.committed();
    res.status(result.status).set('Idempotent-Replayed', String(result.replayed)).json(result.body);
  });

  return router;
}
