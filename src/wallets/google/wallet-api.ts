/**
 * Google Wallet REST client (walletobjects v1, loyalty classes and objects).
 *
 * - OAuth: google-auth-library's JWT client (service-account JWT-bearer grant, token cached by the
 *   library until 5 min before expiry).
 * - A rate limiter decides when each request may start: by default one per instance (at most
 *   `requestsPerSecond` in any 1-second window); the service passes the deployment's governor,
 *   shared by every process through PostgreSQL, and tells it about every 429.
 * - No retries here: every failure becomes a GoogleApiError that says whether it is retryable, and
 *   the job queue retries with back-off. (Only the library's own token fetch keeps its built-in
 *   gaxios retry of the token POST.)
 * - Never logs tokens, the private key or request bodies.
 */
import { JWT, gaxios } from 'google-auth-library';
import type { walletobjects_v1 } from '@googleapis/walletobjects';
import type { Lane } from './quota-governor.js';

export type LoyaltyClass = walletobjects_v1.Schema$LoyaltyClass;
export type LoyaltyObject = walletobjects_v1.Schema$LoyaltyObject;
export type WalletMessage = walletobjects_v1.Schema$Message;
export type AddMessageRequest = walletobjects_v1.Schema$AddMessageRequest;
export type LoyaltyClassAddMessageResponse = walletobjects_v1.Schema$LoyaltyClassAddMessageResponse;
export type LoyaltyObjectAddMessageResponse = walletobjects_v1.Schema$LoyaltyObjectAddMessageResponse;

export const DEFAULT_API_URL = 'https://walletobjects.googleapis.com/walletobjects/v1';
/** google-auth-library 10 hard-codes this endpoint (gtoken/getToken.js) and uses it as the JWT `aud`. */
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
export const WALLET_SCOPE = 'https://www.googleapis.com/auth/wallet_object.issuer';

// The generated types declare every enum as `string`: these are the values we actually send.
/** Issuers may only set these two; `APPROVED`/`REJECTED` are set by Google. */
export type ClassReviewStatus = 'UNDER_REVIEW' | 'DRAFT';
export type ObjectState = 'ACTIVE' | 'INACTIVE' | 'EXPIRED' | 'COMPLETED';
export type MessageType = 'TEXT' | 'TEXT_AND_NOTIFY';
export type NotifyPreference = 'NOTIFY_ON_UPDATE';

/** A class as we write it: id required, enums narrowed, notifyPreference only through `{ notify }`. */
export type LoyaltyClassInput = Omit<LoyaltyClass, 'reviewStatus' | 'notifyPreference'> & {
  id: string;
  reviewStatus?: ClassReviewStatus;
};
export type LoyaltyClassPatch = Omit<LoyaltyClassInput, 'id'> & { id?: string };

export type LoyaltyObjectInput = Omit<LoyaltyObject, 'state' | 'notifyPreference'> & {
  id: string;
  classId: string;
  state?: ObjectState;
};
export type LoyaltyObjectPatch = Omit<LoyaltyObjectInput, 'id' | 'classId'> & { id?: string; classId?: string };

export interface MessageInput {
  header?: string;
  body: string;
  /** Our own id, so a message can be recognised (and replaced by PATCHing `messages`) later. */
  id?: string;
  /** TEXT_AND_NOTIFY pushes a notification (max 3 notifying messages/updates per pass per 24 h). */
  messageType: MessageType;
  displayInterval?: walletobjects_v1.Schema$TimeInterval;
}

export interface PatchOptions {
  /**
   * Ask Google to push a field-update notification. `notifyPreference` is a field of the
   * LoyaltyObject/LoyaltyClass body (there is no such query parameter) and is ephemeral:
   * it must be sent with every PATCH that should notify.
   */
  notify?: boolean;
}

export interface UpsertResult<T> {
  /** true: inserted; false: it existed (409) and was patched. */
  created: boolean;
  resource: T;
}

export interface GoogleApiErrorInit {
  /** HTTP status; 0 when no response arrived (network error, timeout). */
  status: number;
  reason?: string;
  message: string;
  retryable: boolean;
  retryAfterMs?: number;
}

export class GoogleApiError extends Error implements GoogleApiErrorInit {
  readonly status: number;
  readonly reason?: string;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;

  constructor(init: GoogleApiErrorInit, options?: { cause?: unknown }) {
    super(init.message, options);
    this.name = 'GoogleApiError';
    this.status = init.status;
    this.retryable = init.retryable;
    if (init.reason !== undefined) this.reason = init.reason;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
  }
}

export const isGoogleApiError = (err: unknown): err is GoogleApiError => err instanceof GoogleApiError;

