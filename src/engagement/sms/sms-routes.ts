import { Router } from 'express';
import { z } from 'zod';
import { allow, principalOf } from '../../platform/http/auth.js';
import { parseInput, pathParam } from '../../platform/http/validate.js';
import type { CardService } from '../../loyalty/cards/card-service.js';
import { cardPageUrl } from '../../loyalty/cards/card-view.js';
import { AppError, conflict } from '../../platform/shared/errors.js';
import type { SmsService } from './sms-service.js';
import { composeCardLinkText, fillCustomText } from './sms-text.js';

export const MAX_SMS_TEXT_LENGTH = 500;

export const cardSmsInput = z.strictObject({
  /** A custom text; {link} becomes the card's personal link, {program} the program's name. */
  text: z
    .string()
    .trim()
    .min(1)
    .max(MAX_SMS_TEXT_LENGTH)
    .refine((t) => t.includes('{link}'), { message: 'must contain {link}, where the card link goes' })
    .optional(),
  /** Language of the default text. */
  lang: z.enum(['ru', 'en']).default('ru'),
});

/** The customer's personal card link, by SMS. */
export function smsRoutes(cards: CardService, sms: SmsService, publicUrl: string): Router {
  const router = Router();

  router.post('/cards/:cardNumber/sms', allow('admin', 'marketer', 'pos'), async (req, res) => {
    const input = parseInput(cardSmsInput, req.body);
    const cardNumber = pathParam(req, 'cardNumber');
    const principal = principalOf(res);
    const { card, customer, program } = await cards.getByNumber(cardNumber);
    await sms.assertTillProgram(principal.storeId, program.id, cardNumber);
    if (customer.erased_at || !customer.phone) throw conflict(`The customer of card ${cardNumber} has been erased; there is no phone to send to`);
    if (card.status !== 'active') throw conflict(`Card ${cardNumber} is ${card.status}; its link is not sent`);

    const link = cardPageUrl(publicUrl, card);
    const text = input.text ? fillCustomText(input.text, program.name, link) : composeCardLinkText(input.lang, program.name, link).text;
    try {
      const sent = await sms.sendCardLink({ cardId: card.id, phone: customer.phone, text, keyId: principal.keyId });
      res.status(202).json({ status: sent.status, segments: sent.segments });
    } catch (err) {
      if (err instanceof AppError && err.status === 429 && typeof err.extra.retryAfterSeconds === 'number') res.set('Retry-After', String(err.extra.retryAfterSeconds));
      throw err;
    }
  });
  return router;
}

/** For buildOpenApi(publicUrl, extraPaths). */
export const smsOpenApiPaths = {
  '/api/v1/cards/{cardNumber}/sms': {
    post: {
      summary: "Send the customer their card's personal link by SMS (roles admin, marketer, pos)",
      parameters: [{ name: 'cardNumber', in: 'path', required: true, schema: { type: 'string' } }],
      requestBody: { required: false, content: { 'application/json': { schema: z.toJSONSchema(cardSmsInput, { io: 'input' }) } } },
      responses: {
        '202': { description: 'Accepted by the SMS gateway: {status: "sent", segments}' },
        '400': { description: 'Invalid request' },
        '404': { description: 'No such card' },
        '409': { description: 'Card not active or customer erased' },
        '429': { description: 'SMS limit per phone (24 h) or per API key (1 h) reached; Retry-After says when' },
        '502': { description: 'The SMS gateway refused or could not be reached (retryable says whether to try again)' },
      },
    },
  },
};
