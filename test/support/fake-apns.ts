/**
 * A local stand-in for api.push.apple.com: an HTTP/2 TLS server on 127.0.0.1 that records every
 * request and answers like APNs (200 + apns-id by default, scripted statuses per device token).
 */
import http2 from 'node:http2';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';

export interface RecordedRequest {
  /** 1-based number of the HTTP/2 session (TLS connection) that carried the request. */
  session: number;
  method: string;
  path: string;
  /** The device token taken from /3/device/<token>, or '' for other paths. */
  token: string;
  headers: Record<string, string>;
  /** Raw request body exactly as received ('' when the client sent no DATA). */
  body: string;
  /** Subject of the TLS client certificate, e.g. "CN=Test Client\nO=...", if one was presented. */
  clientCertSubject?: string;
}

export interface ScriptedResponse {
  status: number;
  /** Becomes the JSON body {"reason": ...}, as APNs sends on errors. */
  reason?: string;
  /** Extra body fields, e.g. timestamp for 410. */
  body?: Record<string, unknown>;
  headers?: Record<string, string>;
  /** Hold the response back (to keep streams open, e.g. for concurrency tests). */
  delayMs?: number;
  /** Reset the stream with this HTTP/2 error code instead of answering (status is then ignored). */
  resetCode?: number;
}

export interface FakeApnsOptions {
  ca: string;
  serverCert: string;
  serverKey: string;
  /** Reject TLS handshakes without a client certificate issued by `ca`. */
  requireClientCert?: boolean;
  /** SETTINGS_MAX_CONCURRENT_STREAMS announced to clients. */
  maxConcurrentStreams?: number;
  /** Delay of every default (unscripted) response. */
  defaultDelayMs?: number;
}

export interface FakeApns {
  url: string;
  requests: RecordedRequest[];
  /** Sessions (connections) opened so far. */
  readonly sessionCount: number;
  /** Highest number of streams that were open at the same time on one session. */
  readonly peakConcurrentStreams: number;
  /** Queue responses for a token; each request consumes one, then the default (200) applies. */
  respondFor(token: string, responses: ScriptedResponse[]): void;
  /** GOAWAY + close of every open session, as APNs does on idle or maintenance. */
  closeSessions(): Promise<void>;
  waitFor(predicate: (requests: RecordedRequest[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const DEVICE_PATH = /^\/3\/device\/([^/?]*)$/;

export async function startFakeApns(options: FakeApnsOptions): Promise<FakeApns> {
  const server = http2.createSecureServer({
    ca: options.ca,
    cert: options.serverCert,
    key: options.serverKey,
    // Always ask, so certificate-auth tests can see the subject; refuse only when required.
    requestCert: true,
    rejectUnauthorized: options.requireClientCert ?? false,
    allowHTTP1: false,
    settings: options.maxConcurrentStreams !== undefined ? { maxConcurrentStreams: options.maxConcurrentStreams } : {},
  });

  const requests: RecordedRequest[] = [];
  const scripts = new Map<string, ScriptedResponse[]>();
  const sessions = new Set<http2.ServerHttp2Session>();
  const listeners = new Set<() => void>();
  let sessionCount = 0;
  let peakConcurrentStreams = 0;
  const sessionNumbers = new WeakMap<http2.ServerHttp2Session, { n: number; open: number }>();

  server.on('session', (session) => {
    sessionCount += 1;
    sessionNumbers.set(session, { n: sessionCount, open: 0 });
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
    session.on('error', () => undefined);
  });
  // Handshake failures (e.g. missing client cert) must not crash the test process.
  server.on('tlsClientError', () => undefined);

  server.on('stream', (stream, headers) => {
    const session = stream.session as http2.ServerHttp2Session;
    const info = sessionNumbers.get(session) ?? { n: 0, open: 0 };
    info.open += 1;
    peakConcurrentStreams = Math.max(peakConcurrentStreams, info.open);
    stream.on('close', () => {
      info.open -= 1;
    });
    stream.on('error', () => undefined);

    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      const path = String(headers[':path'] ?? '');
      const token = DEVICE_PATH.exec(path)?.[1] ?? '';
      const flat: Record<string, string> = {};
      for (const [name, value] of Object.entries(headers)) {
        if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : String(value);
      }
      const subject = (session.socket as TLSSocket | undefined)?.getPeerX509Certificate?.()?.subject;
      const recorded: RecordedRequest = {
        session: info.n,
        method: String(headers[':method'] ?? ''),
        path,
        token,
        headers: flat,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      if (subject) recorded.clientCertSubject = subject;
      requests.push(recorded);
      for (const listener of listeners) listener();

      const scripted = scripts.get(token)?.shift();
      const response: ScriptedResponse = scripted ?? { status: 200, delayMs: options.defaultDelayMs ?? 0 };
      const answer = (): void => {
        if (stream.destroyed || stream.closed) return;
        if (response.resetCode !== undefined) {
          stream.close(response.resetCode);
          return;
        }
        const body =
          response.reason !== undefined || response.body
            ? JSON.stringify({ ...(response.reason !== undefined ? { reason: response.reason } : {}), ...response.body })
            : '';
        stream.respond({
          ':status': response.status,
          'apns-id': headers['apns-id'] ?? randomUUID().toUpperCase(),
          ...(body ? { 'content-type': 'application/json' } : {}),
          ...response.headers,
        });
        stream.end(body);
      };
      if (response.delayMs) setTimeout(answer, response.delayMs);
      else answer();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `https://127.0.0.1:${port}`,
    requests,
    get sessionCount() {
      return sessionCount;
    },
    get peakConcurrentStreams() {
      return peakConcurrentStreams;
    },
    respondFor(token, responses) {
      scripts.set(token, [...(scripts.get(token) ?? []), ...responses]);
    },
    async closeSessions() {
      await Promise.all([...sessions].map((session) => new Promise<void>((resolve) => session.close(() => resolve()))));
    },
    waitFor(predicate, timeoutMs = 5000) {
      if (predicate(requests)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (!predicate(requests)) return;
          clearTimeout(timer);
          listeners.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`fake APNs: condition not met within ${timeoutMs} ms (${requests.length} requests)`));
        }, timeoutMs);
        listeners.add(check);
      });
    },
    async close() {
      for (const session of sessions) session.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
