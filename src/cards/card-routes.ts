import { Router } from 'express';
import { allow, principalOf } from '../http/auth.js';
import { parseInput, pathParam } from '../http/validate.js';
import type { CardService } from './card-service.js';
import { toCardView, type CardLinkBuilder } from './card-view.js';
import { enrolmentInput } from './enrolment-input.js';

export function cardRoutes(cards: CardService, links: CardLinkBuilder[]): Router {
  const router = Router();
  router.post('/cards', allow('admin', 'marketer', 'pos'), async (req, res) => {
    const principal = principalOf(res);
    const input = parseInput(enrolmentInput, req.body);
    const { card, created } = await cards.enrol(input, {
      source: input.source ?? (principal.role === 'pos' ? 'pos' : 'api'),
      storeId: principal.storeId,
    });
    // The existing card for a known phone: 200, so a client can tell "issued" from "found".
    res.status(created ? 201 : 200).json({ ...toCardView(card, links), created });
  });
  router.get('/cards/:cardNumber', allow('admin', 'marketer'), async (req, res) => {
    const { card, customer } = await cards.getByNumber(pathParam(req, 'cardNumber'));
    res.json(toCardView(card, links, customer));
  });
  return router;
}
