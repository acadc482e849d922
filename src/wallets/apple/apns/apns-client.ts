/**
 * APNs client for Wallet pass-update pushes, on node:http2 (why not @parse/node-apn: docs/apns-client.md).
 * One HTTP/2 session carries many concurrent streams; it is replaced after GOAWAY/close/error/timeout.
 */
import http2 from 'node:http2';
import tls from 'node:tls';
import { isIP } from 'node:net';
import { X509Certificate, createPrivateKey, sign } from 'node:crypto';

export type ApnsAuth =
  { kind: 'certificate'; certPem: string; keyPem: string; passphrase?: string } | { kind: 'token'; keyPem: string; keyId: string; teamId: string };

export interface ApnsClientOptions {
  /** Default https://api.push.apple.com (Wallet pushes always go to production). */
  url?: string;
  auth: ApnsAuth;
  /** An extra trusted CA (added to Node's roots), for a local test server. */
  ca?: string | Buffer;
  /** Our own cap on streams per session; the server's SETTINGS may lower it further. Default 1000. */
  maxConcurrentStreams?: number;
  requestTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Default 10 (what APNs assumes when the header is absent). */
  priority?: 5 | 10;
  /** Omitted by default: Apple documents no push type for Wallet (see docs/apns-client.md). */
  pushType?: 'alert' | 'background';
  logger?: { debug(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  /** For tests of JWT refresh. */
  now?: () => number;
}

/** status 0 = no HTTP answer (connect/TLS failure, reset, timeout); reason then starts with "NetworkError". */
export interface ApnsResult {
  status: number;
  reason?: string;
  apnsId?: string;
  retryAfterMs?: number;
  /** 410: when APNs learnt the token was no longer valid (ms since the epoch). */
  timestamp?: number;
}

export interface ApnsClient {
  /** Resolves for every APNs answer and for network failures; rejects only on invalid input or after close(). */
  send(pushToken: string, topic: string): Promise<ApnsResult>;
  /** Lets in-flight requests finish, then closes every session; sends still waiting for a stream reject. */
  close(): Promise<void>;
}

export class ApnsInputError extends Error {}

/**
 * unregister: the device is gone (410). badToken: BadDeviceToken/DeviceTokenNotForTopic, which a
 * wrong environment or certificate produces for every token, so it is confirmed before acting.
 */
export type ApnsOutcome = 'delivered' | 'unregister' | 'badToken' | 'retry' | 'fatal';

export function classifyApnsResult(result: ApnsResult): ApnsOutcome {
  const { status, reason } = result;
  if (status === 200) return 'delivered';
  if (status === 410) return 'unregister';
  if (status === 400 && (reason === 'BadDeviceToken' || reason === 'DeviceTokenNotForTopic')) return 'badToken';
  // The client has already dropped the expired JWT: the next attempt carries a fresh one.
  if (status === 403 && reason === 'ExpiredProviderToken') return 'retry';
  if (status === 0 || status === 429 || status >= 500) return 'retry';
  return 'fatal'; // 403 (credentials, topic not allowed) and every other 4xx: retrying will not help
}

const TOKEN_REFRESH_MS = 40 * 60_000; // Apple: not older than 60 min, not renewed more often than every 20
const MIN_TOKEN_AGE_FOR_RENEWAL_MS = 20 * 60_000;
/** Hex bytes; Apple warns the length may change. The web service accepts exactly what the client sends. */
export const PUSH_TOKEN = /^(?:[0-9a-fA-F]{2}){8,100}$/;
const TOPIC = /^[!-~]{1,255}$/;

function createJwtSigner(auth: Extract<ApnsAuth, { kind: 'token' }>, now: () => number) {
  const key = createPrivateKey(auth.keyPem);
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new ApnsInputError('APNs token auth needs the EC P-256 .p8 key');
  }
  const header = Buffer.from(JSON.stringify({ alg: 'ES256', kid: auth.keyId })).toString('base64url');
  let cached: { jwt: string; at: number } | undefined;
  return {
    current(): string {
      const t = now();
      if (!cached || t - cached.at >= TOKEN_REFRESH_MS) {
        const claims = Buffer.from(JSON.stringify({ iss: auth.teamId, iat: Math.floor(t / 1000) })).toString('base64url');
        const signature = sign('sha256', Buffer.from(`${header}.${claims}`), { key, dsaEncoding: 'ieee-p1363' });
        cached = { jwt: `${header}.${claims}.${signature.toString('base64url')}`, at: t };
      }
      return cached.jwt;
    },
    /** After ExpiredProviderToken; a young token is kept (renewing it would earn TooManyProviderTokenUpdates). */
    expire(): void {
      if (cached && now() - cached.at >= MIN_TOKEN_AGE_FOR_RENEWAL_MS) cached = undefined;
    },
  };
}

interface Conn {
  session: http2.ClientHttp2Session;
  ready: Promise<void>;
  usable: boolean;
  inflight: number;
  gone: Promise<void>;
}
type Attempt = ApnsResult & { unsent?: boolean };

function parseRetryAfter(value: string | string[] | undefined, now: number): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  const seconds = Number(text);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function createApnsClient(options: ApnsClientOptions): ApnsClient {
  const url = new URL(options.url ?? 'https://api.push.apple.com');
  if (url.protocol !== 'https:') throw new ApnsInputError('APNs url must be https');
  const now = options.now ?? Date.now;
  const { auth, logger } = options;
  const signer = auth.kind === 'token' ? createJwtSigner(auth, now) : undefined;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || 443);
  const tlsOptions: tls.ConnectionOptions = {
    ...(options.ca ? { ca: [...tls.rootCertificates, options.ca] } : {}),
    ...(auth.kind === 'certificate' ? { cert: auth.certPem, key: auth.keyPem, passphrase: auth.passphrase } : {}),
  };
  // Fail at start-up, not on the first push, on a wrong passphrase or a key that does not match.
  if (auth.kind === 'certificate') {
    const key = createPrivateKey({ key: auth.keyPem, passphrase: auth.passphrase });
    if (!new X509Certificate(auth.certPem).checkPrivateKey(key)) throw new ApnsInputError('APNs certificate and key do not match');
  }
  const ownLimit = options.maxConcurrentStreams ?? 1000;
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const live = new Set<Conn>();
  let waiters: Array<() => void> = [];
  let current: Conn | undefined;
  let closed = false;

