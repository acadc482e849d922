import { z } from 'zod';
import { operation } from '../../platform/http/operation.js';
import { line } from '../../platform/shared/text.js';
import type { ApiKeyService } from './api-key-service.js';

export const createApiKeyInput = z.strictObject({
  name: line().trim().min(1).max(100),
  role: z.enum(['admin', 'marketer', 'pos']),
  storeId: z.uuid().optional(),
});

const apiKeyView = z
  .object({
    id: z.uuid(),
    name: z.string(),
    role: z.enum(['admin', 'marketer', 'pos']),
    storeId: z.uuid().nullable(),
    /** Enough to recognise a key in a list; the key itself is shown once. */
    keyPrefix: z.string(),
    createdAt: z.iso.datetime(),
    revokedAt: z.iso.datetime().nullable().optional(),
  })
  .meta({ id: 'ApiKey' });

export const apiKeyOperations = (keys: ApiKeyService) => [
  operation({
    operationId: 'createApiKey',
    method: 'post',
    path: '/api-keys',
    tag: 'API keys',
    summary: 'Issue an API key (the key is returned once)',
    description: 'A pos key belongs to one store (storeId); admin and marketer keys to none.',
    roles: ['admin'],
    body: createApiKeyInput,
    responses: { 201: { description: 'The key, with its secret `key` shown this once', schema: apiKeyView.extend({ key: z.string() }) } },
    handler: async ({ body }) => ({ status: 201, body: await keys.create(body) }),
  }),
  operation({
    operationId: 'listApiKeys',
    method: 'get',
    path: '/api-keys',
    tag: 'API keys',
    summary: 'List API keys (never their secrets)',
    roles: ['admin'],
    responses: { 200: { description: 'Every key, revoked ones included', schema: z.object({ items: z.array(apiKeyView) }) } },
    handler: async () => ({ status: 200, body: { items: await keys.list() } }),
  }),
  operation({
    operationId: 'revokeApiKey',
    method: 'delete',
    path: '/api-keys/{id}',
    tag: 'API keys',
    summary: 'Revoke an API key; it stops working at once',
    roles: ['admin'],
    params: z.object({ id: z.uuid() }),
    responses: { 204: { description: 'Revoked' } },
    errors: [404],
    handler: async ({ params }) => {
      await keys.revoke(params.id);
      return { status: 204 };
    },
  }),
];