/** 429 (quota), 5xx and "no response" are worth retrying later; other 4xx mean the request is wrong. */
export const isRetryableStatus = (status: number): boolean => status === 0 || status === 429 || status >= 500;

/** Google also answers a rate limit as 403 with these reasons: transient, like a 429. */
export const isRateLimitReason = (reason: string | undefined): boolean => reason === 'rateLimitExceeded' || reason === 'userRateLimitExceeded';

/** Structural subset of pino's Logger, so tests can pass a plain object. */
export interface WalletApiLogger {
  debug(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
}

/** Decides when a request may start; `lane` says whose it is (a till's, or bulk traffic). */
export interface RequestLimiter {
  acquire(lane: Lane): Promise<void>;
  /** Google answered 429 (Retry-After in ms when it said). */
  throttled?(retryAfterMs?: number): Promise<void>;
}

export interface GoogleWalletApiOptions {
  apiUrl?: string;
  tokenUrl?: string;
  credentials: { client_email: string; private_key: string };
  requestsPerSecond?: number;
  /** Replaces the per-instance limiter built from requestsPerSecond. */
  limiter?: RequestLimiter;
  fetchImpl?: typeof fetch;
  logger?: WalletApiLogger;
  /** Per request (and per token fetch); a hung connection must not stall a worker forever. */
  timeoutMs?: number;
}

export interface GoogleWalletApi {
  insertClass(cls: LoyaltyClassInput): Promise<LoyaltyClass>;
  patchClass(id: string, patch: LoyaltyClassPatch, options?: PatchOptions): Promise<LoyaltyClass>;
  getClass(id: string): Promise<LoyaltyClass>;
  addClassMessage(id: string, message: MessageInput): Promise<LoyaltyClassAddMessageResponse>;
  upsertClass(cls: LoyaltyClassInput): Promise<UpsertResult<LoyaltyClass>>;

  insertObject(obj: LoyaltyObjectInput): Promise<LoyaltyObject>;
  patchObject(id: string, patch: LoyaltyObjectPatch, options?: PatchOptions): Promise<LoyaltyObject>;
  getObject(id: string): Promise<LoyaltyObject>;
  addObjectMessage(id: string, message: MessageInput): Promise<LoyaltyObjectAddMessageResponse>;
  upsertObject(obj: LoyaltyObjectInput, options?: PatchOptions): Promise<UpsertResult<LoyaltyObject>>;

  /** The same calls, queued in another lane of the limiter (the default lane is 'till'). */
  inLane(lane: Lane): GoogleWalletApi;
}

/**
 * google-auth-library 10 has no option for the service-account token endpoint: JWT ignores the key
 * file's token_uri and OAuth2Client's `endpoints.oauth2TokenUrl`, and gtoken POSTs to a constant.
 * What it does take is a `transporter` (a Gaxios instance) that it hands to gtoken for that POST,
 * so this transporter maps Google's token URL to the configured one. The mapping happens before
 * Gaxios prepares the request, so proxy/agent decisions see the real destination. The JWT `aud`
 * claim stays Google's token URL, which is what Google (and our fake) checks.
 */
class TokenEndpointGaxios extends gaxios.Gaxios {
  constructor(
    private readonly tokenUrl: string,
    defaults: gaxios.GaxiosOptions,
  ) {
    super(defaults);
  }

