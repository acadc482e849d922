import { Router } from 'express';
import { z } from 'zod';
import { allow } from '../../platform/http/auth.js';
import { parseInput } from '../../platform/http/validate.js';
import type { ApiKeyService } from './api-key-service.js';

export const createApiKeyInput = z.strictObject({
  name: z.string().trim().min(1).max(100),
  role: z.enum(['admin', 'marketer', 'pos']),
  storeId: z.uuid().optional(),
});

export function apiKeyRoutes(keys: ApiKeyService): Router {
  const router = Router();
  router.post('/api-keys', allow('admin'), async (req, res) => {
    const created = await keys.create(parseInput(createApiKeyInput, req.body));
    res.status(201).json(created);
  });
  router.get('/api-keys', allow('admin'), async (_req, res) => {
    res.json({ items: await keys.list() });
  });
  router.delete('/api-keys/:id', allow('admin'), async (req, res) => {
    await keys.revoke(parseInput(z.uuid(), req.params.id, 'id'));
    res.status(204).end();
  });
  return router;
}
