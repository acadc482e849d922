import { Router } from 'express';
import { z } from 'zod';
import { allow } from '../../platform/http/auth.js';
import { parseInput } from '../../platform/http/validate.js';
import { createStoreInput, updateStoreInput } from './store-input.js';
import { toStoreView, type StoreService } from './store-service.js';

export function storeRoutes(stores: StoreService): Router {
  const router = Router();
  router.post('/stores', allow('admin'), async (req, res) => {
    const store = await stores.create(parseInput(createStoreInput, req.body));
    res.status(201).json(toStoreView(store));
  });
  router.get('/stores', allow('admin', 'marketer'), async (req, res) => {
    const { program } = parseInput(z.object({ program: z.string({ error: 'is required (a program slug)' }).min(1) }), req.query);
    res.json({ items: (await stores.listForProgram(program)).map(toStoreView) });
  });
  router.get('/stores/:id', allow('admin', 'marketer'), async (req, res) => {
    res.json(toStoreView(await stores.get(parseInput(z.uuid(), req.params.id, 'id'))));
  });
  router.patch('/stores/:id', allow('admin', 'marketer'), async (req, res) => {
    const store = await stores.update(parseInput(z.uuid(), req.params.id, 'id'), parseInput(updateStoreInput, req.body));
    res.json(toStoreView(store));
  });
  return router;
}
