import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../../platform/db/database.js';
import type { UnitOfWork } from '../../platform/db/unit-of-work.js';
import { allow, principalOf } from '../../platform/http/auth.js';
import { requireIdempotencyKey } from '../../platform/http/idempotency-key.js';
import { parseInput, pathParam } from '../../platform/http/validate.js';
import { runIdempotent } from '../../platform/idempotency/idempotency.js';
import type { CardService } from '../cards/card-service.js';
import { adjustmentInput } from './purchase-input.js';
import type { PointsService } from './points-service.js';

export function pointsRoutes(uow: UnitOfWork, db: Db, cards: CardService, points: PointsService): Router {
  const router = Router();

  router.post('/cards/:cardNumber/points', allow('admin', 'marketer'), async (req, res) => {
    const key = requireIdempotencyKey(req);
    const input = parseInput(adjustmentInput, req.body);
    const { card, program } = await cards.getByNumber(pathParam(req, 'cardNumber'));
    const result = await runIdempotent(uow, `api:${principalOf(res).keyId}`, key, { op: 'points', card: card.id, ...input }, async (trx) => ({
      status: 201,
      body: await points.adjust(trx, card.id, program, input.points, input.reason),
    }));
    res.status(result.status).set('Idempotent-Replayed', String(result.replayed)).json(result.body);
  });

  router.get('/cards/:cardNumber/transactions', allow('admin', 'marketer'), async (req, res) => {
    const query = parseInput(
      z.object({ limit: z.coerce.number().int().min(1).max(500).default(50), before: z.coerce.number().int().positive().optional() }),
      req.query,
    );
    const { card, program } = await cards.getByNumber(pathParam(req, 'cardNumber'));
    res.json(await points.history(card, program, query));
  });

  return router;
}
