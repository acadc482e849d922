/**
 * Issue 12, recovery and budget under failure: a save that arrives before our row exists, a round
 * that fails after its notifying PATCH, 403 rate limits, a burst of 429s, an object that fails for good.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestServiceAccount, fakeGoogleEnv, startFakeGoogle } from './support/fake-google.js';
import { createGoogleSigningKeys, signCallback } from './support/google-callback-signer.js';
import { cardRow, createProgram, createStore, enrol, issueKey, savedToGoogleWallet, tillPurchase } from './support/fixtures.js';
import { startTestService } from './support/test-service.js';
import { waitUntil } from './support/wait.js';
import { QuotaGovernor } from '../src/wallets/google/quota-governor.js';
import { GoogleChannel } from '../src/wallets/google/google-channel.js';

const ISSUER = '3388000000055555555';
let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

async function deployment(env: Record<string, string> = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'wl-grecover-'));
  const account = createTestServiceAccount();
  const root = createGoogleSigningKeys();
  const keys = http.createServer((_q, r) => r.writeHead(200, { 'content-type': 'application/json' }).end(root.keysJson));
  await new Promise<void>((r) => keys.listen(0, '127.0.0.1', r));
  const google = await startFakeGoogle({ serviceAccounts: [account] });
  const svc = await startTestService({
    DATA_DIR: dir,
    ...fakeGoogleEnv(google, ISSUER, dir, account),
    GOOGLE_CALLBACK_KEYS_URL: `http://127.0.0.1:${(keys.address() as AddressInfo).port}/keys`,
    JOB_POLL_MS: '50',
    ...env,
  });
  cleanup.push(async () => {
    await svc.stop();
    await google.close();
    keys.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const callback = (classId: string, objectId: string) =>
    fetch(`${svc.url}/wallet/google/callbacks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(
        signCallback({
          root,
          issuerId: ISSUER,
          message: { classId, objectId, eventType: 'save', expTimeMillis: Date.now() + 60_000, count: 1, nonce: randomUUID() },
        }),
      ),
    });
  const jobsLeft = async () =>
    Number(
      (
        await svc.services.db
          .selectFrom('jobs')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('kind', 'like', 'google.card%')
          .where('failed_at', 'is', null)
          .executeTakeFirstOrThrow()
      ).n,
    );
  return { svc, google, callback, jobsLeft };
}

describe('Google sync under failure', () => {
  it('a save that arrives before our object row exists is recorded, and the holder gets every later update', async () => {
    const { svc, google, callback, jobsLeft } = await deployment({ GOOGLE_PAUSE_MS: '500' });
    let denied = true;
    const refusal = { status: 403, body: { error: { code: 403, message: 'denied', status: 'PERMISSION_DENIED', errors: [{ reason: 'forbidden' }] } } };
    google.failNext(
      (r) => denied && r.kind === 'api',
      Array.from({ length: 10_000 }, () => refusal),
    );
    await createProgram(svc, { slug: 'pp', name: 'P', welcomeBonus: 0 });
    const pos = await issueKey(svc, 'pos', (await createStore(svc, 'pp', { name: 'S', latitude: 55, longitude: 37 })).id);
    await enrol(svc, { program: 'pp', name: 'First' }); // its job pauses the channel
    await waitUntil(async () => (await fetch(`${svc.url}/healthz`)).status === 503);
    const card = await enrol(svc, { program: 'pp', name: 'Second' }); // enrolled while paused: its job defers before #lease
    const objectId = `${ISSUER}.${card.serialNumber}`;
    // The customer saves through the link (which carries the object): Google creates it and calls back.
    const saved = JSON.parse(Buffer.from(card.links.google!.split('/').at(-1)!.split('.')[1]!, 'base64url').toString()).payload.loyaltyObjects[0];
    google.objects.set(objectId, saved);
    expect((await callback(`${ISSUER}.pp`, objectId)).status).toBe(200);
    denied = false;
    await waitUntil(async () => (await jobsLeft()) === 0, 20_000);
    const after = await tillPurchase(svc, pos, card.cardNumber, 5000);
    await waitUntil(async () => (await jobsLeft()) === 0, 20_000);
    await new Promise((r) => setTimeout(r, 500));
    const row = await svc.services.db.selectFrom('google_objects').select('saved').where('object_id', '=', objectId).executeTakeFirstOrThrow();
    expect(row.saved).toBe(true);
    expect(google.objects.get(objectId)!.loyaltyPoints!.balance).toEqual({ int: after.balance });
  }, 60_000);

  it('a round that fails after its notifying PATCH does not send (and notify) it again', async () => {
    const { svc, google, jobsLeft } = await deployment();
    await createProgram(svc, { slug: 'qq', name: 'Q', welcomeBonus: 0 });
    const pos = await issueKey(svc, 'pos', (await createStore(svc, 'qq', { name: 'S', latitude: 55, longitude: 37 })).id);
    const card = await enrol(svc, { program: 'qq', name: 'Lev', marketing: true });
    const id = `${ISSUER}.${card.serialNumber}`;
    await waitUntil(() => google.objects.has(id));
    await waitUntil(async () => (await jobsLeft()) === 0);
    await savedToGoogleWallet(svc);
    await svc.services.jobs.stop();
    await tillPurchase(svc, pos, card.cardNumber, 1000); // balance → notifying PATCH
    expect((await svc.api('POST', `/api/v1/cards/${card.cardNumber}/message`, { text: 'Hi' })).status).toBe(202);
    google.failNext((r) => r.path.endsWith('/addMessage'), [{ status: 503 }]); // transient, after the PATCH
    svc.services.jobs.start();
    await waitUntil(() => google.apiRequests().some((r) => r.path.endsWith('/addMessage') && r.status === 200), 20_000);
    await waitUntil(async () => (await jobsLeft()) === 0);
    const notifyingPatches = google.apiRequests().filter((r) => r.method === 'PATCH' && (r.body as any).notifyPreference);
    const row = await cardRow(svc, card.cardNumber);
    const ledger = await svc.services.db.selectFrom('google_notifications').selectAll().where('card_id', '=', row.id).where('notified', '=', true).execute();
    expect(ledger).toHaveLength(2); // one update, one message
    expect(google.notifications.get(id)).toHaveLength(ledger.length);
    expect(notifyingPatches).toHaveLength(1);
  }, 60_000);

  it('a 403 rateLimitExceeded is retried like a 429, not failed for good', async () => {
    const { svc, google, jobsLeft } = await deployment();
    await createProgram(svc, { slug: 'rr', name: 'R', welcomeBonus: 0 });
    const pos = await issueKey(svc, 'pos', (await createStore(svc, 'rr', { name: 'S', latitude: 55, longitude: 37 })).id);
    const card = await enrol(svc, { program: 'rr', name: 'Ann' });
    const id = `${ISSUER}.${card.serialNumber}`;
    await waitUntil(() => google.objects.has(id));
    await waitUntil(async () => (await jobsLeft()) === 0);
    await savedToGoogleWallet(svc);
    const body = { error: { code: 403, message: 'Rate Limit Exceeded', errors: [{ reason: 'rateLimitExceeded' }] } };
    google.failNext({ method: 'PATCH' }, [{ status: 403, body }]);
    await tillPurchase(svc, pos, card.cardNumber, 1000);
    await new Promise((r) => setTimeout(r, 2000));
    const failed = await svc.services.db.selectFrom('jobs').select(['last_error']).where('failed_at', 'is not', null).execute();
    expect(failed).toEqual([]);
  }, 30_000);

  it('a burst of 429s (one per request in flight) pauses for Retry-After, not for their sum', async () => {
    const svc = await startTestService();
    cleanup.push(() => svc.stop());
    await GoogleChannel.ensureRow(svc.services.db, ISSUER);
    const gov = new QuotaGovernor(svc.services.db, { issuerId: ISSUER, requestsPerSecond: 20 });
    // 20 requests were in flight when Google said 429, Retry-After: 2 s; each response reports it.
    for (let i = 0; i < 20; i++) await gov.throttled(2000);
    const started = Date.now();
    const got = await Promise.race([gov.acquire('till').then(() => 'granted'), new Promise((r) => setTimeout(() => r('still waiting'), 6000))]);
    expect(got, `after ${Date.now() - started} ms`).toBe('granted');
  }, 20_000);

  it('an object that fails for good is re-driven with back-off and leaves one failed job row', async () => {
    const { svc, google } = await deployment({ GOOGLE_SWEEP_EVERY_MS: '100' });
    await createProgram(svc, { slug: 'ss', name: 'S', welcomeBonus: 0 });
    google.failNext(
      { method: 'POST', path: /\/loyaltyObject$/ },
      Array.from({ length: 1000 }, () => ({ status: 400 })),
    );
    await enrol(svc, { program: 'ss', name: 'Eva' });
    await new Promise((r) => setTimeout(r, 5000));
    const failed = await svc.services.db.selectFrom('jobs').select('id').where('kind', '=', 'google.card-changed').where('failed_at', 'is not', null).execute();
    expect(failed.length).toBeLessThanOrEqual(1);
  }, 30_000);

  it('one object refused (403) while its class is not fails that object alone: the channel stays open', async () => {
    const { svc, google, jobsLeft } = await deployment();
    await createProgram(svc, { slug: 'one', name: 'One', welcomeBonus: 0 });
    const pos = await issueKey(svc, 'pos', (await createStore(svc, 'one', { name: 'S', latitude: 55, longitude: 37 })).id);
    const [bad, good] = [await enrol(svc, { program: 'one', name: 'Bad' }), await enrol(svc, { program: 'one', name: 'Good' })];
    const badId = `${ISSUER}.${bad.serialNumber}`;
    await waitUntil(() => google.objects.has(badId) && google.objects.has(`${ISSUER}.${good.serialNumber}`));
    await waitUntil(async () => (await jobsLeft()) === 0);
    await savedToGoogleWallet(svc);
    const refusal = { error: { code: 403, message: 'The caller does not have permission', status: 'PERMISSION_DENIED', errors: [{ reason: 'forbidden' }] } };
    google.failNext((r) => r.method === 'PATCH' && r.path.includes(encodeURIComponent(badId)), [{ status: 403, body: refusal }]);
    await tillPurchase(svc, pos, bad.cardNumber, 1000);
    const after = await tillPurchase(svc, pos, good.cardNumber, 1000);
    await waitUntil(() => (google.objects.get(`${ISSUER}.${good.serialNumber}`)!.loyaltyPoints!.balance as any).int === after.balance, 20_000);
    const row = await cardRow(svc, bad.cardNumber);
    await waitUntil(
      async () =>
        (await svc.services.db.selectFrom('google_objects').select('last_error').where('card_id', '=', row.id).executeTakeFirstOrThrow()).last_error !== null,
    );
    expect((await fetch(`${svc.url}/healthz`)).status).toBe(200);
  }, 30_000);
});
