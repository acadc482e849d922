import { Router } from 'express';
import { allow, principalOf } from '../../platform/http/auth.js';
import { parseInput, pathParam } from '../../platform/http/validate.js';
import type { CardService } from './card-service.js';
import { toCardView, type CardLinkBuilder } from './card-view.js';
import type { Card, Customer, Program } from '../../platform/db/schema.js';
import { enrolmentInput } from './enrolment-input.js';
import { z } from 'zod';
import { MAX_MESSAGE_LENGTH, type CardMessageService } from './card-message-service.js';

export const cardStatusInput = z.strictObject({ status: z.enum(['active', 'blocked']) });

export const cardMessageInput = z.strictObject({ text: z.string().trim().min(1).max(MAX_MESSAGE_LENGTH) });

export type CardLinkTexter = (input: { card: Card; customer: Customer; program: Program; lang: 'ru' | 'en'; keyId: string }) => Promise<{ status: string; segments: number } | undefined>;

export function cardRoutes(cards: CardService, messages: CardMessageService, links: CardLinkBuilder[], textLink: CardLinkTexter): Router {
  const router = Router();
  router.post('/cards', allow('admin', 'marketer', 'pos'), async (req, res) => {
    const principal = principalOf(res);
    const input = parseInput(enrolmentInput, req.body);
    const { card, customer, program, created } = await cards.enrol(input, {
      source: input.source ?? (principal.role === 'pos' ? 'pos' : 'api'),
      storeId: principal.storeId,
    });
    // The card exists whatever the SMS gateway says: its outcome is reported, not thrown.
    let sms: Record<string, unknown> | undefined;
    if (input.sendSms) {
      sms = await textLink({ card, customer, program, lang: input.lang, keyId: principal.keyId }).then(
        (sent) => (sent ? { status: sent.status, segments: sent.segments } : { status: 'not_sent' }),
        (err: unknown) => ({ status: 'failed', error: err instanceof Error ? err.message : String(err) }),
      );
    }
    // The existing card for a known phone: 200, so a client can tell "issued" from "found".
    res.status(created ? 201 : 200).json({ ...toCardView(card, program, links), created, ...(sms && { sms }) });
  });
  router.get('/cards/:cardNumber', allow('admin', 'marketer'), async (req, res) => {
    const { card, customer, program } = await cards.getByNumber(pathParam(req, 'cardNumber'));
    res.json(toCardView(card, program, links, customer));
  });
  router.post('/cards/:cardNumber/link/revoke', allow('admin', 'marketer'), async (req, res) => {
    const { card, program } = await cards.rotateLinkToken(pathParam(req, 'cardNumber'));
    res.json(toCardView(card, program, links));
  });
  router.patch('/cards/:cardNumber', allow('admin', 'marketer'), async (req, res) => {
    const { status } = parseInput(cardStatusInput, req.body);
    const { card, program } = await cards.setStatus(pathParam(req, 'cardNumber'), status);
    res.json(toCardView(card, program, links));
  });
  router.post('/cards/:cardNumber/message', allow('admin', 'marketer'), async (req, res) => {
    const { text } = parseInput(cardMessageInput, req.body);
    const { card, program } = await messages.setMessage(pathParam(req, 'cardNumber'), text);
    res.status(202).json(toCardView(card, program, links));
  });
  return router;
}
