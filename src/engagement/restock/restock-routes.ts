import { Router } from 'express';
import { z } from 'zod';
import { allow, principalOf } from '../../platform/http/auth.js';
import { parseInput, pathParam } from '../../platform/http/validate.js';
import { createRestockSubscriptionInput, restockInput } from './restock-input.js';
import type { RestockService, RestockSubscriptionDetails } from './restock-service.js';

/** The customer's link to stop a back-in-stock notification (a page with a confirm button). */
export function restockUnsubscribeUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/restock/unsubscribe/${encodeURIComponent(token)}`;
}

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

/** Back-in-stock subscriptions and the restocks that notify them. */
export function restockRoutes(restock: RestockService, publicUrl: string): Router {
  const router = Router();

  router.post('/restock-subscriptions', allow('admin', 'marketer', 'pos'), async (req, res) => {
    const input = parseInput(createRestockSubscriptionInput, req.body);
    const { subscription, created } = await restock.subscribe(input, { tillStoreId: principalOf(res).storeId });
    // The open subscription this card already had: 200, so a client can tell "opened" from "found".
    res.status(created ? 201 : 200).json({ ...toRestockSubscriptionView(subscription, publicUrl), created });
  });

  router.delete('/restock-subscriptions/:id', allow('admin', 'marketer'), async (req, res) => {
    const subscription = await restock.cancel(pathParam(req, 'id'));
    res.json(toRestockSubscriptionView(subscription, publicUrl));
  });

  router.post('/restocks', allow('admin', 'marketer', 'pos'), async (req, res) => {
    const input = parseInput(restockInput, req.body);
    const result = await restock.restock(input, { tillStoreId: principalOf(res).storeId });
    res.status(202).json(result);
  });

  return router;
}

/** For buildOpenApi(publicUrl, extraPaths). */
export const restockOpenApiPaths = {
  '/api/v1/restock-subscriptions': {
    post: {
      summary: 'Subscribe a card to a back-in-stock notification (roles admin, marketer, pos; a pos key: cards of its program, its store by default)',
      requestBody: { required: true, content: { 'application/json': { schema: z.toJSONSchema(createRestockSubscriptionInput, { io: 'input' }) } } },
      responses: {
        '201': { description: 'The new subscription, with its unsubscribeUrl' },
        '200': { description: 'The open subscription the card already had for this sku, size and store' },
        '400': { description: 'Invalid request (e.g. storeId not a store of the card’s program)' },
        '403': { description: 'Role not allowed' },
        '404': { description: 'No such card' },
        '409': { description: 'Card blocked or voided' },
      },
    },
  },
  '/api/v1/restock-subscriptions/{id}': {
    delete: {
      summary: 'Cancel a back-in-stock subscription (roles admin, marketer)',
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
      responses: {
        '200': { description: 'The subscription, cancelled' },
        '404': { description: 'No such subscription' },
        '409': { description: 'Already notified' },
      },
    },
  },
  '/api/v1/restocks': {
    post: {
      summary: 'An item is back: every matching open subscription gets a card message, once (roles admin, marketer, pos; a pos key: its own store)',
      requestBody: { required: true, content: { 'application/json': { schema: z.toJSONSchema(restockInput, { io: 'input' }) } } },
      responses: {
        '202': { description: '{restockId, notified, cancelled}: subscriptions notified, and those of blocked/voided cards closed' },
        '400': { description: 'Invalid request (unknown program, store not of this program)' },
        '403': { description: 'Role not allowed, or a till reporting another store' },
      },
    },
  },
};
