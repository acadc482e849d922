import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { CallbackKeys } from '../src/wallets/google/callback-keys.js';
import { createGoogleSigningKeys } from './support/google-callback-signer.js';

// Two key documents, told apart by their expiration (what a rotation changes).
const first = createGoogleSigningKeys({ keyExpiration: Date.now() + 1_000_000 });
const rotated = createGoogleSigningKeys({ keyExpiration: Date.now() + 2_000_000 });

let server: http.Server;
let url: string;
let fetches = 0;
let reply: { status: number; body: string; delayMs: number };

beforeAll(async () => {
  server = http.createServer((_req, res) => {
    fetches++;
    const { status, body, delayMs } = reply;
    setTimeout(() => res.writeHead(status, { 'content-type': 'application/json' }).end(body), delayMs);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/keys`;
});

afterAll(() => {
  server.close();
});

beforeEach(() => {
  fetches = 0;
  reply = { status: 200, body: first.keysJson, delayMs: 0 };
  // Only Date is faked: the local server's sockets and timers run for real.
  vi.useFakeTimers({ toFake: ['Date'] });
});

afterEach(() => {
  vi.useRealTimers();
});

const expirations = (keys: { keyExpiration?: number }[]) => keys.map((k) => k.keyExpiration);
const advance = (ms: number) => vi.setSystemTime(Date.now() + ms);

describe("Google's callback signing keys", () => {
  it('fetches once and serves the cached keys for an hour', async () => {
    const keys = new CallbackKeys(url);
    expect(expirations(await keys.get())).toEqual([first.keyExpiration]);
    advance(59 * 60_000);
    await keys.get();
    expect(fetches).toBe(1);
    reply.body = rotated.keysJson;
    advance(2 * 60_000);
    expect(expirations(await keys.get())).toEqual([rotated.keyExpiration]);
    expect(fetches).toBe(2);
  });

  it('refetches on force at most once per 60 s, however many unknown key ids arrive', async () => {
    const keys = new CallbackKeys(url);
    await keys.get();
    reply.body = rotated.keysJson;
    // Forged callbacks right after the fetch: the keys are not fetched again.
    for (let i = 0; i < 50; i++) expect(expirations(await keys.get(true))).toEqual([first.keyExpiration]);
    expect(fetches).toBe(1);
    advance(59_000);
    await keys.get(true);
    expect(fetches).toBe(1);
    advance(1_000);
    expect(expirations(await keys.get(true))).toEqual([rotated.keyExpiration]);
    expect(fetches).toBe(2);
    for (let i = 0; i < 50; i++) await keys.get(true);
    expect(fetches).toBe(2);
  });

  it('lets concurrent callers share one in-flight fetch', async () => {
    const keys = new CallbackKeys(url);
    reply.delayMs = 100;
    const cold = await Promise.all(Array.from({ length: 20 }, () => keys.get()));
    expect(fetches).toBe(1);
    expect(cold.every((k) => k === cold[0])).toBe(true);
    advance(60_000);
    reply.body = rotated.keysJson;
    const forced = await Promise.all(Array.from({ length: 20 }, (_, i) => keys.get(i % 2 === 0)));
    expect(fetches).toBe(2);
    expect(forced.map(expirations)).toEqual(Array.from({ length: 20 }, () => [rotated.keyExpiration]));
  });

  it('counts a failed forced refetch against the limit and keeps serving the keys it has', async () => {
    const keys = new CallbackKeys(url);
    await keys.get();
    advance(60_000);
    reply.status = 503;
    await expect(keys.get(true)).rejects.toThrow(/failed with 503/);
    expect(fetches).toBe(2);
    expect(expirations(await keys.get(true))).toEqual([first.keyExpiration]);
    expect(fetches).toBe(2);
  });

  it('fetches again after a failed first fetch (there are no keys to serve)', async () => {
    const keys = new CallbackKeys(url);
    reply.status = 500;
    await expect(keys.get()).rejects.toThrow(/failed with 500/);
    reply.status = 200;
    expect(expirations(await keys.get())).toEqual([first.keyExpiration]);
    expect(fetches).toBe(2);
  });
});
