import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrivateKey, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { createServer } from 'node:net';
import { ApnsInputError, classifyApnsResult, createApnsClient, type ApnsClient, type ApnsClientOptions } from '../src/wallets/apple/apns/apns-client.js';
import { APPLE_OID, createTestCa, issueClientCert, issueServerCert, type IssuedCert, type TestCa } from './support/test-pki.js';
import { startFakeApns, type FakeApns } from './support/fake-apns.js';

const TOPIC = 'pass.com.example.loyalty';
const KEY_ID = 'ABC123DEFG';
const TEAM_ID = 'TEAM123456';
let seq = 0;
/** A fresh 32-byte hex token per call, so scripted responses never leak between tests. */
const token = (): string => (++seq).toString(16).padStart(64, 'a');

let ca: TestCa;
let serverCert: IssuedCert;
let passCert: IssuedCert;
let p8Pem: string;
const clients: ApnsClient[] = [];
const fakes: FakeApns[] = [];

async function fake(extra: { requireClientCert?: boolean; maxConcurrentStreams?: number; defaultDelayMs?: number } = {}) {
  const server = await startFakeApns({ ca: ca.certPem, serverCert: serverCert.certPem, serverKey: serverCert.keyPem, ...extra });
  fakes.push(server);
  return server;
}

function client(server: FakeApns, extra: Partial<ApnsClientOptions> = {}): ApnsClient {
  const c = createApnsClient({
    url: server.url,
    ca: ca.certPem,
    auth: { kind: 'token', keyPem: p8Pem, keyId: KEY_ID, teamId: TEAM_ID },
    ...extra,
  });
  clients.push(c);
  return c;
}

function decodeJwt(jwt: string) {
  const [h, p, s] = jwt.split('.') as [string, string, string];
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>,
    valid: verify('sha256', Buffer.from(`${h}.${p}`), { key: createPublicKey(p8Pem), dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url')),
  };
}

beforeAll(async () => {
  ca = await createTestCa();
  serverCert = await issueServerCert(ca);
  // Shaped like an Apple Pass Type ID certificate: pass marker + production APNs flag, no sandbox flag.
  passCert = await issueClientCert(ca, { passTypeIdentifier: TOPIC, teamIdentifier: TEAM_ID, extraExtensions: [{ oid: APPLE_OID.apnsProduction }] });
  p8Pem = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(fakes.map((f) => f.close()));
});

describe('APNs client: request shape and auth', () => {
  it('certificate auth: the server sees the pass certificate; no bearer token is sent', async () => {
    const server = await fake({ requireClientCert: true });
    const c = client(server, { auth: { kind: 'certificate', certPem: passCert.certPem, keyPem: passCert.keyPem } });
    const result = await c.send(token(), TOPIC);
    expect(result.status).toBe(200);
    expect(result.apnsId).toMatch(/^[0-9A-F-]{36}$/);
    const [req] = server.requests;
    expect(req?.clientCertSubject).toContain(`CN=Pass Type ID: ${TOPIC}`);
    expect(req?.headers.authorization).toBeUndefined();
  });

  it('certificate auth with a passphrase-protected key; a wrong passphrase fails at creation', async () => {
    const server = await fake({ requireClientCert: true });
    const encrypted = createPrivateKey(passCert.keyPem).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' }).toString();
    const auth = { kind: 'certificate', certPem: passCert.certPem, keyPem: encrypted } as const;
    expect(() => createApnsClient({ auth: { ...auth, passphrase: 'wrong' } })).toThrow();
    expect((await client(server, { auth: { ...auth, passphrase: 'secret' } }).send(token(), TOPIC)).status).toBe(200);
  });

  it('a server that requires a client certificate refuses a token-only client (status 0, retry)', async () => {
    const server = await fake({ requireClientCert: true });
    const result = await client(server).send(token(), TOPIC);
    expect(result.status).toBe(0);
    expect(result.reason).toMatch(/^NetworkError/);
    expect(server.requests).toHaveLength(0);
  });

  it('token auth: a verifiable ES256 JWT with kid and iss, body exactly {}, Wallet headers', async () => {
    const server = await fake();
    const t = token();
    expect((await client(server).send(t, TOPIC)).status).toBe(200);
    const req = server.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe(`/3/device/${t}`);
    expect(req.body).toBe('{}');
    expect(req.headers['apns-topic']).toBe(TOPIC);
    expect(req.headers['apns-priority']).toBe('10');
    expect(req.headers['apns-push-type']).toBeUndefined();
    expect(req.clientCertSubject).toBeUndefined();
    const auth = req.headers.authorization ?? '';
    expect(auth.startsWith('bearer ')).toBe(true);
    const jwt = decodeJwt(auth.slice('bearer '.length));
    expect(jwt.header).toEqual({ alg: 'ES256', kid: KEY_ID });
    expect(jwt.claims.iss).toBe(TEAM_ID);
    expect(Math.abs(Number(jwt.claims.iat) - Date.now() / 1000)).toBeLessThan(60);
    expect(jwt.valid).toBe(true);
  });

  it('reuses the JWT and renews it after 40 minutes', async () => {
    const server = await fake();
    let now = Date.UTC(2030, 0, 1);
    const c = client(server, { now: () => now });
    const jwtAt = async (): Promise<string> => {
      await c.send(token(), TOPIC);
      return server.requests.at(-1)!.headers.authorization!;
    };
    const first = await jwtAt();
    now += 39 * 60_000;
    expect(await jwtAt()).toBe(first);
    now += 2 * 60_000;
    const renewed = await jwtAt();
    expect(renewed).not.toBe(first);
    expect(decodeJwt(renewed.slice(7)).claims.iat).toBe(Math.floor(now / 1000));
    expect(decodeJwt(renewed.slice(7)).valid).toBe(true);
  });

  it('push type and priority are configurable', async () => {
    const server = await fake();
    await client(server, { pushType: 'background', priority: 5 }).send(token(), TOPIC);
    expect(server.requests[0]?.headers['apns-push-type']).toBe('background');
    expect(server.requests[0]?.headers['apns-priority']).toBe('5');
  });

  it('rejects a non-hex push token or bad topic without sending anything', async () => {
    const server = await fake();
    const c = client(server);
    for (const bad of ['', 'xyz', 'abcd/../../3/device/ab', `${'a'.repeat(63)}`, `${'g'.repeat(64)}`]) {
      await expect(c.send(bad, TOPIC)).rejects.toBeInstanceOf(ApnsInputError);
    }
    await expect(c.send(token(), 'pass.x\r\nevil: 1')).rejects.toBeInstanceOf(ApnsInputError);
    expect(server.requests).toHaveLength(0);
    expect(server.sessionCount).toBe(0);
  });

  it('refuses a certificate/key pair that does not match, at creation', async () => {
    const other = await issueClientCert(ca, { keyAlgorithm: 'ec' });
    expect(() => createApnsClient({ auth: { kind: 'certificate', certPem: passCert.certPem, keyPem: other.keyPem } })).toThrow();
  });

  it('refuses a token key that is not EC P-256', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => createApnsClient({ auth: { kind: 'token', keyPem: rsa, keyId: KEY_ID, teamId: TEAM_ID } })).toThrow(ApnsInputError);
  });
});

