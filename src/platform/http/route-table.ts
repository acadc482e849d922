import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import type { z } from 'zod';
import { IDEMPOTENCY_KEY } from '../idempotency/idempotency.js';
import { invalidField } from '../shared/errors.js';
import type { Authenticator, Confiner, Operation, Principal, Reply } from './operation.js';
import { sendProblem } from './problem.js';
import { findControlCharacter, MAX_DEPTH } from '../shared/text.js';
import { parseInput } from './validate.js';

export interface RouteTableOptions {
  authenticate: Authenticator;
  confine: Confiner;
  /** A staff member's browser session (the `wl_session` cookie), where no key is sent. */
  authenticateSession?: Authenticator;
  /** The service's own origin: a cookie-authenticated write must come from it (CSRF). */
  origin?: string;
  /** Called after every successful write (not for reads): the audit log. */
  audit?: (entry: { principal: Principal; action: string; targets: Record<string, string>[]; status: number; ip: string | undefined }) => Promise<void>;
  /**
   * Check every reply against its documented schema (tests, development): an undocumented field or
   * a wrong type is a 500 there, so the OpenAPI document cannot drift from what the API answers.
   */
  checkResponses: boolean;
}

/** The express side of the route table: one route per operation, with auth, roles and parsing. */
export function routeTable(operations: Operation[], options: RouteTableOptions): Router {
  const router = Router();
  router.use(express.json({ limit: '100kb' }));
  for (const op of operations) router[op.method](expressPath(op.path), handlerFor(op, options));
  return router;
}

/** '/cards/{cardNumber}' → '/cards/:cardNumber' */
export const expressPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');

function handlerFor(op: Operation, options: RouteTableOptions): RequestHandler {
  return async (req, res) => {
    const principal = await authenticate(req, res, options);
    if (!principal) return;
    if (!op.roles.includes(principal.role)) {
      return sendProblem(res, 403, 'Forbidden', `This operation needs one of the roles: ${op.roles.join(', ')}; the key has role ${principal.role}`);
    }
    // Control characters in the path and query were refused for every route (refuseControlCharacters).
    const params = parse(op.params, req.params);
    const query = parse(op.query, req.query);
    const controlIn = findControlCharacter(req.body);
    if (controlIn === '(too deep)') throw invalidField('(body)', `is nested deeper than ${MAX_DEPTH} levels`);
    if (controlIn) throw invalidField(controlIn, 'must not contain control characters');
    const body = op.body ? parseInput(op.body, req.body) : undefined;
    // Outside the caller's brand, programs or store a thing does not exist (404), before anything runs.
    const targets = op.targets({ params, query, body, principal });
    for (const target of targets) await options.confine(principal, target);
    const idempotencyKey = op.idempotent ? requireIdempotencyKey(req) : '';
    const reply = await op.handler({ params, query, body, principal, idempotencyKey, header: (name) => req.get(name), ip: req.ip });
    if (options.checkResponses) checkReply(op, reply);
    if (options.audit && op.method !== 'get' && reply.status < 400) {
      const created = reply.status === 201 ? createdId(reply.body) : undefined;
      const named = targets.map(({ field: _field, ...t }) => t as Record<string, string>);
      await options.audit({ principal, action: op.operationId, targets: created ? [...named, { created }] : named, status: reply.status, ip: req.ip });
    }
    await send(res, reply);
  };
}

export const SESSION_COOKIE = 'wl_session';

async function authenticate(req: Request, res: Response, options: RouteTableOptions): Promise<Principal | null> {
  const match = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
  const session = match ? undefined : sessionCookie(req);
  if (!match && session && options.authenticateSession) {
    // A browser's cookie rides along on cross-site requests too: writes must come from our pages.
    if (req.method !== 'GET' && !sameOrigin(req, options.origin)) {
      sendProblem(res, 403, 'Forbidden', 'A signed-in browser may write only from this service’s own pages (cross-site request refused)');
      return null;
    }
    const principal = await options.authenticateSession(session);
    if (!principal) sendProblem(res, 401, 'Unauthorized', 'The session has ended: sign in again');
    return principal;
  }
  if (!match) {
    res.set('WWW-Authenticate', 'Bearer');
    sendProblem(res, 401, 'Unauthorized', 'Send an API key as "Authorization: Bearer <key>"');
    return null;
  }
  const principal = await options.authenticate(match[1]!);
  if (!principal) {
    res.set('WWW-Authenticate', 'Bearer error="invalid_token"');
    sendProblem(res, 401, 'Unauthorized', 'The API key is unknown or revoked');
  }
  return principal;
}

