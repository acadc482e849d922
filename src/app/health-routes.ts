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