describe('APNs client: responses and their classification', () => {
  let server: FakeApns;
  let c: ApnsClient;
  beforeAll(async () => {
    server = await fake();
    c = client(server);
  });

  it.each([
    [{ status: 410, reason: 'Unregistered', body: { timestamp: 1700000000000 } }, 'unregister'],
    // What a wrong environment answers for every token: confirmed before a device is dropped.
    [{ status: 400, reason: 'BadDeviceToken' }, 'badToken'],
    [{ status: 400, reason: 'DeviceTokenNotForTopic' }, 'badToken'],
    [{ status: 403, reason: 'ExpiredProviderToken' }, 'retry'],
    [{ status: 429, reason: 'TooManyRequests' }, 'retry'],
    [{ status: 500, reason: 'InternalServerError' }, 'retry'],
    [{ status: 503, reason: 'ServiceUnavailable' }, 'retry'],
    [{ status: 403, reason: 'InvalidProviderToken' }, 'fatal'],
    [{ status: 400, reason: 'TopicDisallowed' }, 'fatal'],
    [{ status: 413, reason: 'PayloadTooLarge' }, 'fatal'],
  ] as const)('%o → %s', async (scripted, outcome) => {
    const t = token();
    server.respondFor(t, [scripted]);
    const result = await c.send(t, TOPIC);
    expect(result).toMatchObject({ status: scripted.status, reason: scripted.reason });
    expect(classifyApnsResult(result)).toBe(outcome);
  });

  it('429 then 200: the client reports each answer, the caller decides when to retry', async () => {
    const t = token();
    server.respondFor(t, [{ status: 429, reason: 'TooManyRequests', headers: { 'retry-after': '3' } }, { status: 200 }]);
    const first = await c.send(t, TOPIC);
    expect(first).toMatchObject({ status: 429, retryAfterMs: 3000 });
    expect(classifyApnsResult(first)).toBe('retry');
    const second = await c.send(t, TOPIC);
    expect(classifyApnsResult(second)).toBe('delivered');
    expect(server.requests.filter((r) => r.token === t)).toHaveLength(2);
  });

  it('a stream refused by the server (never processed) is resent once, transparently', async () => {
    const t = token();
    server.respondFor(t, [{ status: 0, resetCode: 7 /* REFUSED_STREAM */ }]);
    expect((await c.send(t, TOPIC)).status).toBe(200);
    expect(server.requests.filter((r) => r.token === t)).toHaveLength(2);
  });

  it('a stream reset after processing is a network error (status 0 → retry), not resent', async () => {
    const t = token();
    server.respondFor(t, [{ status: 0, resetCode: 2 /* INTERNAL_ERROR */ }]);
    const result = await c.send(t, TOPIC);
    expect(result.status).toBe(0);
    expect(result.reason).toMatch(/^NetworkError/);
    expect(classifyApnsResult(result)).toBe('retry');
    expect(server.requests.filter((r) => r.token === t)).toHaveLength(1);
  });

  it('classifies status codes without a server', () => {
    expect(classifyApnsResult({ status: 200 })).toBe('delivered');
    expect(classifyApnsResult({ status: 0, reason: 'NetworkError: ECONNREFUSED' })).toBe('retry');
    expect(classifyApnsResult({ status: 502 })).toBe('retry');
    expect(classifyApnsResult({ status: 400, reason: 'BadTopic' })).toBe('fatal');
    expect(classifyApnsResult({ status: 405 })).toBe('fatal');
  });
});

