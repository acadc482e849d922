/**
 * A local stand-in for Google: the OAuth token endpoint (service-account JWT-bearer grant, with the
 * assertion's RS256 signature and claims really checked) and the walletobjects v1 API for loyalty
 * classes and objects (in-memory, Google-style error bodies). One node:http server on 127.0.0.1.
 */
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createPublicKey, generateKeyPairSync, randomBytes, verify, type KeyObject } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { walletobjects_v1 } from '@googleapis/walletobjects';

export const GOOGLE_TOKEN_AUDIENCE = 'https://oauth2.googleapis.com/token';
export const WALLET_SCOPE = 'https://www.googleapis.com/auth/wallet_object.issuer';
const API_BASE = '/walletobjects/v1';
const TOKEN_PATH = '/token';

export interface TestServiceAccount {
  client_email: string;
  /** PKCS#8 PEM, as in a Google key file. */
  private_key: string;
  publicKeyPem: string;
}

export function createTestServiceAccount(clientEmail = 'wallet-test@loyalty-test.iam.gserviceaccount.com'): TestServiceAccount {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { client_email: clientEmail, private_key: privateKey, publicKeyPem: publicKey };
}

export interface RecordedGoogleRequest {
  /** performance.now() when the request head arrived (same clock as the client's in-process limiter). */
  at: number;
  kind: 'token' | 'api' | 'other';
  method: string;
  /** Path without the query string, e.g. /walletobjects/v1/loyaltyObject/123.abc */
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON (API) or form fields (token); the raw text when it did not parse; undefined if empty. */
  body: unknown;
  /** Status the fake answered with (filled in when the response is sent). */
  status?: number;
}

export interface ScriptedFailure {
  status?: number;
  /** Overrides the Google-style error body derived from the status. */
  body?: unknown;
  headers?: Record<string, string>;
  delayMs?: number;
  /** Destroy the socket instead of answering (the client sees a network error). */
  destroy?: boolean;
  /** Not a failure: hold the request for delayMs, then handle it normally (its effect lands late). */
  pass?: boolean;
}

export type RequestMatcher = ((request: RecordedGoogleRequest) => boolean) | { method?: string; path?: string | RegExp; kind?: RecordedGoogleRequest['kind'] };

export interface IssuedToken {
  clientEmail: string;
  scope: string;
  expiresAt: number;
}

export interface FakeGoogleOptions {
  /** Service accounts whose assertions are accepted (by client_email + public key). */
  serviceAccounts?: Array<Pick<TestServiceAccount, 'client_email' | 'publicKeyPem'>>;
  /** Lifetime of issued access tokens. */
  tokenTtlSeconds?: number;
  /** Accepted `aud` values of the assertion; Google only accepts its own token URL. */
  audiences?: string[];
  /** Google's per-issuer limit: API requests beyond it within any 1 s window get 429. */
  requestsPerSecond?: number;
}

