import { Router } from 'express';
import { z } from 'zod';
import { allow } from '../../platform/http/auth.js';
import { parseInput } from '../../platform/http/validate.js';
import type { ErasureService } from './erasure-service.js';
import type { Db } from '../../platform/db/database.js';
import { preferencesInput, updatePreferences } from './customer-preferences.js';

export function customerRoutes(erasure: ErasureService, db: Db): Router {
  const router = Router();
  router.patch('/customers/:id', allow('admin', 'marketer'), async (req, res) => {
    const id = parseInput(z.uuid(), req.params.id, 'id');
    const updated = await updatePreferences(db, id, parseInput(preferencesInput, req.body));
    res.json({ id: updated.id, marketingConsent: updated.marketing_consent, maxMessagesPerWeek: updated.max_messages_per_week });
  });
  router.delete('/customers/:id', allow('admin'), async (req, res) => {
    await erasure.erase(parseInput(z.uuid(), req.params.id, 'id'));
    res.status(204).end();
  });
  return router;
}