describe('APNs client: sessions', () => {
  it('100 concurrent sends arrive over ONE session', async () => {
    const server = await fake({ defaultDelayMs: 20 });
    const c = client(server);
    const results = await Promise.all(Array.from({ length: 100 }, () => c.send(token(), TOPIC)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(server.requests).toHaveLength(100);
    expect(server.sessionCount).toBe(1);
    expect(server.peakConcurrentStreams).toBeGreaterThan(1); // multiplexed, not one at a time
  });

  it("respects the server's SETTINGS_MAX_CONCURRENT_STREAMS (no refused streams)", async () => {
    const server = await fake({ maxConcurrentStreams: 5, defaultDelayMs: 20 });
    const c = client(server);
    const results = await Promise.all(Array.from({ length: 60 }, () => c.send(token(), TOPIC)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(server.requests).toHaveLength(60); // none refused and resent
    expect(server.peakConcurrentStreams).toBeLessThanOrEqual(5);
    expect(server.sessionCount).toBe(1);
  });

  it('respects its own maxConcurrentStreams option', async () => {
    const server = await fake({ defaultDelayMs: 20 });
    const c = client(server, { maxConcurrentStreams: 3 });
    await Promise.all(Array.from({ length: 20 }, () => c.send(token(), TOPIC)));
    expect(server.peakConcurrentStreams).toBeLessThanOrEqual(3);
  });

  it('reconnects after the server closes the session (GOAWAY)', async () => {
    const server = await fake();
    const c = client(server);
    expect((await c.send(token(), TOPIC)).status).toBe(200);
    await server.closeSessions();
    expect((await c.send(token(), TOPIC)).status).toBe(200);
    expect(server.sessionCount).toBe(2);
    expect(server.requests.map((r) => r.session)).toEqual([1, 2]);
  });

  it('a request without an answer times out (status 0) and the next one uses a fresh session', async () => {
    const server = await fake();
    const c = client(server, { requestTimeoutMs: 200 });
    const t = token();
    server.respondFor(t, [{ status: 200, delayMs: 2000 }]);
    const slow = await c.send(t, TOPIC);
    expect(slow.status).toBe(0);
    expect(classifyApnsResult(slow)).toBe('retry');
    expect((await c.send(token(), TOPIC)).status).toBe(200);
    expect(server.requests.at(-1)?.session).toBe(2);
  });

  it('network failures resolve with status 0: untrusted server, nothing listening', async () => {
    const server = await fake();
    const untrusted = client(server, { ca: undefined });
    const a = await untrusted.send(token(), TOPIC);
    expect(a.status).toBe(0);
    expect(a.reason).toMatch(/certificate/i);

    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: p } = probe.address() as { port: number };
        probe.close(() => resolve(p));
      });
    });
    const b = await client(server, { url: `https://127.0.0.1:${port}` }).send(token(), TOPIC);
    expect(b.status).toBe(0);
    expect(b.reason).toMatch(/ECONNREFUSED/);
  });

  it('close() lets in-flight requests finish, then send() rejects', async () => {
    const server = await fake();
    const c = client(server);
    const t = token();
    server.respondFor(t, [{ status: 200, delayMs: 100 }]);
    const inFlight = c.send(t, TOPIC);
    await server.waitFor((reqs) => reqs.some((r) => r.token === t));
    await c.close();
    expect((await inFlight).status).toBe(200);
    await expect(c.send(token(), TOPIC)).rejects.toBeInstanceOf(ApnsInputError);
  });
});
