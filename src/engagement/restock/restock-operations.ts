import { z } from 'zod';
import { operation } from '../../platform/http/operation.js';
import { line } from '../../platform/shared/text.js';
import { createRestockSubscriptionInput, restockInput } from './restock-input.js';
import { restockUnsubscribeUrl, type RestockService, type RestockSubscriptionDetails } from './restock-service.js';

export function toRestockSubscriptionView(s: RestockSubscriptionDetails, publicUrl: string) {
  return {
    id: s.id,
    program: s.program_slug,
    cardNumber: s.card_number,
    sku: s.sku,
    size: s.size,
    storeId: s.store_id,
    title: s.title,
    status: s.status,
    createdAt: s.created_at.toISOString(),
    notifiedAt: s.notified_at?.toISOString() ?? null,
    cancelledAt: s.cancelled_at?.toISOString() ?? null,
    restockId: s.restock_id,
    unsubscribeUrl: restockUnsubscribeUrl(publicUrl, s.unsubscribe_token),
  };
}

const subscriptionView = z
  .object({
    id: z.uuid(),
    program: z.string(),
    cardNumber: z.string(),
    sku: z.string(),
    size: z.string().nullable(),
    storeId: z.uuid().nullable(),
    title: z.string(),
    status: z.enum(['open', 'notified', 'cancelled']),
    createdAt: z.iso.datetime(),
    notifiedAt: z.iso.datetime().nullable(),
    cancelledAt: z.iso.datetime().nullable(),
    restockId: z.uuid().nullable(),
    unsubscribeUrl: z.url().describe('the customer’s link to stop this notification'),
  })
  .meta({ id: 'RestockSubscription' });

/** Back-in-stock subscriptions and the restocks that notify them. */
export const restockOperations = (restock: RestockService, publicUrl: string) => [
  operation({
    operationId: 'subscribeRestock',
    method: 'post',
    path: '/restock-subscriptions',
    tag: 'Back in stock',
    summary: 'Subscribe a card to a back-in-stock notification',
    description: 'A pos key subscribes cards of its own program, at its own store by default.',
    roles: ['admin', 'marketer', 'pos'],
    body: createRestockSubscriptionInput,
    responses: {
      201: { description: 'The new subscription', schema: subscriptionView.extend({ created: z.literal(true) }) },
      200: {
        description: 'The open subscription the card already had for this sku, size and store',
        schema: subscriptionView.extend({ created: z.literal(false) }),
      },
    },
    errors: [404, 409],
    targets: ({ body }) => [{ card: body.cardNumber }, ...(body.storeId ? [{ store: body.storeId, field: 'storeId' }] : [])],
    handler: async ({ body, principal }) => {
      const { subscription, created } = await restock.subscribe(body, { tillStoreId: principal.storeId });
      return { status: created ? 201 : 200, body: { ...toRestockSubscriptionView(subscription, publicUrl), created } };
    },
  }),
  operation({
    operationId: 'summariseRestockSubscriptions',
    method: 'get',
    path: '/restock-subscriptions/summary',
    tag: 'Back in stock',
    summary: "A program's open subscriptions grouped by item, size and store, most wanted first",
    description: '`size` null: any size; `storeId` null: any store. No customer is named: open a card for its subscriptions.',
    roles: ['admin', 'marketer'],
    query: z.object({ program: line({ error: 'is required (a program slug)' }).min(1).describe('the program slug') }),
    responses: {
      200: {
        description: 'The groups',
        schema: z.object({
          items: z.array(
            z
              .object({
                sku: z.string(),
                title: z.string(),
                size: z.string().nullable(),
                storeId: z.uuid().nullable(),
                open: z.number().int(),
                oldestAt: z.iso.datetime(),
              })
              .meta({ id: 'RestockGroup' }),
          ),
        }),
      },
    },
    targets: ({ query }) => [{ program: query.program, field: 'program' }],
    handler: async ({ query }) => ({ status: 200, body: { items: await restock.openSummary(query.program) } }),
  }),
  operation({
    operationId: 'cancelRestockSubscription',
    method: 'delete',
    path: '/restock-subscriptions/{id}',
    tag: 'Back in stock',
    summary: 'Cancel a back-in-stock subscription',
    roles: ['admin', 'marketer'],
    params: z.object({ id: line() }),
    responses: { 200: { description: 'The subscription, cancelled', schema: subscriptionView } },
    errors: [404, 409],
    targets: ({ params }) => [{ restockSubscription: params.id }],
    handler: async ({ params }) => ({ status: 200, body: toRestockSubscriptionView(await restock.cancel(params.id), publicUrl) }),
  }),
  operation({
    operationId: 'reportRestock',
    method: 'post',
    path: '/restocks',
    tag: 'Back in stock',
    summary: 'An item is back: every matching open subscription gets a card message, once',
    description: 'A pos key reports its own store. Subscriptions of blocked or voided cards are closed instead (cancelled).',
    roles: ['admin', 'marketer', 'pos'],
    body: restockInput,
    responses: {
      202: { description: 'What the restock did', schema: z.object({ restockId: z.uuid(), notified: z.number().int(), cancelled: z.number().int() }) },
    },
    targets: ({ body }) => [{ program: body.program, field: 'program' }, ...(body.storeId ? [{ store: body.storeId, field: 'storeId' }] : [])],
    handler: async ({ body, principal }) => ({ status: 202, body: await restock.restock(body, { tillStoreId: principal.storeId }) }),
  }),
];
