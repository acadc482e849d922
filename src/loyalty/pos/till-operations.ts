import { z } from 'zod';
import { operation } from '../../platform/http/operation.js';
import { line } from '../../platform/shared/text.js';
import { amountInput } from '../../platform/shared/money.js';
import { purchaseInput, receiptInput, refundInput } from '../ledger/purchase-input.js';
import type { TillService } from './till-service.js';
import type { TillEnrolment } from './till-enrolment.js';
import { birthdayDate } from '../cards/enrolment-input.js';

const tillEnrolled = z.object({ created: z.boolean(), cardNumber: z.string(), firstName: z.string(), tier: z.string(), balance: z.number().int() });

const replayedHeader = { 'Idempotent-Replayed': 'true when this is the stored answer of an earlier attempt with this Idempotency-Key' };

/** The till API: pos keys only; each key's store decides the program. */
export const tillOperations = (till: TillService, enrolment: TillEnrolment) => [
  operation({
    operationId: 'tillManagers',
    method: 'get',
    path: '/pos/managers',
    tag: 'Till',
    summary: "The store's managers who can approve a refund above the program's limit with their PIN",
    roles: ['pos'],
    responses: { 200: { description: 'The managers', schema: z.object({ items: z.array(z.object({ id: z.uuid(), name: z.string() })) }) } },
    targets: () => [],
    handler: async ({ principal }) => ({ status: 200, body: { items: await till.managers(principal.storeId!) } }),
  }),
  operation({
    operationId: 'tillStartEnrolment',
    method: 'post',
    path: '/pos/enrolments',
    tag: 'Till',
    summary: 'A new customer at the counter: texts a code to the phone they give (the card comes with the code)',
    description: 'The personal-data consent is the customer’s, given at the counter (`personalData: true`). Answers 429 when the code cannot be texted now.',
    roles: ['pos'],
    body: z.strictObject({
      name: line().trim().min(1).max(60),
      phone: line().min(3).max(40),
      birthday: birthdayDate.optional(),
      personalData: z.literal(true, { message: 'the customer must consent to the processing of personal data' }),
      marketing: z.boolean().default(false),
      lang: z.enum(['ru', 'en']).default('ru'),
    }),
    responses: { 202: { description: 'The code is on its way', schema: z.object({ verificationId: z.string() }) } },
    errors: [429],
    targets: () => [],
    handler: async ({ body, principal }) => ({ status: 202, body: await enrolment.start(principal.storeId!, body) }),
  }),
  operation({
    operationId: 'tillConfirmEnrolment',
    method: 'post',
    path: '/pos/enrolments/{verificationId}/confirm',
    tag: 'Till',
    summary: 'The code the customer read out: their card (a new one, or the one the phone already has)',
    roles: ['pos'],
    params: z.object({ verificationId: line().max(40) }),
    body: z.strictObject({ code: line().regex(/^\s*\d{6}\s*$/, 'must be the six digits of the texted code') }),
    responses: {
      201: { description: 'A new card', schema: tillEnrolled },
      200: { description: 'The card the phone already had', schema: tillEnrolled },
    },
    errors: [410],
    targets: () => [],
    handler: async ({ params, body, principal }) => {
      const card = await enrolment.confirm(principal.storeId!, params.verificationId, body.code, principal.keyId);
      return { status: card.created ? 201 : 200, body: card };
    },
  }),
  operation({
    operationId: 'tillContext',
    method: 'get',
    path: '/pos/context',
    tag: 'Till',
    summary: 'This till: its store, program and who is working (what the till app starts with)',
    roles: ['pos'],
    responses: {
      200: {
        description: 'The till',
        schema: z.object({
          store: z.object({ id: z.uuid(), name: z.string() }),
          program: z.object({ slug: z.string(), name: z.string(), currency: z.string(), barcodeFormat: z.string(), maxRedeemPercent: z.number() }),
          cashier: z.string(),
        }),
      },
    },
    targets: () => [],
    handler: async ({ principal }) => ({ status: 200, body: await till.context(principal.storeId!, principal.name) }),
  }),
  operation({
    operationId: 'tillTodayPurchases',
    method: 'get',
    path: '/pos/purchases',
    tag: 'Till',
    summary: "Today's purchases at this store, newest first (to choose one to refund)",
    roles: ['pos'],
    responses: {
      200: {
        description: 'The purchases',
        schema: z.object({
          items: z.array(
            z.object({
              purchaseId: z.number().int(),
              receiptId: z.string(),
              at: z.iso.datetime(),
              amount: z.string(),
              refunded: z.string(),
              earned: z.number().int(),
              redeemed: z.number().int(),
              cardLast4: z.string(),
              cashier: z.string().nullable(),
            }),
          ),
        }),
      },
    },
    targets: () => [],
    handler: async ({ principal }) => ({ status: 200, body: { items: await till.today(principal.storeId!) } }),
  }),
  operation({
    operationId: 'tillFindByPhone',
    method: 'get',
    path: '/pos/customers',
    tag: 'Till',
    summary: "Cards by part of the customer's phone: first name and the card's last digits, never the phone",
    roles: ['pos'],
    query: z.object({
      phone: line()
        .transform((v) => v.replace(/\D/g, ''))
        .pipe(z.string().min(4, 'needs at least 4 digits').max(15)),
    }),
    responses: {
      200: {
        description: 'At most five cards',
        schema: z.object({ items: z.array(z.object({ cardNumber: z.string(), cardLast4: z.string(), firstName: z.string() })) }),
      },
    },
    errors: [429],
    targets: () => [],
    handler: async ({ query, principal }) => ({ status: 200, body: { items: await till.findByPhone(principal.storeId!, query.phone, principal.keyId) } }),
  }),
  operation({
    operationId: 'tillLookupCard',
    method: 'get',
    path: '/pos/cards/{barcode}',
    tag: 'Till',
    summary: 'Look up a scanned card (barcode or typed card number) in this till’s program',
    roles: ['pos'],
    params: z.object({ barcode: line().min(1).max(200) }),
    query: z.object({ amount: amountInput.optional().describe('the purchase amount: the answer then says how many points may be redeemed on it') }),
    responses: {
      200: {
        description: 'The card',
        schema: z.object({
          cardNumber: z.string(),
          firstName: z.string(),
          tier: z.string(),
          balance: z.number().int(),
          maxRedeemPoints: z.number().int().optional(),
        }),
      },
    },
    errors: [404, 409],
    // The till confines the card to its store's program itself.
    targets: () => [],
    handler: async ({ params, query, principal }) => ({ status: 200, body: await till.lookup(principal.storeId!, params.barcode, query.amount) }),
  }),
  operation({
    operationId: 'tillPurchase',
    method: 'post',
    path: '/pos/purchases',
    tag: 'Till',
    summary: 'A purchase: earn points on the part paid in money, optionally redeem points (within the program’s cap)',
    description: 'One short transaction. The same receiptId twice answers 409; the same Idempotency-Key with another body 422.',
    roles: ['pos'],
    body: purchaseInput,
    idempotent: true,
    responses: {
      201: {
        description: 'The purchase',
        schema: z.object({
          purchaseId: z.number().int(),
          earned: z.number().int(),
          redeemed: z.number().int(),
          balance: z.number().int(),
          tier: z.string(),
          tierChanged: z.boolean(),
        }),
        headers: replayedHeader,
      },
    },
    errors: [404, 409, 422],
    // The till confines the card to its store's program itself.
    targets: () => [],
    handler: async ({ body, principal, idempotencyKey }) =>
      reply(await till.purchase(principal.storeId!, idempotencyKey, body, { id: principal.keyId, name: principal.name })),
  }),
  operation({
    operationId: 'tillReceipt',
    method: 'post',
    path: '/pos/receipts',
    tag: 'Till',
    summary: 'A receipt rung up without a card: its total only, for the average check without the card',
    description: 'Idempotent like a purchase. A receiptId already recorded at the store (with a card or without) answers 409.',
    roles: ['pos'],
    body: receiptInput,
    idempotent: true,
    responses: {
      201: {
        description: 'The receipt',
        schema: z.object({ receiptId: z.string(), amount: z.string(), recordedAt: z.iso.datetime() }),
        headers: replayedHeader,
      },
    },
    errors: [409, 422],
    targets: () => [],
    handler: async ({ body, principal, idempotencyKey }) => reply(await till.receipt(principal.storeId!, idempotencyKey, body)),
  }),
  operation({
    operationId: 'tillRefund',
    method: 'post',
    path: '/pos/refunds',
    tag: 'Till',
    summary: 'A refund of a purchase, whole or in part: earned points are taken back, redeemed points returned',
    roles: ['pos'],
    body: refundInput,
    idempotent: true,
    responses: {
      201: {
        description: 'The refund; unrecoveredPoints are earned points already spent',
        schema: z.object({
          refunded: z.string(),
          pointsReturned: z.number().int(),
          pointsTakenBack: z.number().int(),
          unrecoveredPoints: z.number().int(),
          balance: z.number().int(),
          tier: z.string(),
        }),
        headers: replayedHeader,
      },
    },
    errors: [403, 404, 409, 422],
    // The till confines the receipt to its store itself.
    targets: () => [],
    handler: async ({ body, principal, idempotencyKey }) => reply(await till.refund(principal.storeId!, idempotencyKey, body)),
  }),
];

const reply = (result: { status: number; body: unknown; replayed: boolean }) => ({
  status: result.status,
  headers: { 'Idempotent-Replayed': String(result.replayed) },
  body: result.body,
});
