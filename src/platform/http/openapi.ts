import { z } from 'zod';
import { createApiKeyInput } from '../../access/api-keys/api-key-routes.js';
import { enrolmentInput } from '../../loyalty/cards/enrolment-input.js';
import { createProgramInput, updateProgramInput } from '../../loyalty/programs/program-input.js';
import { createStoreInput, updateStoreInput } from '../../loyalty/stores/store-input.js';

/** Request schemas come from the same zod definitions that validate requests, so they cannot drift. */
export function buildOpenApi(publicUrl: string, extraPaths: Record<string, unknown> = {}) {
  const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });
  const body = (name: string) => ({ required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}` } } } });
  const problem = { description: 'Problem', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
  const errors = { '400': problem, '401': problem, '403': problem, '404': problem };
  const json = (description: string) => ({ description, content: { 'application/json': { schema: { type: 'object' } } } });
  const slug = { name: 'slug', in: 'path', required: true, schema: { type: 'string' } };
  const id = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };

  return {
    openapi: '3.1.0',
    info: { title: 'Wallet loyalty service', version: '1.0.0', description: 'Loyalty cards in Apple Wallet and Google Wallet.' },
    servers: [{ url: publicUrl }],
    security: [{ bearer: [] }],
    paths: {
      '/api/v1/api-keys': {
        post: { summary: 'Issue an API key (returned once)', requestBody: body('CreateApiKey'), responses: { '201': json('The key'), ...errors } },
        get: { summary: 'List API keys', responses: { '200': json('Keys'), ...errors } },
      },
      '/api/v1/api-keys/{id}': { delete: { summary: 'Revoke an API key', parameters: [id], responses: { '204': { description: 'Revoked' }, ...errors } } },
      '/api/v1/programs': { post: { summary: 'Create a program', requestBody: body('CreateProgram'), responses: { '201': json('The program'), '409': problem, ...errors } } },
      '/api/v1/programs/{slug}': {
        get: { summary: 'Get a program', parameters: [slug], responses: { '200': json('The program'), ...errors } },
        patch: { summary: 'Change a program', parameters: [slug], requestBody: body('UpdateProgram'), responses: { '200': json('The program'), ...errors } },
      },
      '/api/v1/stores': {
        post: { summary: 'Add a store', requestBody: body('CreateStore'), responses: { '201': json('The store'), ...errors } },
        get: { summary: "List a program's stores", parameters: [{ name: 'program', in: 'query', required: true, schema: { type: 'string' } }], responses: { '200': json('Stores'), ...errors } },
      },
      '/api/v1/stores/{id}': {
        get: { summary: 'Get a store', parameters: [id], responses: { '200': json('The store'), ...errors } },
        patch: { summary: 'Change a store', parameters: [id], requestBody: body('UpdateStore'), responses: { '200': json('The store'), ...errors } },
      },
      '/api/v1/cards': {
        post: {
          summary: 'Enrol a customer and issue a card (the existing card for a known phone)',
          requestBody: body('Enrolment'),
          responses: { '201': json('A new card'), '200': json('The existing card of this phone'), ...errors },
        },
      },
      '/api/v1/cards/{cardNumber}': {
        get: { summary: 'Get a card with its customer', parameters: [{ name: 'cardNumber', in: 'path', required: true, schema: { type: 'string' } }], responses: { '200': json('The card'), ...errors } },
        patch: {
          summary: 'Block a card or make it active again ({"status": "blocked" | "active"}); a voided card answers 409',
          parameters: [{ name: 'cardNumber', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': json('The card'), '409': problem, ...errors },
        },
      },
      '/api/v1/customers/{id}': { delete: { summary: 'Erase a customer: personal data removed, card voided, ledger kept anonymised', parameters: [id], responses: { '204': { description: 'Erased' }, ...errors } } },
      '/healthz': { get: { summary: 'Health', security: [], responses: { '200': json('Healthy'), '503': json('Database unreachable') } } },
      ...extraPaths,
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        CreateApiKey: schema(createApiKeyInput),
        CreateProgram: schema(createProgramInput),
        UpdateProgram: schema(updateProgramInput),
        CreateStore: schema(createStoreInput),
        UpdateStore: schema(updateStoreInput),
        Enrolment: schema(enrolmentInput),
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'detail'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            errors: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } },
          },
        },
      },
    },
  };
}
