import { z } from 'zod';
import { operation } from '../../platform/http/operation.js';
import { line, multiline } from '../../platform/shared/text.js';
import { langSchema } from '../../platform/web/lang.js';
import type { CardService } from './card-service.js';
import type { CardMessageService } from './card-message-service.js';
import { MAX_MESSAGE_LENGTH } from './card-message-service.js';
import { cardView, toCardView, type CardLinkBuilder } from './card-view.js';
import { enrolmentInput } from './enrolment-input.js';
import { cardSummary } from './card-search.js';
import { pageQuery } from '../../platform/shared/page-cursor.js';
import type { CardLinkSms } from '../../engagement/sms/card-link-sms.js';

export const cardParams = z.object({ cardNumber: line().min(1).max(40).describe('the 13-digit card number') });

export const cardStatusInput = z.strictObject({ status: z.enum(['active', 'blocked']) });
export const cardMessageInput = z.strictObject({ text: multiline().trim().min(1).max(MAX_MESSAGE_LENGTH) });

const smsOutcome = z.object({ status: z.string(), segments: z.number().int().optional(), error: z.string().optional() });

export const cardOperations = (cards: CardService, messages: CardMessageService, links: CardLinkBuilder[], cardLinkSms: CardLinkSms) => [
  operation({
    operationId: 'enrol',
    method: 'post',
    path: '/cards',
    tag: 'Cards',
    summary: 'Enrol a customer and issue a card (the existing card for a known phone)',
    description:
      'Idempotent per phone and program, even under concurrency. A pos key enrols in its own store. `sendSms` texts the card link; its outcome is reported in `sms`, never thrown. A known phone answers 200 with its card but without its links (they are bearer credentials: the link is texted to that phone instead), and its consents stay as they are.',
    roles: ['admin', 'marketer', 'pos'],
    body: enrolmentInput,
    responses: {
      201: { description: 'A new card', schema: cardView.extend({ created: z.literal(true), sms: smsOutcome.optional() }) },
      200: { description: 'The existing card of this phone', schema: cardView.extend({ created: z.literal(false), sms: smsOutcome.optional() }) },
    },
    targets: ({ body }) => [{ program: body.program, field: 'program' }, ...(body.homeStoreId ? [{ store: body.homeStoreId, field: 'homeStoreId' }] : [])],
    handler: async ({ body, principal }) => {
      const { card, customer, program, created } = await cards.enrol(body, {
        source: body.source ?? (principal.role === 'pos' ? 'pos' : 'api'),
        storeId: principal.storeId,
        recordedBy: principal.keyId,
      });
      // The card exists whatever the SMS gateway says: its outcome is reported, not thrown. A known
      // phone's link goes to that phone, never to whoever typed the number.
      const sms =
        body.sendSms || !created
          ? await cardLinkSms.send({ card, customer, program, lang: body.lang, keyId: principal.keyId }).then(
              (sent) => (sent ? { status: sent.status, segments: sent.segments } : { status: 'not_sent' }),
              (err: unknown) => ({ status: 'failed', error: err instanceof Error ? err.message : String(err) }),
            )
          : undefined;
      const view = await toCardView(card, program, links);
      if (!created) view.links = { page: null, apple: null, google: null };
      return { status: created ? 201 : 200, body: { ...view, created, ...(sms && { sms }) } };
    },
  }),
  operation({
    operationId: 'listCards',
    method: 'get',
    path: '/cards',
    tag: 'Cards',
    summary: "Find a program's cards: by phone in any format, card number, barcode or name; newest first",
    description:
      '`q` of four or more digits matches phones containing them (and a full number written any way, e.g. 8 (916) 123-45-67), the card number or the barcode; other text matches part of the name or the whole barcode. No `q`: every card. Phones are masked and links left out (open the card for them). Pages of `limit` (25, at most 100); the next with `cursor` = `nextCursor`.',
    roles: ['admin', 'marketer'],
    query: z.object({
      program: line({ error: 'is required (a program slug)' }).min(1).describe('the program slug'),
      q: line().max(100).optional(),
      status: z.enum(['active', 'blocked', 'voided']).optional(),
      ...pageQuery,
    }),
    responses: { 200: { description: 'A page of cards', schema: z.object({ items: z.array(cardSummary), nextCursor: z.string().nullable() }) } },
    errors: [404],
    targets: ({ query }) => [{ program: query.program, field: 'program' }],
    handler: async ({ query }) => ({ status: 200, body: await cards.search(query.program, query) }),
  }),
  operation({
    operationId: 'getCard',
    method: 'get',
    path: '/cards/{cardNumber}',
    tag: 'Cards',
    summary: 'Get a card with its customer',
    roles: ['admin', 'marketer'],
    params: cardParams,
    responses: { 200: { description: 'The card', schema: cardView } },
    errors: [404],
    targets: ({ params }) => [{ card: params.cardNumber }],
    handler: async ({ params }) => {
      const { card, customer, program } = await cards.getByNumber(params.cardNumber);
      return { status: 200, body: await toCardView(card, program, links, customer) };
    },
  }),
  operation({
    operationId: 'setCardStatus',
    method: 'patch',
    path: '/cards/{cardNumber}',
    tag: 'Cards',
    summary: 'Block a card (the till refuses it) or make it active again',
    roles: ['admin', 'marketer'],
    params: cardParams,
    body: cardStatusInput,
    responses: { 200: { description: 'The card', schema: cardView } },
    errors: [404, 409],
    targets: ({ params }) => [{ card: params.cardNumber }],
    handler: async ({ params, body }) => {
      const { card, program } = await cards.setStatus(params.cardNumber, body.status);
      return { status: 200, body: await toCardView(card, program, links) };
    },
  }),
  operation({
    operationId: 'revokeCardLink',
    method: 'post',
    path: '/cards/{cardNumber}/link/revoke',
    tag: 'Cards',
    summary: 'Give the card a new personal link (card page, pass download); the old one stops working at once',
    description:
      'By default the pass is revoked too: a new authentication token, and every device registered with the old one is forgotten (the old pass neither fetches nor registers again; the customer adds it from the new link). `pass: false` changes only the link.',
    roles: ['admin', 'marketer'],
    params: cardParams,
    body: z.strictObject({ pass: z.boolean().default(true) }).default({ pass: true }),
    responses: { 200: { description: 'The card with its new links', schema: cardView } },
    errors: [404],
    targets: ({ params }) => [{ card: params.cardNumber }],
    handler: async ({ params, body }) => {
      const { card, program } = await cards.rotateLinkToken(params.cardNumber, { pass: body.pass });
      return { status: 200, body: await toCardView(card, program, links) };
    },
  }),
  operation({
    operationId: 'setCardMessage',
    method: 'post',
    path: '/cards/{cardNumber}/message',
    tag: 'Cards',
    summary: "Set the card's message: the lock screen shows it (Apple changeMessage, Google message)",
    roles: ['admin', 'marketer'],
    params: cardParams,
    body: cardMessageInput,
    responses: { 202: { description: 'The card; the wallets are being updated', schema: cardView } },
    errors: [404, 409],
    targets: ({ params }) => [{ card: params.cardNumber }],
    handler: async ({ params, body }) => {
      const { card, program } = await messages.setMessage(params.cardNumber, body.text);
      return { status: 202, body: await toCardView(card, program, links) };
    },
  }),
  operation({
    operationId: 'sendCardLinkSms',
    method: 'post',
    path: '/cards/{cardNumber}/sms',
    tag: 'Cards',
    summary: "Text the customer their card's personal link",
    description:
      'A custom `text` must contain {link}; {program} becomes the program name. Limits per phone (24 h) and per API key (1 h) answer 429 with Retry-After.',
    roles: ['admin', 'marketer', 'pos'],
    params: cardParams,
    body: z.strictObject({
      text: multiline()
        .trim()
        .min(1)
        .max(500)
        .refine((t) => t.includes('{link}'), { message: 'must contain {link}, where the card link goes' })
        .optional(),
      lang: langSchema.default('ru').describe('language of the default text'),
    }),
    responses: { 202: { description: 'Accepted by the SMS gateway', schema: z.object({ status: z.string(), segments: z.number().int() }) } },
    errors: [404, 409, 429, 502],
    targets: ({ params }) => [{ card: params.cardNumber }],
    handler: async ({ params, body, principal }) => {
      const sent = await cardLinkSms.sendOnRequest(params.cardNumber, body, principal);
      return { status: 202, body: { status: sent.status, segments: sent.segments } };
    },
  }),
];
