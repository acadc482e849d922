import { Router } from 'express';
import { z } from 'zod';
import { allow } from '../http/auth.js';
import { parseInput } from '../http/validate.js';
import type { ErasureService } from './erasure-service.js';

export function customerRoutes(erasure: ErasureService): Router {
  const router = Router();
  router.delete('/customers/:id', allow('admin'), async (req, res) => {
    await erasure.erase(parseInput(z.uuid(), req.params.id, 'id'));
    res.status(204).end();
  });
  return router;
}
