import { Router } from 'express';
import { pingDatabase, type Db } from '../platform/db/database.js';
import type { ChannelHealth } from '../wallets/outbox/wallet-outbox.js';

type Check = () => ChannelHealth | undefined | Promise<ChannelHealth | undefined>;

/** 503 when the database is unreachable or a wallet channel cannot sign or deliver. A check answering undefined (a channel that is off) is left out. */
export function healthRoutes(db: Db, kind: string, wallets: Record<string, Check>): Router {
  const router = Router();
  router.get('/healthz', async (_req, res) => {
    const ok = await pingDatabase(db);
    const answered = await Promise.all(Object.entries(wallets).map(async ([name, health]) => [name, await safely(health)] as const));
    const channels = Object.fromEntries(answered.filter((e): e is readonly [string, ChannelHealth] => e[1] !== undefined));
    const healthy = ok && Object.values(channels).every((c) => c.healthy);
    res.status(healthy ? 200 : 503).json({
      status: healthy ? 'ok' : 'unavailable',
      database: { kind, status: ok ? 'ok' : 'unreachable' },
      ...(Object.keys(channels).length && { wallets: channels }),
    });
  });
  return router;
}

/** A channel whose state lives in the database cannot report while the database is away. */
async function safely(health: Check): Promise<ChannelHealth | undefined> {
  try {
    return await health();
  } catch {
    return { healthy: false, state: 'unknown' };
  }
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
          wallets: {
            type: 'object',
            description:
              'Per wallet channel: healthy; for apple also certificateDaysLeft, wwdrDaysLeft and apns {state: ok | failing | paused, failedPushesLastHour}; for google (once any issuer exists) state (ok | paused: Google refuses the service account of an issuer), issuers, reason, pausedUntil and paused [{issuerId, reason, pausedUntil}] per refused issuer, and throttled (the request rate is reduced after 429s)',
            additionalProperties: { type: 'object', required: ['healthy'], properties: { healthy: { type: 'boolean' } } },
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
      summary: 'Health of the service, its database and its wallet channels',
      security: [],
      responses: { '200': health, '503': { ...health, description: 'The database is unreachable, or a wallet channel cannot sign or deliver' } },
    },
  },
};
