import { z } from 'zod';
import type { Operation } from './operation.js';

export interface OpenApiInfo {
  title: string;
  version: string;
  description: string;
  /** Where the API is mounted, e.g. '/api/v1'. */
  basePath: string;
  serverUrl: string;
  /** Operations outside the route table (health, wallets' own protocols) that integrators call. */
  extraPaths?: Record<string, unknown>;
}

const STANDARD_ERRORS: Record<number, string> = {
  400: 'Invalid request: every offending field is named in `errors`',
  401: 'No API key, or an unknown or revoked one',
  403: "The key's role may not call this operation",
  404: 'Not found',
  409: 'Conflict with the current state',
  413: 'Request body over 100 KB',
  422: 'Well-formed but refused (a rule of the program, or an Idempotency-Key reused for another request)',
  429: 'Rate limit reached; Retry-After says when to try again',
  502: 'An upstream gateway refused or could not be reached',
};

/**
 * The OpenAPI 3.1 document, generated from the same operations (and the same zod schemas) that
 * serve and validate requests, so it describes exactly what the API does.
 */
export function buildOpenApi(operations: Operation[], info: OpenApiInfo) {
  const schemas: Record<string, unknown> = {};
  // JSON Schema from zod; a schema named with .meta({ id }) becomes a shared component.
  const toSchema = (schema: z.ZodType, io: 'input' | 'output') => {
    const generated = JSON.stringify(z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }));
    const { $schema: _, $defs, ...json } = JSON.parse(generated.replaceAll('"#/$defs/', '"#/components/schemas/')) as Record<string, unknown>;
    Object.assign(schemas, $defs);
    return json;
  };

  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const parameters = [
      ...objectParameters(op.params, 'path', toSchema),
      ...objectParameters(op.query, 'query', toSchema),
      ...(op.idempotent
        ? [
            {
              name: 'Idempotency-Key',
              in: 'header',
              required: true,
              description: 'A unique id per attempt (8–200 of A–Z a–z 0–9 _ - . :), reused on retry: a retry returns the first answer and changes nothing.',
              schema: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{8,200}$' },
            },
          ]
        : []),
    ];
    const responses: Record<string, unknown> = {};
    for (const [status, spec] of Object.entries(op.responses)) {
      responses[status] = {
        description: spec.description,
        ...(spec.headers && {
          headers: Object.fromEntries(Object.entries(spec.headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }])),
        }),
        ...(spec.schema && { content: { 'application/json': { schema: toSchema(spec.schema, 'output') } } }),
        ...(spec.mediaType && { content: { [spec.mediaType]: { schema: { type: 'string', contentMediaType: spec.mediaType } } } }),
      };
    }
    for (const status of [400, 401, 403, ...(op.errors ?? [])]) responses[status] = { $ref: `#/components/responses/${status}` };
    (paths[info.basePath + op.path] ??= {})[op.method] = {
      operationId: op.operationId,
      tags: [op.tag],
      summary: op.summary,
      ...(op.description && { description: op.description }),
      'x-roles': op.roles,
      ...(parameters.length && { parameters }),
      ...(op.body && { requestBody: { required: !op.body.safeParse({}).success, content: { 'application/json': { schema: toSchema(op.body, 'input') } } } }),
      responses,
    };
  }
  const usedErrors = new Set(operations.flatMap((op) => [400, 401, 403, ...(op.errors ?? [])]));
  return {
    openapi: '3.1.0',
    info: { title: info.title, version: info.version, description: info.description },
    servers: [{ url: info.serverUrl }],
    security: [{ bearer: [] }],
    tags: [...new Set(operations.map((op) => op.tag))].map((name) => ({ name })),
    paths: { ...paths, ...info.extraPaths },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API key: admin, marketer or pos (a till, bound to one store).' } },
      responses: Object.fromEntries(
        [...usedErrors]
          .sort()
          .map((status) => [
            status,
            { description: STANDARD_ERRORS[status] ?? 'Error', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
          ]),
      ),
      schemas: { ...schemas, Problem: PROBLEM_SCHEMA },
    },
  };
}

/** RFC 9457 problem details, as every error answers. */
const PROBLEM_SCHEMA = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string', format: 'uri' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    errors: {
      type: 'array',
      description: 'For 400: each offending field',
      items: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string' }, message: { type: 'string' } } },
    },
  },
};

/** An object schema's properties as OpenAPI parameters. */
function objectParameters(schema: z.ZodType | undefined, where: 'path' | 'query', toSchema: (s: z.ZodType, io: 'input') => unknown) {
  if (!schema) return [];
  const json = toSchema(schema, 'input') as { properties?: Record<string, { description?: string }>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return { name, in: where, required: where === 'path' || (json.required ?? []).includes(name), ...(description && { description }), schema: rest };
  });
}
