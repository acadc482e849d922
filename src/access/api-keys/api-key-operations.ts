import { z } from 'zod';
import { operation } from '../../platform/http/operation.js';
import { line } from '../../platform/shared/text.js';
import type { ApiKeyService } from './api-key-service.js';

const slug = line()
  .min(2)
  .max(63)
  .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be a slug: lowercase letters, digits and "-"');

export const createApiKeyInput = z.strictObject({
  name: line().trim().min(1).max(100),
  role: z.enum(['admin', 'marketer', 'pos']),
  brand: slug.optional().describe('the brand (deployment keys only; default: the first brand); a brand key issues keys of its own brand'),
  programs: z.array(slug).min(1).max(100).optional().describe('confine the key to these programs of the brand (default: all of them)'),
  storeId: z.uuid().optional(),
});

const apiKeyView = z
  .object({
    id: z.uuid(),
    name: z.string(),
    role: z.enum(['admin', 'marketer', 'pos']),
    storeId: z.uuid().nullable(),
    programs: z.array(z.string()).nullable().describe('the programs it is confined to; null: every program of its brand (or its store)'),
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
    description:
      'A key acts within a scope: its brand, and there a set of programs (programs) or, for a pos key, one store (storeId). A key can issue keys only within its own scope.',
    roles: ['admin'],
    body: createApiKeyInput,
    responses: { 201: { description: 'The key, with its secret `key` shown this once', schema: apiKeyView.extend({ key: z.string() }) } },
    targets: () => [],
    handler: async ({ body, principal }) => ({ status: 201, body: await keys.create(body, principal) }),
  }),
  operation({
    operationId: 'listApiKeys',
    method: 'get',
    path: '/api-keys',
    tag: 'API keys',
    summary: 'List API keys (never their secrets)',
    roles: ['admin'],
    responses: { 200: { description: 'Every key within the caller’s scope, revoked ones included', schema: z.object({ items: z.array(apiKeyView) }) } },
    targets: () => [],
    handler: async ({ principal }) => ({ status: 200, body: { items: await keys.list(principal) } }),
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
    targets: ({ params }) => [{ apiKey: params.id }],
    handler: async ({ params }) => {
      await keys.revoke(params.id);
      return { status: 204 };
    },
  }),
];
