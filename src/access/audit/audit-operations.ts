import { z } from 'zod';
import { operation } from '../../platform/http/operation.js';
import { line } from '../../platform/shared/text.js';
import type { AuditLog } from './audit-log.js';

const entryView = z
  .object({
    id: z.number().int(),
    at: z.iso.datetime(),
    brandId: z.uuid().nullable(),
    actor: z.object({ kind: z.enum(['deployment', 'key', 'staff']), id: z.string(), name: z.string(), role: z.string() }),
    action: z.string().describe('the operation id, or a sign-in step (staff.signIn …)'),
    target: z.array(z.record(z.string(), z.string())).describe('what it reached, as the request named it'),
    status: z.number().int().nullable(),
    ip: z.string().nullable(),
  })
  .meta({ id: 'AuditEntry' });

export const auditOperations = (audit: AuditLog) => [
  operation({
    operationId: 'listAuditLog',
    method: 'get',
    path: '/audit-log',
    tag: 'Audit',
    summary: 'Every write by a key or a person in the brand, newest first',
    description: 'For keys of a whole brand (and the deployment key, which reads every brand). Page with `before` (the last id seen).',
    roles: ['admin'],
    query: z.object({
      actor: line().max(100).optional().describe('a key id, "staff:<id>" or "bootstrap"'),
      action: line().max(100).optional(),
      from: z.iso.datetime().optional(),
      to: z.iso.datetime().optional(),
      before: z.coerce.number().int().positive().optional(),
      limit: z.coerce.number().int().min(1).max(500).default(100),
    }),
    responses: { 200: { description: 'Entries', schema: z.object({ items: z.array(entryView) }) } },
    targets: () => [],
    handler: async ({ query, principal }) => ({ status: 200, body: { items: await audit.list(principal, query) } }),
  }),
];
