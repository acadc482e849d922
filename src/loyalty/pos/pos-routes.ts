import { Router, type Response } from 'express';
import { firstName } from '../cards/card-view.js';
import { z } from 'zod';
import type { Db } from '../../platform/db/database.js';
import type { UnitOfWork } from '../../platform/db/unit-of-work.js';
import type { Program } from '../../platform/db/schema.js';
import { allow, principalOf } from '../../platform/http/auth.js';
import { requireIdempotencyKey } from '../../platform/http/idempotency-key.js';
import { parseInput, pathParam } from '../../platform/http/validate.js';
import { runIdempotent } from '../../platform/idempotency/idempotency.js';
import { purchaseInput, refundInput } from '../ledger/purchase-input.js';
import type { PurchaseService } from '../ledger/purchase-service.js';
import type { Ledger } from '../ledger/ledger.js';
import { maxRedeemablePoints } from '../ledger/rules.js';
import { amountInput, currencyExponent, toMinorUnits } from '../../platform/shared/money.js';
import { invalidField } from '../../platform/shared/errors.js';

/** The till API: a pos key belongs to one store, and everything it does is in that store's program. */
export function posRoutes(uow: UnitOfWork, db: Db, purchases: PurchaseService, ledger: Ledger): Router {
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
      firstName: firstName(customer.name),
      tier: card.tier,
      balance: card.balance,
      ...(maxRedeemPoints !== undefined && { maxRedeemPoints }),
    });
  });

  /** A money-moving till call: the store's Idempotency-Key scope, one transaction, the first answer on retry. */
  function tillOperation<I extends object>(path: string, op: string, schema: z.ZodType<I>, run: (trx: Db, program: Program, storeId: string, input: I) => Promise<unknown>) {
    router.post(path, async (req, res) => {
      const key = requireIdempotencyKey(req);
      const input = parseInput(schema, req.body);
      const { storeId, program } = await tillContext(res);
      const result = await runIdempotent(uow, `pos:${storeId}`, key, { op, ...input }, async (trx) => ({ status: 201, body: await run(trx, program, storeId, input) }));
      res.status(result.status).set('Idempotent-Replayed', String(result.replayed)).json(result.body);
    });
  }

  tillOperation('/pos/purchases', 'purchase', purchaseInput, (trx, program, storeId, input) => purchases.purchase(trx, program, storeId, input));
  tillOperation('/pos/refunds', 'refund', refundInput, (trx, program, storeId, input) => purchases.refund(trx, program, storeId, input));

  return router;
}
