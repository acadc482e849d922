import { Router } from 'express';
import { allow } from '../../platform/http/auth.js';
import { parseInput, pathParam } from '../../platform/http/validate.js';
import { createProgramInput, updateProgramInput } from './program-input.js';
import { toProgramView, type ProgramService } from './program-service.js';

export function programRoutes(programs: ProgramService): Router {
  const router = Router();
  router.post('/programs', allow('admin'), async (req, res) => {
    const program = await programs.create(parseInput(createProgramInput, req.body));
    res.status(201).location(`/api/v1/programs/${program.slug}`).json(toProgramView(program));
  });
  router.get('/programs/:slug', allow('admin', 'marketer'), async (req, res) => {
    res.json(toProgramView(await programs.getBySlug(pathParam(req, 'slug'))));
  });
  router.patch('/programs/:slug', allow('admin'), async (req, res) => {
    const program = await programs.update(pathParam(req, 'slug'), parseInput(updateProgramInput, req.body));
    res.json(toProgramView(program));
  });
  return router;
}
