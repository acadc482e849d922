import { z } from 'zod';
import { operation } from '../../platform/http/operation.js';
import type { CardService } from '../cards/card-service.js';
import { cardParams } from '../cards/card-operations.js';
import { adjustmentInput } from './purchase-input.js';
import type { PointsService } from './points-service.js';

const ledgerEntry = z.object({
  id: z.number().int(),
  kind: z.string(),
  points: z.number().int(),
  amount: z.string().nullable(),
  storeId: z.uuid().nullable(),
  receiptId: z.string().nullable(),
  reason: z.string().nullable(),
  cashier: z.string().nullable().meta({ description: 'who rang the purchase up (purchase entries)' }),
  createdAt: z.iso.datetime(),
});

export const pointsOperations = (cards: CardService, points: PointsService) => [
  operation({
    operationId: 'adjustPoints',
    method: 'post',
    path: '/cards/{cardNumber}/points',
    tag: 'Points',
    summary: 'Add or take points by hand (a goodwill gesture, a correction)',
    roles: ['admin', 'marketer'],
    params: cardParams,
    body: adjustmentInput,
    idempotent: true,
    responses: {
      201: {
        description: 'The new balance (a retry with the same Idempotency-Key returns the first answer; Idempotent-Replayed says so)',
        schema: z.object({ points: z.number().int(), balance: z.number().int(), tier: z.string() }),
        headers: { 'Idempotent-Replayed': 'true when this is the stored answer of an earlier attempt' },
      },
    },
    errors: [404, 409, 422],
    targets: ({ params }) => [{ card: params.cardNumber }],
    handler: async ({ params, body, principal, idempotencyKey }) => {
      const { card, program } = await cards.getByNumber(params.cardNumber);
      const result = await points.adjustOnce(card, program, body, { scope: `api:${principal.keyId}`, key: idempotencyKey });
      return { status: result.status, headers: { 'Idempotent-Replayed': String(result.replayed) }, body: result.body };
    },
  }),
  operation({
    operationId: 'listCardTransactions',
    method: 'get',
    path: '/cards/{cardNumber}/transactions',
    tag: 'Points',
    summary: "The card's ledger, newest first",
    roles: ['admin', 'marketer'],
    params: cardParams,
    query: z.object({
      limit: z.coerce.number().int().min(1).max(500).default(50),
      before: z.coerce.number().int().positive().optional().describe('nextBefore of the previous page'),
    }),
    responses: { 200: { description: 'A page of entries', schema: z.object({ items: z.array(ledgerEntry), nextBefore: z.number().int().nullable() }) } },
    errors: [404],
    targets: ({ params }) => [{ card: params.cardNumber }],
    handler: async ({ params, query }) => {
      const { card, program } = await cards.getByNumber(params.cardNumber);
      return { status: 200, body: await points.history(card, program, query) };
    },
  }),
];
