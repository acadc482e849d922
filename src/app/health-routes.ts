import { Router } from 'express';
import { pingDatabase, type Db } from '../platform/db/database.js';

export function healthRoutes(db: Db, kind: string): Router {
  const router = Router();
  router.get('/healthz', async (_req, res) => {
    const ok = await pingDatabase(db);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', database: { kind, status: ok ? 'ok' : 'unreachable' } });
  });
  return router;
}

const health = {
  description: 'Health',
  content: {
    'application/json': {
      schema: {
        type: 'object',
        required: ['status', 'database'],
        properties: {
          status: { type: 'string', enum: ['ok', 'unavailable'] },
          database: {
            type: 'object',
            properties: { kind: { type: 'string', enum: ['postgres', 'pglite'] }, status: { type: 'string', enum: ['ok', 'unreachable'] } },
          },
        },
      },
    },
  },
};

/** Outside the route table (no key, no /api/v1 prefix): described by hand. */
export const healthOpenApiPaths = {
  '/healthz': {
    get: {
      operationId: 'health',
      tags: ['Operations'],
      summary: 'Health of the service and its database',
      security: [],
      responses: { '200': health, '503': { ...health, description: 'The database is unreachable' } },
    },
  },
};