  const wakeAll = (): void => {
    const woken = waiters;
    waiters = [];
    for (const wake of woken) wake();
  };

  function connect(): Conn {
    let socket: tls.TLSSocket | undefined;
    // Our own TLS socket: on Node 20 a session whose socket dies mid-handshake (e.g. the server
    // rejects the client certificate) is destroyed without 'error' or 'close'; the socket still tells.
    const session = http2.connect(url.origin, {
      createConnection: () => (socket = tls.connect({ host, port, ALPNProtocols: ['h2'], ...(isIP(host) ? {} : { servername: host }), ...tlsOptions })),
    });
    let markGone: () => void = () => undefined;
    const conn: Conn = { session, usable: true, inflight: 0, ready: Promise.resolve(), gone: new Promise((r) => (markGone = r)) };
    live.add(conn);
    let failure: Error | undefined;
    let settleReady: (err?: Error) => void = () => undefined;
    conn.ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error('connect timeout')), connectTimeoutMs);
      settleReady = (err) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
    });
    conn.ready.catch(() => undefined);
    const retire = (why: string): void => {
      if (conn.usable) logger?.debug({ why, error: failure?.message }, 'apns session retired');
      conn.usable = false;
      if (current === conn) current = undefined;
      settleReady(failure ?? new Error(`session ${why} before it was ready`));
      wakeAll(); // waiters move to a fresh session
    };
    const fail = (err: Error): void => {
      failure ??= err;
      if (conn.usable) logger?.warn({ error: err.message }, 'apns connection failed');
      retire('error');
      session.destroy();
      socket?.destroy();
    };
    const gone = (): void => {
      live.delete(conn);
      retire('close');
      markGone();
    };
    // The server's SETTINGS must be known before streams are opened; a later SETTINGS may raise
    // the limit (APNs is reported to start token connections low).
    session.once('remoteSettings', () => settleReady());
    session.on('remoteSettings', wakeAll);
    session.on('goaway', () => retire('goaway'));
    session.on('error', fail);
    session.on('close', gone);
    socket?.on('error', fail);
    socket?.on('close', gone);
    return conn;
  }

  const limit = (c: Conn): number => Math.min(ownLimit, c.session.remoteSettings.maxConcurrentStreams ?? ownLimit);

  async function acquire(): Promise<Conn> {
    for (let reconnects = 0; ;) {
      if (closed) throw new ApnsInputError('APNs client is closed');
      if (!current) {
        if (++reconnects > 3) throw new Error('sessions keep closing');
        current = connect();
      }
      const c = current;
      await c.ready; // the server's SETTINGS must be known before streams are opened
      if (c.usable && c.inflight < limit(c)) {
        c.inflight += 1;
        return c;
      }
      if (c.usable) await new Promise<void>((resolve) => waiters.push(resolve));
    }
  }

  function request(c: Conn, pushToken: string, topic: string): Promise<Attempt> {
    return new Promise<Attempt>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      const settle = (attempt: Attempt): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        c.inflight -= 1;
        waiters.shift()?.();
        resolve(attempt);
      };
      const headers: http2.OutgoingHttpHeaders = {
        ':method': 'POST',
        ':path': `/3/device/${pushToken}`,
        'apns-topic': topic,
        'apns-priority': String(options.priority ?? 10),
        'content-type': 'application/json',
        ...(options.pushType ? { 'apns-push-type': options.pushType } : {}),
        ...(signer ? { authorization: `bearer ${signer.current()}` } : {}),
      };
      let stream: http2.ClientHttp2Stream;
      try {
        stream = c.session.request(headers);
      } catch (err) {
        // the session started closing after acquire(): nothing was sent
        settle({ status: 0, reason: `NetworkError: ${(err as Error).message}`, unsent: true });
        return;
      }
      const result: ApnsResult = { status: 0 };
      let body = '';
      let failure: string | undefined;
      // A plain timer, not stream.setTimeout: it must fire even if the session dies silently.
      timer = setTimeout(() => {
        settle({ status: 0, reason: `NetworkError: no answer within ${requestTimeoutMs} ms` });
        stream.close(http2.constants.NGHTTP2_CANCEL);
        // A silent connection (e.g. dropped by a NAT) would stall every later request too.
        if (c.usable) {
          c.usable = false;
          if (current === c) current = undefined;
          c.session.close();
        }
      }, requestTimeoutMs);
      stream.setEncoding('utf8');
      stream.on('response', (h) => {
        result.status = Number(h[':status']);
        const apnsId = h['apns-id'];
        if (typeof apnsId === 'string') result.apnsId = apnsId;
        const retryAfterMs = parseRetryAfter(h['retry-after'], now());
        if (retryAfterMs !== undefined) result.retryAfterMs = retryAfterMs;
      });
      stream.on('data', (chunk: string) => {
        if (body.length < 4096) body += chunk;
      });
      stream.on('error', (err) => {
        failure = err.message;
      });
      stream.on('close', () => {
        if (result.status === 0) {
          // REFUSED_STREAM (e.g. beyond GOAWAY's last stream id): APNs did not process it.
          const unsent = stream.rstCode === http2.constants.NGHTTP2_REFUSED_STREAM;
          settle({ status: 0, reason: `NetworkError: ${failure ?? `stream reset (code ${stream.rstCode})`}`, unsent });
          return;
        }
        try {
          const parsed = body ? (JSON.parse(body) as { reason?: unknown; timestamp?: unknown }) : {};
          if (typeof parsed.reason === 'string') result.reason = parsed.reason;
          if (typeof parsed.timestamp === 'number') result.timestamp = parsed.timestamp;
        } catch {
          /* non-JSON error body: the status says enough */
        }
        if (result.status === 403 && result.reason === 'ExpiredProviderToken') signer?.expire();
        settle(result);
      });
      stream.end('{}'); // Wallet's payload is exactly an empty dictionary
    });
  }

  return {
    async send(pushToken, topic) {
      if (!PUSH_TOKEN.test(pushToken)) throw new ApnsInputError('push token is not a hex device token');
      if (!TOPIC.test(topic)) throw new ApnsInputError('invalid apns-topic');
      for (let attempt = 0; ; attempt += 1) {
        let conn: Conn;
        try {
          conn = await acquire();
        } catch (err) {
          if (err instanceof ApnsInputError) throw err;
          return { status: 0, reason: `NetworkError: ${(err as Error).message.trim()}` };
        }
        const { unsent, ...result } = await request(conn, pushToken, topic);
        if (!unsent || attempt >= 2) return result; // only never-processed requests are resent at once
      }
    },
    async close() {
      closed = true;
      wakeAll();
      current = undefined;
      await Promise.all(
        [...live].map((c) => {
          c.session.close(); // no-op if already closing or destroyed
          return c.gone;
        }),
      );
    },
  };
}