  override request<T = ReturnType<JSON['parse']>>(opts: gaxios.GaxiosOptions = {}): gaxios.GaxiosPromise<T> {
    if (opts.url !== undefined && String(opts.url) === GOOGLE_TOKEN_URL && this.tokenUrl !== GOOGLE_TOKEN_URL) {
      opts = { ...opts, url: this.tokenUrl };
    }
    return super.request<T>(opts);
  }
}

/**
 * A token bucket of `perSecond` tokens where each token comes back one second after it was taken
 * (a sliding-window limiter). A classic bucket refilling continuously with burst N lets up to 2N-1
 * requests through in one second, which is exactly what Google's "20 requests/second" quota counts.
 * Waiters are served FIFO; nothing is dropped.
 */
/** The default: this instance's own limiter, lanes served in arrival order. */
function localLimiter(perSecond: number): RequestLimiter {
  const limiter = createRateLimiter(perSecond);
  return { acquire: () => limiter.acquire() };
}

export function createRateLimiter(perSecond: number, windowMs = 1000): { acquire(): Promise<void>; readonly queued: number } {
  if (!Number.isFinite(perSecond) || perSecond <= 0) throw new RangeError('requestsPerSecond must be a positive number');
  // Fractional rates (e.g. 0.5/s) become "1 request per 2 s".
  const slots = Math.max(1, Math.floor(perSecond));
  const window = perSecond >= 1 ? windowMs : windowMs / perSecond;
  const started: number[] = [];
  const waiters: Array<() => void> = [];
  let timer: NodeJS.Timeout | undefined;

  const pump = (): void => {
    timer = undefined;
    while (waiters.length > 0) {
      const now = performance.now();
      while (started.length > 0 && now - started[0]! >= window) started.shift();
      if (started.length < slots) {
        started.push(now);
        waiters.shift()!();
        continue;
      }
      // setTimeout may fire a little early: the loop re-checks and sleeps again if so.
      timer = setTimeout(pump, Math.max(1, Math.ceil(window - (now - started[0]!))));
      return;
    }
  };

  return {
    acquire() {
      return new Promise<void>((resolve) => {
        waiters.push(resolve);
        if (!timer) pump();
      });
    },
    get queued() {
      return waiters.length;
    },
  };
}

interface GoogleErrorBody {
  error?: { code?: number; message?: string; status?: string; errors?: Array<{ reason?: string; message?: string }> } | string;
  error_description?: string;
}

function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function errorFromBody(status: number, body: GoogleErrorBody | undefined, fallback: string, retryAfterMs?: number): GoogleApiError {
  let reason: string | undefined;
  let message = fallback;
  if (body && typeof body.error === 'object') {
    reason = body.error.errors?.[0]?.reason ?? body.error.status;
    message = body.error.message ?? fallback;
  } else if (body && typeof body.error === 'string') {
    // OAuth token endpoint shape: {"error":"invalid_grant","error_description":"..."}
    reason = body.error;
    message = body.error_description ? `${body.error}: ${body.error_description}` : body.error;
  }
  const init: GoogleApiErrorInit = { status, message, retryable: isRetryableStatus(status) || (status === 403 && isRateLimitReason(reason)) };
  if (reason !== undefined) init.reason = reason;
  if (retryAfterMs !== undefined) init.retryAfterMs = retryAfterMs;
  return new GoogleApiError(init);
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export function createGoogleWalletApi(options: GoogleWalletApiOptions): GoogleWalletApi {
  const apiUrl = (options.apiUrl ?? DEFAULT_API_URL).replace(/\/+$/, '');
  const tokenUrl = options.tokenUrl ?? GOOGLE_TOKEN_URL;
  const fetchImpl = options.fetchImpl ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const logger = options.logger;
  const limiter: RequestLimiter = options.limiter ?? localLimiter(options.requestsPerSecond ?? 20);

  const transporterDefaults: gaxios.GaxiosOptions = { timeout: timeoutMs };
  if (options.fetchImpl) transporterDefaults.fetchImplementation = options.fetchImpl;
  const auth = new JWT({
    email: options.credentials.client_email,
    key: options.credentials.private_key,
    scopes: [WALLET_SCOPE],
    transporter: new TokenEndpointGaxios(tokenUrl, transporterDefaults),
  });

  async function accessToken(): Promise<string> {
    try {
      const { token } = await auth.getAccessToken();
      if (!token) throw new Error('the token endpoint returned no access_token');
      return token;
    } catch (err) {
      if (err instanceof GoogleApiError) throw err;
      // Gaxios errors carry the token endpoint's response; their config (with the signed
      // assertion) is deliberately not copied into our error or the log.
      const response = (err as { response?: { status?: number; data?: unknown } }).response;
      const status = typeof response?.status === 'number' ? response.status : 0;
      const body = response?.data && typeof response.data === 'object' ? (response.data as GoogleErrorBody) : undefined;
      const apiErr = errorFromBody(status, body, `OAuth token request failed: ${errorText(err)}`);
      logger?.warn({ status: apiErr.status, reason: apiErr.reason, tokenUrl }, 'google oauth token request failed');
      throw apiErr;
    }
  }

  async function callIn<T>(lane: Lane, method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown): Promise<T> {
    try {
      return await callOnce<T>(lane, method, path, body);
    } catch (err) {
      // 401: the cached token was revoked or expired early. Drop it, fetch a new one, try once more.
      if (!(err instanceof GoogleApiError) || err.status !== 401) throw err;
      auth.credentials = { ...auth.credentials, expiry_date: 1 };
      return callOnce<T>(lane, method, path, body);
    }
  }

  async function callOnce<T>(lane: Lane, method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown): Promise<T> {
    // Token first, slot second: the first call (or a refresh) would otherwise hold a slot while
    // fetching the token and then fire late, bunching requests at Google's side.
    await accessToken();
    await limiter.acquire(lane);
    // Cached → immediate; re-read in case the token expired while this call waited in the queue.
    const token = await accessToken();

    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    const init: RequestInit = { method, headers, signal: AbortSignal.timeout(timeoutMs) };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }

    const started = performance.now();
    let res: Response;
    let text: string;
    try {
      res = await fetchImpl(apiUrl + path, init);
      text = await res.text();
    } catch (err) {
      logger?.warn({ method, path, error: errorText(err) }, 'google wallet request failed without a response');
      throw new GoogleApiError({ status: 0, reason: 'network', message: `${method} ${path}: ${errorText(err)}`, retryable: true }, { cause: err });
    }
    const ms = Math.round(performance.now() - started);

    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }

    if (res.ok) {
      logger?.debug({ method, path, status: res.status, ms }, 'google wallet request');
      if (parsed === undefined && text) {
        throw new GoogleApiError({ status: res.status, reason: 'invalidResponse', message: `${method} ${path}: response is not JSON`, retryable: true });
      }
      return (parsed ?? {}) as T;
    }

    const err = errorFromBody(
      res.status,
      parsed as GoogleErrorBody | undefined,
      `${method} ${path}: HTTP ${res.status}`,
      parseRetryAfter(res.headers.get('retry-after')),
    );
    if (res.status === 429 || (res.status === 403 && isRateLimitReason(err.reason))) await limiter.throttled?.(err.retryAfterMs);
    // 404/409 are normal control flow for callers (get-or-insert, insert→409→patch).
    const level = res.status === 404 || res.status === 409 ? 'debug' : 'warn';
    logger?.[level]({ method, path, status: res.status, reason: err.reason, ms }, 'google wallet request rejected');
    throw err;
  }