export function sessionCookie(req: Request): string | undefined {
  return /(?:^|;\s*)wl_session=([A-Za-z0-9_-]{20,100})(?:;|$)/.exec(req.get('cookie') ?? '')?.[1];
}

/** Fetch metadata where the browser sends it, else the Origin header; neither: refused. */
export function sameOrigin(req: Request, origin: string | undefined): boolean {
  const site = req.get('sec-fetch-site');
  if (site) return site === 'same-origin';
  const from = req.get('origin');
  return from !== undefined && origin !== undefined && from === origin;
}

/** The handler's input types come from the same schemas (see OperationInput). */
function parse(schema: z.ZodType | undefined, values: unknown): never {
  return (schema ? parseInput(schema, values) : undefined) as never;
}

/** Money-moving calls must carry an Idempotency-Key, so a till that retries never counts twice. */
function requireIdempotencyKey(req: Request): string {
  const key = req.get('idempotency-key');
  if (!key) throw invalidField('Idempotency-Key', 'header is required for this operation (a unique id per attempt, reused on retry)');
  if (!IDEMPOTENCY_KEY.test(key)) throw invalidField('Idempotency-Key', 'must be 8–200 characters of letters, digits, "_", "-", ".", ":"');
  return key;
}

/** What a create answered with, so the log says which thing it made. */
function createdId(body: unknown): string | undefined {
  if (!body || typeof body !== 'object' || Buffer.isBuffer(body)) return undefined;
  const b = body as Record<string, unknown>;
  for (const key of ['id', 'cardNumber', 'slug']) if (typeof b[key] === 'string') return b[key];
  // One level down, for answers that wrap what they made ({ staff: { id }, invitation }).
  for (const value of Object.values(b))
    if (value && typeof value === 'object' && typeof (value as { id?: unknown }).id === 'string') return (value as { id: string }).id;
  return undefined;
}

function send(res: Response, reply: Reply): void | Promise<void> {
  res.status(reply.status);
  if (reply.headers) res.set(reply.headers);
  if (reply.stream) {
    res.type(reply.type ?? 'text/plain');
    // Backpressure: a slow client holds the producer, not a growing buffer.
    return pipeline(Readable.from(reply.stream), res);
  }
  if (reply.body === undefined) res.end();
  else if (Buffer.isBuffer(reply.body) || typeof reply.body === 'string') res.type(reply.type ?? 'application/octet-stream').send(reply.body);
  else res.json(reply.body);
}

function checkReply(op: Operation, reply: Reply): void {
  const spec = op.responses[reply.status];
  if (!spec) throw new Error(`${op.operationId} answered ${reply.status}, which its declaration does not list`);
  if (!spec.schema) return;
  const parsed = spec.schema.safeParse(reply.body);
  if (!parsed.success) throw new Error(`${op.operationId} ${reply.status}: the body does not match its schema: ${parsed.error.message}`);
  const extra = undocumentedKeys(reply.body, parsed.data);
  if (extra) throw new Error(`${op.operationId} ${reply.status}: the body has a field its schema does not document: ${extra}`);
}

/** zod strips unknown keys when it parses: whatever the parsed copy lacks was not documented. */
function undocumentedKeys(sent: unknown, parsed: unknown, path = ''): string | undefined {
  if (Array.isArray(sent) && Array.isArray(parsed)) {
    for (let i = 0; i < sent.length; i++) {
      const found = undocumentedKeys(sent[i], parsed[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (sent === null || typeof sent !== 'object' || parsed === null || typeof parsed !== 'object') return undefined;
  for (const [key, value] of Object.entries(sent)) {
    if (value === undefined) continue;
    if (!(key in parsed)) return path ? `${path}.${key}` : key;
    const found = undocumentedKeys(value, (parsed as Record<string, unknown>)[key], path ? `${path}.${key}` : key);
    if (found) return found;
  }
  return undefined;
}
