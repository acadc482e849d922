import { PUSH_TOKEN } from './apns/apns-client.js';
import { RateLimiter } from '../../platform/http/rate-limiter.js';
import express, { Router, type Request, type Response } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Card } from '../../platform/db/schema.js';
import type { Logger } from '../../platform/log/logger.js';
import { pathParam } from '../../platform/http/validate.js';
import { sendProblem } from '../../platform/http/problem.js';
import type { BuiltPass, PassService } from './pass-service.js';
import type { RegistrationService } from './registration-service.js';

const DEVICE_ID = /^[A-Za-z0-9._-]{1,128}$/;
const registerBody = z.object({ pushToken: z.string().regex(PUSH_TOKEN, 'must be a hex APNs device token') });
const logBody = z.object({ logs: z.array(z.string()).max(100) });
/** Wallet logs problems it meets; a client may not fill our logs: 10 calls a minute, 16 KB each. */
const LOG_LIMIT = { perMinute: 10, bytes: '16kb' };

/**
 * Apple's PassKit web service, mounted at the webServiceURL's path. Apple's contract, to the letter:
 * the token must be the one of the serial in the URL (constant-time); an unknown serial is 401, not
 * 404, so nobody can probe which serials exist; the list endpoint has no auth (the device id is the
 * secret); lastUpdated is a string; Last-Modified is the card's own change time.
 */
export function appleWebServiceRoutes(
  passes: PassService,
  registrations: RegistrationService,
  logger: Logger,
  /** Records a pass fetched (the wallet event log). */
  onFetched: (cardId: string) => Promise<void>,
): Router {
  const router = Router();
  const logLimiter = new RateLimiter(LOG_LIMIT.perMinute, 60_000);
  router.post('/v1/log', express.json({ limit: LOG_LIMIT.bytes }), (req, res) => {
    if (!logLimiter.take(req.ip ?? 'unknown')) return sendProblem(res, 429, 'Too many requests', 'At most 10 log calls a minute');
    const body = logBody.safeParse(req.body);
    if (body.success) for (const line of body.data.logs) logger.warn({ source: 'apple-wallet' }, line.slice(0, 500));
    res.status(200).end();
  });
  router.use(express.json({ limit: '100kb' }));

  /**
   * The card whose serial is in the URL, if the request carries that card's token and names the pass
   * type id its pass was issued with (each brand may sign with its own).
   */
  async function authorisedCard(req: Request, res: Response): Promise<Card | null> {
    const ptid = pathParam(req, 'passTypeIdentifier');
    const serial = pathParam(req, 'serialNumber');
    const presented = /^ApplePass (\S+)$/.exec(req.get('authorization') ?? '')?.[1];
    const card = presented ? await passes.findCardBySerial(serial) : undefined;
    if (!card || !presented || !sameSecret(presented, card.auth_token) || (await passes.passTypeOf(card)) !== ptid) {
      res.status(401).end();
      return null;
    }
    return card;
  }

  router.post('/v1/devices/:deviceLibraryIdentifier/registrations/:passTypeIdentifier/:serialNumber', async (req, res) => {
    const card = await authorisedCard(req, res);
    if (!card) return;
    const device = pathParam(req, 'deviceLibraryIdentifier');
    const body = registerBody.safeParse(req.body);
    if (!DEVICE_ID.test(device)) return sendProblem(res, 400, 'Invalid request', 'deviceLibraryIdentifier is malformed');
    if (!body.success) return sendProblem(res, 400, 'Invalid request', `pushToken ${body.error.issues[0]?.message ?? 'is required'}`);
    const created = await registrations.register(device, card.apple_pass_type_id!, body.data.pushToken, card.id);
    res.status(created ? 201 : 200).end();
  });

  router.delete('/v1/devices/:deviceLibraryIdentifier/registrations/:passTypeIdentifier/:serialNumber', async (req, res) => {
    const card = await authorisedCard(req, res);
    if (!card) return;
    await registrations.unregister(pathParam(req, 'deviceLibraryIdentifier'), card.apple_pass_type_id!, card.id);
    res.status(200).end();
  });

  router.get('/v1/devices/:deviceLibraryIdentifier/registrations/:passTypeIdentifier', async (req, res) => {
    const device = pathParam(req, 'deviceLibraryIdentifier');
    if (!DEVICE_ID.test(device)) return res.status(204).end();
    const since = typeof req.query.passesUpdatedSince === 'string' ? req.query.passesUpdatedSince : undefined;
    const changed = await registrations.changedSince(device, pathParam(req, 'passTypeIdentifier'), since);
    if (!changed) return res.status(204).end();
    res.json({ lastUpdated: changed.lastUpdated, serialNumbers: changed.serialNumbers });
  });

  // Express answers HEAD through the GET route, with the same headers and no body.
  router.get('/v1/passes/:passTypeIdentifier/:serialNumber', async (req, res) => {
    const card = await authorisedCard(req, res);
    if (!card) return;
    const lastModified = secondsOf(card.pass_updated_at);
    const since = Date.parse(req.get('if-modified-since') ?? '');
    res.set('Last-Modified', new Date(lastModified).toUTCString());
    res.set('Cache-Control', 'no-cache');
    if (!Number.isNaN(since) && lastModified <= since) return res.status(304).end();
    sendPass(res, await passes.passFor(card));
    // After the answer: a fetch is no change of ours, and the phone must not wait for the log.
    if (req.method === 'GET') void onFetched(card.id).catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'pass fetch not logged'));
  });

  return router;
}

/** Downloads a card's pass through its unguessable link (links.apple). */
export function passDownloadRoutes(passes: PassService): Router {
  const router = Router();
  router.get('/wallet/apple/download/:linkToken', async (req, res) => {
    const token = pathParam(req, 'linkToken').replace(/\.pkpass$/, '');
    const card = /^[A-Za-z0-9_-]{20,100}$/.test(token) ? await passes.findCardByLinkToken(token) : undefined;
    if (!card) return sendProblem(res, 404, 'Not found', 'This card link is unknown or has been revoked');
    const pass = await passes.passFor(card);
    res
      .set('Content-Disposition', `attachment; filename="${pass.program.slug}-${card.card_number}.pkpass"`)
      .set('Last-Modified', new Date(secondsOf(card.pass_updated_at)).toUTCString())
      .set('Cache-Control', 'private, no-cache');
    sendPass(res, pass);
  });
  return router;
}

/** Writes the pass's chunks as they are (the shared image chunk is never copied). HEAD gets headers only. */
function sendPass(res: Response, pass: BuiltPass): void {
  res.status(200).type('application/vnd.apple.pkpass').set('Content-Length', String(pass.size));
  if (res.req.method === 'HEAD') {
    res.end();
    return;
  }
  for (const part of pass.parts) res.write(part);
  res.end();
}

function secondsOf(date: Date): number {
  return Math.floor(date.getTime() / 1000) * 1000;
}

/** Constant-time comparison of secrets of any length (hashing first evens the lengths). */
function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}