  const id = (value: string) => encodeURIComponent(value);

  const toMessageRequest = (m: MessageInput): AddMessageRequest => {
    const message: WalletMessage = { body: m.body, messageType: m.messageType };
    if (m.header !== undefined) message.header = m.header;
    if (m.id !== undefined) message.id = m.id;
    if (m.displayInterval !== undefined) message.displayInterval = m.displayInterval;
    return { message };
  };

  const withNotify = <T extends object>(body: T, options?: PatchOptions): T & { notifyPreference?: NotifyPreference } =>
    options?.notify ? { ...body, notifyPreference: 'NOTIFY_ON_UPDATE' } : body;

  const inLane = (lane: Lane): GoogleWalletApi => {
    const call = <T>(method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown) => callIn<T>(lane, method, path, body);
    const api: GoogleWalletApi = {
      insertClass(cls) {
        // reviewStatus is required; UNDER_REVIEW makes the class usable once Google approves it.
        return call<LoyaltyClass>('POST', '/loyaltyClass', { ...cls, reviewStatus: cls.reviewStatus ?? 'UNDER_REVIEW' });
      },
      patchClass(classId, patch, options) {
        // "When updating an already approved class you should keep setting this field to underReview."
        const body = withNotify({ ...patch, reviewStatus: patch.reviewStatus ?? 'UNDER_REVIEW' }, options);
        return call<LoyaltyClass>('PATCH', `/loyaltyClass/${id(classId)}`, body);
      },
      getClass(classId) {
        return call<LoyaltyClass>('GET', `/loyaltyClass/${id(classId)}`);
      },
      addClassMessage(classId, message) {
        return call<LoyaltyClassAddMessageResponse>('POST', `/loyaltyClass/${id(classId)}/addMessage`, toMessageRequest(message));
      },
      async upsertClass(cls) {
        try {
          return { created: true, resource: await api.insertClass(cls) };
        } catch (err) {
          if (!(err instanceof GoogleApiError) || err.status !== 409) throw err;
          return { created: false, resource: await api.patchClass(cls.id, cls) };
        }
      },

      insertObject(obj) {
        // state is required on insert; its class must already exist (and be approved).
        return call<LoyaltyObject>('POST', '/loyaltyObject', { ...obj, state: obj.state ?? 'ACTIVE' });
      },
      patchObject(objectId, patch, options) {
        return call<LoyaltyObject>('PATCH', `/loyaltyObject/${id(objectId)}`, withNotify(patch, options));
      },
      getObject(objectId) {
        return call<LoyaltyObject>('GET', `/loyaltyObject/${id(objectId)}`);
      },
      addObjectMessage(objectId, message) {
        return call<LoyaltyObjectAddMessageResponse>('POST', `/loyaltyObject/${id(objectId)}/addMessage`, toMessageRequest(message));
      },
      async upsertObject(obj, options) {
        try {
          return { created: true, resource: await api.insertObject(obj) };
        } catch (err) {
          if (!(err instanceof GoogleApiError) || err.status !== 409) throw err;
          return { created: false, resource: await api.patchObject(obj.id, obj, options) };
        }
      },
      inLane,
    };
    return api;
  };
  return inLane('till');
}