export interface FakeGoogle {
  apiUrl: string;
  tokenUrl: string;
  requests: RecordedGoogleRequest[];
  classes: Map<string, walletobjects_v1.Schema$LoyaltyClass>;
  objects: Map<string, walletobjects_v1.Schema$LoyaltyObject>;
  /** Access tokens handed out, by token. */
  tokens: Map<string, IssuedToken>;
  /** Notifications each object got (times), from its own messages and updates and its class's messages. */
  notifications: Map<string, number[]>;
  addServiceAccount(account: Pick<TestServiceAccount, 'client_email' | 'publicKeyPem'>): void;
  /**
   * From now on the account may act only on ids under these issuers (as the Wallet Console's user
   * list decides): anything else is 403 PERMISSION_DENIED. Accounts never named here may act on any.
   */
  authorize(clientEmail: string, issuerIds: string[]): void;
  /** The next requests matching `matcher` get these answers, one each, in order; then normal service. */
  failNext(matcher: RequestMatcher, failures: ScriptedFailure[]): void;
  apiRequests(): RecordedGoogleRequest[];
  tokenRequests(): RecordedGoogleRequest[];
  waitFor(predicate: (requests: RecordedGoogleRequest[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const STATUS_NAMES: Record<number, [status: string, reason: string]> = {
  400: ['INVALID_ARGUMENT', 'invalid'],
  401: ['UNAUTHENTICATED', 'authError'],
  403: ['PERMISSION_DENIED', 'forbidden'],
  404: ['NOT_FOUND', 'notFound'],
  409: ['ALREADY_EXISTS', 'duplicate'],
  429: ['RESOURCE_EXHAUSTED', 'rateLimitExceeded'],
  500: ['INTERNAL', 'backendError'],
  503: ['UNAVAILABLE', 'backendError'],
};

/** The JSON error envelope Google APIs answer with. */
export function googleErrorBody(code: number, message: string, reason?: string) {
  const [status, defaultReason] = STATUS_NAMES[code] ?? (code >= 500 ? ['INTERNAL', 'backendError'] : ['FAILED_PRECONDITION', 'failedPrecondition']);
  return { error: { code, message, errors: [{ message, domain: 'global', reason: reason ?? defaultReason }], status } };
}

type Json = Record<string, unknown>;
const isPlainObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** PATCH semantics: nested messages merge field by field; arrays (repeated fields) are replaced whole. */
function mergePatch(target: Json, patch: Json): Json {
  const out: Json = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    out[key] = isPlainObject(value) && isPlainObject(out[key]) ? mergePatch(out[key] as Json, value) : structuredClone(value);
  }
  return out;
}

/** Google accepts both enum spellings, e.g. UNDER_REVIEW and underReview. */
const enumKey = (value: unknown) => (typeof value === 'string' ? value.replace(/[_-]/g, '').toLowerCase() : undefined);

function matches(matcher: RequestMatcher, request: RecordedGoogleRequest): boolean {
  if (typeof matcher === 'function') return matcher(request);
  if (matcher.kind && matcher.kind !== request.kind) return false;
  if (matcher.method && matcher.method.toUpperCase() !== request.method) return false;
  if (matcher.path !== undefined) {
    if (typeof matcher.path === 'string' ? matcher.path !== request.path : !matcher.path.test(request.path)) return false;
  }
  return true;
}

function b64urlJson(part: string | undefined): Json | undefined {
  if (!part) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return isPlainObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The settings that point the service at this fake for `issuerId`, with `credentials` (a service
 * account, or only the fields a real key file must have) written as the key file in `dir`.
 */
export function fakeGoogleEnv(google: FakeGoogle, issuerId: string, dir: string, credentials: object): Record<string, string> {
  const file = path.join(dir, 'service-account.json');
  writeFileSync(file, JSON.stringify(credentials));
  return { GOOGLE_ISSUER_ID: issuerId, GOOGLE_APPLICATION_CREDENTIALS: file, GOOGLE_WALLET_API_URL: google.apiUrl, GOOGLE_OAUTH_TOKEN_URL: google.tokenUrl };
}

export async function startFakeGoogle(options: FakeGoogleOptions = {}): Promise<FakeGoogle> {
  const keys = new Map<string, KeyObject>();
  const addServiceAccount = (a: Pick<TestServiceAccount, 'client_email' | 'publicKeyPem'>) => {
    keys.set(a.client_email, createPublicKey(a.publicKeyPem));
  };
  for (const account of options.serviceAccounts ?? []) addServiceAccount(account);
  const audiences = options.audiences ?? [GOOGLE_TOKEN_AUDIENCE];
  const ttl = options.tokenTtlSeconds ?? 3600;

  const requests: RecordedGoogleRequest[] = [];
  const classes = new Map<string, walletobjects_v1.Schema$LoyaltyClass>();
  const objects = new Map<string, walletobjects_v1.Schema$LoyaltyObject>();
  const tokens = new Map<string, IssuedToken>();
  const notifications = new Map<string, number[]>();
  const recentApi: number[] = [];
  const authorized = new Map<string, Set<string>>();
  const scripts: Array<{ matcher: RequestMatcher; failures: ScriptedFailure[] }> = [];

  type Reply = { status: number; body?: unknown; headers?: Record<string, string> };
  const apiError = (code: number, message: string, reason?: string): Reply => ({ status: code, body: googleErrorBody(code, message, reason) });
  const oauthError = (error: string, description: string, status = 400): Reply => ({ status, body: { error, error_description: description } });

  function handleToken(req: RecordedGoogleRequest): Reply {
    if (req.method !== 'POST') return oauthError('invalid_request', 'POST required', 405);
    const form = isPlainObject(req.body) ? req.body : {};
    if (form.grant_type !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      return oauthError('unsupported_grant_type', `Invalid grant_type: ${String(form.grant_type ?? '')}`);
    }
    const assertion = typeof form.assertion === 'string' ? form.assertion : '';
    const [h, p, s] = assertion.split('.');
    const header = b64urlJson(h);
    const claims = b64urlJson(p);
    if (!header || !claims || !s) return oauthError('invalid_grant', 'Invalid JWT: malformed assertion');
    if (header.alg !== 'RS256') return oauthError('invalid_grant', 'Invalid JWT: alg must be RS256');
    const iss = typeof claims.iss === 'string' ? claims.iss : '';
    const key = keys.get(iss);
    if (!key) return oauthError('invalid_grant', 'Invalid JWT Signature.');
    const signatureOk = verify('RSA-SHA256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'));
    if (!signatureOk) return oauthError('invalid_grant', 'Invalid JWT Signature.');
    if (typeof claims.aud !== 'string' || !audiences.includes(claims.aud)) {
      return oauthError('invalid_grant', 'Invalid JWT: Failed audience check.');
    }
    const now = Math.floor(Date.now() / 1000);
    const iat = Number(claims.iat);
    const exp = Number(claims.exp);
    if (!Number.isFinite(iat) || !Number.isFinite(exp) || exp <= now || iat > now + 60 || exp - iat > 3600) {
      return oauthError('invalid_grant', 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.');
    }
    const scope = typeof claims.scope === 'string' ? claims.scope : '';
    if (!scope.split(' ').includes(WALLET_SCOPE)) return oauthError('invalid_scope', `Missing scope ${WALLET_SCOPE}`);
    const accessToken = `ya29.fake-${randomBytes(24).toString('base64url')}`;
    tokens.set(accessToken, { clientEmail: iss, scope, expiresAt: Date.now() + ttl * 1000 });
    return { status: 200, body: { access_token: accessToken, expires_in: ttl, token_type: 'Bearer' } };
  }

  /** "The platform will automatically set this field to approved": the fake approves at once. */
  const approve = (resource: Json): Json => (enumKey(resource.reviewStatus) === 'underreview' ? { ...resource, reviewStatus: 'APPROVED' } : resource);

  /** Google's budget: 3 notifying messages or updates per object per 24 h, quotaExceeded beyond. */
  const notificationsToday = (objectId: string) => (notifications.get(objectId) ?? []).filter((t) => t > Date.now() - 86_400_000).length;
  const notify = (objectId: string) => notifications.set(objectId, [...(notifications.get(objectId) ?? []), Date.now()]);
  const overBudget = (): Reply => apiError(403, 'Quota exceeded for notifications on this pass', 'quotaExceeded');

  function handleApi(req: RecordedGoogleRequest): Reply {
    const auth = req.headers.authorization ?? '';
    const issued = auth.startsWith('Bearer ') ? tokens.get(auth.slice(7)) : undefined;
    if (!issued || issued.expiresAt <= Date.now()) {
      return apiError(401, 'Request had invalid authentication credentials. Expected OAuth 2 access token.', 'authError');
    }
    if (options.requestsPerSecond !== undefined) {
      while (recentApi.length && recentApi[0]! <= req.at - 1000) recentApi.shift();
      if (recentApi.length >= options.requestsPerSecond) return apiError(429, 'Quota exceeded for quota metric requests per second', 'rateLimitExceeded');
      recentApi.push(req.at);
    }

    const route = /^\/(loyaltyClass|loyaltyObject)(?:\/([^/]+))?(\/addMessage)?$/.exec(req.path.slice(API_BASE.length));
    if (!route) return apiError(404, `No route for ${req.method} ${req.path}`);
    const [, type, rawId, addMessage] = route;
    const store: Map<string, Json> = (type === 'loyaltyClass' ? classes : objects) as Map<string, Json>;
    const label = type === 'loyaltyClass' ? 'class' : 'object';
    const resourceId = rawId === undefined ? undefined : decodeURIComponent(rawId);
    const body = isPlainObject(req.body) ? req.body : undefined;
    const allowed = authorized.get(issued.clientEmail);
    const named = resourceId ?? (typeof body?.id === 'string' ? body.id : req.query.classId);
    if (allowed && named !== undefined && !allowed.has(named.split('.')[0]!)) {
      return apiError(403, 'The caller does not have permission', 'forbidden');
    }

    // Collection: insert and list.
    if (resourceId === undefined) {
      if (req.method === 'GET') {
        let resources = [...store.values()];
        if (type === 'loyaltyObject' && req.query.classId) resources = resources.filter((o) => o.classId === req.query.classId);
        return { status: 200, body: { resources, pagination: { kind: 'walletobjects#pagination', resultsPerPage: resources.length } } };
      }
      if (req.method !== 'POST') return apiError(404, `No route for ${req.method} ${req.path}`);
      if (!body) return apiError(400, 'Invalid JSON payload received.');
      if (typeof body.id !== 'string' || !/^\d+\.[A-Za-z0-9._-]+$/.test(body.id)) {
        return apiError(400, `Invalid resource ID: ${String(body.id)}`);
      }
      if (store.has(body.id)) return apiError(409, `Resource already exists: ${body.id}`, 'duplicate');
      if (type === 'loyaltyClass') {
        const status = enumKey(body.reviewStatus);
        if (status !== 'underreview' && status !== 'draft') {
          return apiError(400, 'reviewStatus must be set to DRAFT or UNDER_REVIEW on insert');
        }
      } else {
        // Both "Required" in the LoyaltyObject reference; the class "must already exist".
        if (typeof body.classId !== 'string' || !classes.has(body.classId)) {
          return apiError(400, `classId must name an existing class: ${String(body.classId)}`);
        }
        if (typeof body.state !== 'string') return apiError(400, 'state is required');
      }
      // notifyPreference is ephemeral: it shapes this request, it is not stored.
      const { notifyPreference: _ignored, ...stored } = body;
      store.set(body.id, approve({ kind: `walletobjects#${type}`, ...structuredClone(stored) }));
      return { status: 200, body: store.get(body.id) };
    }

    const existing = store.get(resourceId);
    if (!existing) return apiError(404, `${label} not found: ${resourceId}`);

    if (addMessage) {
      if (req.method !== 'POST') return apiError(404, `No route for ${req.method} ${req.path}`);
      const message = body && isPlainObject(body.message) ? body.message : undefined;
      if (!message) return apiError(400, 'message is required');
      const notifying = enumKey(message.messageType) === 'textandnotify';
      if (notifying && type === 'loyaltyObject') {
        if (notificationsToday(resourceId) >= 3) return overBudget();
        notify(resourceId);
      }
      if (notifying && type === 'loyaltyClass') for (const [id, o] of objects) if (o.classId === resourceId) notify(id);
      const messages = Array.isArray(existing.messages) ? existing.messages : [];
      const updated = { ...existing, messages: [...messages, { kind: 'walletobjects#walletObjectMessage', ...structuredClone(message) }] };
      store.set(resourceId, updated);
      return { status: 200, body: { resource: updated } };
    }

    if (req.method === 'GET') return { status: 200, body: existing };
    if (req.method === 'PATCH' || req.method === 'PUT') {
      if (!body) return apiError(400, 'Invalid JSON payload received.');
      if (body.id !== undefined && body.id !== resourceId) return apiError(400, 'id in body does not match the resource id');
      if (type === 'loyaltyClass' && body.reviewStatus !== undefined) {
        const next = enumKey(body.reviewStatus);
        if (next !== 'underreview' && next !== 'draft') return apiError(400, 'reviewStatus can only be set to DRAFT or UNDER_REVIEW');
        if (next === 'draft' && enumKey(existing.reviewStatus) !== 'draft') {
          return apiError(400, 'reviewStatus cannot be changed back to DRAFT');
        }
      }
      const { notifyPreference, ...changes } = body;
      if (type === 'loyaltyObject' && enumKey(notifyPreference) === 'notifyonupdate') {
        if (notificationsToday(resourceId) >= 3) return overBudget();
        notify(resourceId);
      }
      const updated = approve(req.method === 'PATCH' ? mergePatch(existing, changes) : { kind: existing.kind, ...structuredClone(changes), id: resourceId });
      store.set(resourceId, updated);
      return { status: 200, body: updated };
    }
    return apiError(404, `No route for ${req.method} ${req.path}`);
  }

  const server = http.createServer((req, res) => {
    const at = performance.now();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const kind: RecordedGoogleRequest['kind'] = url.pathname === TOKEN_PATH ? 'token' : url.pathname.startsWith(API_BASE + '/') ? 'api' : 'other';
      let body: unknown;
      if (raw) {
        if (String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
          body = Object.fromEntries(new URLSearchParams(raw));
        } else {
          try {
            body = JSON.parse(raw);
          } catch {
            body = raw;
          }
        }
      }
      const recorded: RecordedGoogleRequest = {
        at,
        kind,
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body,
      };
      requests.push(recorded);

      const send = (reply: Reply) => {
        recorded.status = reply.status;
        const payload = reply.body === undefined ? '' : JSON.stringify(reply.body);
        res.writeHead(reply.status, { 'content-type': 'application/json; charset=UTF-8', ...reply.headers });
        res.end(payload);
      };

      const script = scripts.find((s) => s.failures.length > 0 && matches(s.matcher, recorded));
      const failure = script?.failures.shift();
      if (failure?.pass) {
        setTimeout(() => send(kind === 'token' ? handleToken(recorded) : handleApi(recorded)), failure.delayMs ?? 0);
        return;
      }
      if (failure) {
        setTimeout(() => {
          if (failure.destroy) {
            recorded.status = 0;
            req.socket.destroy();
            return;
          }
          const status = failure.status ?? 500;
          const body =
            failure.body ??
            (kind === 'token'
              ? { error: status >= 500 ? 'internal_failure' : 'invalid_grant', error_description: `scripted ${status}` }
              : googleErrorBody(status, `Scripted failure ${status}`));
          send({ status, body, ...(failure.headers ? { headers: failure.headers } : {}) });
        }, failure.delayMs ?? 0);
        return;
      }

      if (kind === 'token') send(handleToken(recorded));
      else if (kind === 'api') send(handleApi(recorded));
      else send(apiError(404, `Not found: ${url.pathname}`));
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  return {
    apiUrl: origin + API_BASE,
    tokenUrl: origin + TOKEN_PATH,
    requests,
    classes,
    objects,
    tokens,
    notifications,
    addServiceAccount,
    authorize: (clientEmail: string, issuerIds: string[]) => void authorized.set(clientEmail, new Set(issuerIds)),
    failNext(matcher, failures) {
      scripts.push({ matcher, failures: [...failures] });
    },
    apiRequests: () => requests.filter((r) => r.kind === 'api'),
    tokenRequests: () => requests.filter((r) => r.kind === 'token'),
    waitFor(predicate, timeoutMs = 5000) {
      return new Promise<void>((resolve, reject) => {
        const deadline = Date.now() + timeoutMs;
        const check = () => {
          if (predicate(requests)) return resolve();
          if (Date.now() > deadline) return reject(new Error(`fake Google: condition not met within ${timeoutMs} ms (${requests.length} requests)`));
          setTimeout(check, 10);
        };
        check();
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
