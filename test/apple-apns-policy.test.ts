import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/platform/config/config.js';
import { TEMPLATES_DIR } from '../src/platform/paths.js';
import { AppleIdentities } from '../src/wallets/apple/apple-identities.js';
import { SecretBox } from '../src/platform/secrets/secret-box.js';
import { PassService } from '../src/wallets/apple/pass-service.js';
import { MAX_DEVICES_PER_PASS } from '../src/wallets/apple/registration-service.js';
import { startAppleStandIn } from './support/apple-stand-in.js';
import type { FakeApns } from './support/fake-apns.js';
import { cardRow, createProgramWithStores, enrol, issueKey, tillPurchase, type EnrolledCard } from './support/fixtures.js';
import { startTestService, type TestService } from './support/test-service.js';
import { waitUntil } from './support/wait.js';

const PASS_TYPE_ID = 'pass.test.policy';

let svc: TestService;
let apns: FakeApns;
let dataDir: string;
let posKey: string;
let seq = 0;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'wl-policy-'));
  const standIn = await startAppleStandIn(dataDir, { passTypeIdentifier: PASS_TYPE_ID, teamIdentifier: 'TESTTEAM03' });
  apns = standIn.apns;
  svc = await startTestService({ ...standIn.env, JOB_POLL_MS: '50' });
  const { stores } = await createProgramWithStores(svc, 'shop', { welcomeBonus: 0 });
  posKey = await issueKey(svc, 'pos', stores[0].id);
});
afterAll(async () => {
  await svc?.stop();
  await apns?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const ws = (p: string) => `${svc.url}/wallet/apple/v1${p}`;
const newToken = () => (++seq).toString(16).padStart(2, '0').repeat(32).slice(0, 64);
const db = () => svc.services.db;

async function register(card: EnrolledCard, device: string, pushToken: string): Promise<number> {
  const { auth_token } = await cardRow(svc, card.cardNumber);
  const res = await fetch(ws(`/devices/${device}/registrations/${PASS_TYPE_ID}/${card.serialNumber}`), {
    method: 'POST',
    headers: { authorization: `ApplePass ${auth_token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ pushToken }),
  });
  return res.status;
}

/** A card with one device on a fresh token; a purchase on it pushes to that token. */
async function cardWithDevice() {
  const card = await enrol(svc, { program: 'shop' });
  const token = newToken();
  const device = `dev-${randomUUID()}`;
  expect(await register(card, device, token)).toBe(201);
  return { card, token, device, buy: () => tillPurchase(svc, posKey, card.cardNumber, 100) };
}

const pushesTo = (token: string) => apns.requests.filter((r) => r.token === token).length;
const deviceExists = async (device: string) =>
  (await db().selectFrom('apple_devices').select('device_library_id').where('device_library_id', '=', device).execute()).length === 1;
const retryJob = (token: string) => db().selectFrom('jobs').selectAll().where('kind', '=', 'apple.push').where('dedupe_key', '=', token).executeTakeFirst();
const health = async () => (await fetch(`${svc.url}/healthz`)).json() as Promise<any>;

describe('the APNs failure policy', () => {
  beforeEach(async () => {
    // Every test starts with a channel that delivers (a healthy push clears a past refusal).
    const { buy, token } = await cardWithDevice();
    await buy();
    await apns.waitFor(() => pushesTo(token) > 0, 10_000);
  });

  it('honours retry-after: a 429 with 30 s is pushed again no sooner than 30 s later', async () => {
    const { token, buy } = await cardWithDevice();
    apns.respondFor(token, [{ status: 429, reason: 'TooManyRequests', headers: { 'retry-after': '30' } }]);
    await buy();
    await waitUntil(async () => (await retryJob(token)) !== undefined);
    const due = (await retryJob(token))!.run_at.getTime() - Date.now();
    expect(due).toBeGreaterThan(28_000);
    expect(due).toBeLessThanOrEqual(30_500);
    expect(pushesTo(token)).toBe(1);
  });

  it('retries an ExpiredProviderToken at once instead of dropping the push', async () => {
    const { token, buy, device } = await cardWithDevice();
    apns.respondFor(token, [{ status: 403, reason: 'ExpiredProviderToken' }]);
    await buy();
    await waitUntil(async () => (await retryJob(token)) !== undefined);
    await db().updateTable('jobs').set({ run_at: new Date() }).where('dedupe_key', '=', token).execute();
    await apns.waitFor(() => pushesTo(token) >= 2, 10_000);
    await waitUntil(async () => (await retryJob(token)) === undefined);
    expect(await deviceExists(device)).toBe(true);
  });

  it('keeps the job as failed on another 403 and reports the channel unhealthy', async () => {
    const { token, buy, card } = await cardWithDevice();
    apns.respondFor(token, [{ status: 403, reason: 'InvalidProviderToken' }]);
    await buy();
    const { id } = await cardRow(svc, card.cardNumber);
    const failed = () =>
      db()
        .selectFrom('jobs')
        .selectAll()
        .where('kind', '=', 'apple.card-changed')
        .where('dedupe_key', '=', id)
        .where('failed_at', 'is not', null)
        .executeTakeFirst();
    await waitUntil(async () => (await failed()) !== undefined);
    expect((await failed())!.last_error).toContain('403 InvalidProviderToken');
    const res = await fetch(`${svc.url}/healthz`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as any).wallets.apple).toMatchObject({ healthy: false, apns: { state: 'failing', lastRefusal: '403 InvalidProviderToken' } });
  });

  it('deletes a device on 410 only when it has not registered again since APNs’ timestamp', async () => {
    const old = await cardWithDevice();
    // The device refreshed its registration after APNs learnt the old token was dead.
    apns.respondFor(old.token, [{ status: 410, reason: 'Unregistered', body: { timestamp: Date.now() - 3_600_000 } }]);
    await old.buy();
    await apns.waitFor(() => pushesTo(old.token) > 0, 10_000);
    const gone = await cardWithDevice();
    apns.respondFor(gone.token, [{ status: 410, reason: 'Unregistered', body: { timestamp: Date.now() + 1000 } }]);
    await gone.buy();
    await waitUntil(async () => !(await deviceExists(gone.device)));
    expect(await deviceExists(old.device)).toBe(true);
  });

  it('forgets a device whose token the client refuses instead of retrying it', async () => {
    const { card } = await cardWithDevice();
    const { id } = await cardRow(svc, card.cardNumber);
    // Stored before the route and the client shared one pattern: an odd number of hex digits.
    await db().insertInto('apple_devices').values({ device_library_id: 'legacy-device', pass_type_id: PASS_TYPE_ID, push_token: 'abc' }).execute();
    await db().insertInto('apple_registrations').values({ device_library_id: 'legacy-device', pass_type_id: PASS_TYPE_ID, card_id: id }).execute();
    await tillPurchase(svc, posKey, card.cardNumber, 100);
    await waitUntil(async () => !(await deviceExists('legacy-device')));
    expect(await retryJob('abc')).toBeUndefined();
    // And the route refuses such a token outright.
    expect(await register(card, 'another-device', 'abc')).toBe(400);
  });
});

describe('limits', () => {
  it(`keeps at most ${MAX_DEVICES_PER_PASS} devices per pass: the oldest registration gives way`, async () => {
    const card = await enrol(svc, { program: 'shop' });
    for (let i = 0; i < MAX_DEVICES_PER_PASS + 2; i++) {
      expect(await register(card, `many-${i}`, newToken())).toBe(201);
      await new Promise((r) => setTimeout(r, 5));
    }
    const { id } = await cardRow(svc, card.cardNumber);
    const left = (await db().selectFrom('apple_registrations').select('device_library_id').where('card_id', '=', id).execute()).map((r) => r.device_library_id);
    expect(left).toHaveLength(MAX_DEVICES_PER_PASS);
    expect(left).not.toContain('many-0');
    expect(left).not.toContain('many-1');
    expect(left).toContain(`many-${MAX_DEVICES_PER_PASS + 1}`);
  });

  it('/v1/log takes 10 calls a minute per client and 16 KB a call', async () => {
    const log = (body: unknown) => fetch(ws('/log'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await log({ logs: ['x'.repeat(20_000)] })).status).toBe(413);
    const statuses = [];
    for (let i = 0; i < 12; i++) statuses.push((await log({ logs: [`line ${i}`] })).status);
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(10);
    expect(statuses.at(-1)).toBe(429);
  });
});

describe('start-up and certificates', () => {
  it('refuses an APNs sandbox URL: every Wallet token would answer BadDeviceToken there', () => {
    expect(() => loadConfig({ APNS_URL: 'https://api.sandbox.push.apple.com' })).toThrow(ConfigError);
    expect(() => loadConfig({ APNS_URL: 'https://API.Sandbox.push.apple.com/' })).toThrow(/APNS_URL/);
    expect(loadConfig({ APNS_URL: 'https://api.push.apple.com' }).apple.apnsUrl).toBe('https://api.push.apple.com');
    expect(() => loadConfig({ APNS_URL: 'https://api.development.push.apple.com:443' })).toThrow(/APNS_URL must not be the APNs sandbox/);
  });

  it('reports the days the certificates have left, and refuses to sign with an expired one', async () => {
    const report = await health();
    expect(report.wallets.apple.certificateDaysLeft).toBeGreaterThan(30);
    expect(report.wallets.apple.wwdrDaysLeft).toBeGreaterThan(30);
    const expired = {
      passTypeIdentifier: PASS_TYPE_ID,
      teamIdentifier: 'TESTTEAM03',
      notAfter: new Date(Date.now() - 86_400_000),
      wwdrNotAfter: new Date(Date.now() + 86_400_000),
      signManifest: () => Buffer.alloc(0),
    };
    const identities = new AppleIdentities(db(), new SecretBox(undefined), {
      signing: expired,
      passTypeIdentifier: PASS_TYPE_ID,
      certPem: '',
      keyPem: '',
      keyPassphrase: undefined,
    });
    const passes = new PassService(db(), identities, TEMPLATES_DIR, 'https://x.example/wallet/apple', 'https://x.example');
    const card = await enrol(svc, { program: 'shop' });
    expect(passes.certificateDaysLeft().certificate).toBeLessThan(0);
    await expect(passes.passFor(await cardRow(svc, card.cardNumber))).rejects.toMatchObject({
      status: 503,
      message: expect.stringContaining('Pass Type ID certificate expired'),
    });
  });
});

describe('one pass cannot pause everyone', () => {
  it('ten made-up tokens on one pass are re-checked, not taken for a burst', async () => {
    const card = await enrol(svc, { program: 'shop' });
    const tokens = Array.from({ length: MAX_DEVICES_PER_PASS }, () => newToken());
    for (const [i, t] of tokens.entries()) {
      expect(await register(card, `fake-${i}-${randomUUID()}`, t)).toBe(201);
      apns.respondFor(t, [{ status: 400, reason: 'BadDeviceToken' }]);
    }
    await tillPurchase(svc, posKey, card.cardNumber, 100);
    await waitUntil(async () => (await Promise.all(tokens.map(retryJob))).every(Boolean));
    expect((await health()).wallets.apple.apns.state).toBe('ok');
    // Another customer's change is pushed as usual.
    const other = await cardWithDevice();
    await other.buy();
    await apns.waitFor(() => pushesTo(other.token) > 0, 10_000);
  });
});

// Last: the pause it causes lasts ten minutes.
describe('a BadDeviceToken burst', () => {
  it('pauses, keeps every device and says so when most pushes answer BadDeviceToken', async () => {
    const phones = [];
    for (let i = 0; i < 12; i++) phones.push(await cardWithDevice());
    for (const p of phones) apns.respondFor(p.token, [{ status: 400, reason: 'BadDeviceToken' }]);
    for (const p of phones) await p.buy();
    await waitUntil(async () => (await health()).wallets.apple.apns.state === 'paused', 15_000);
    const report = await health();
    expect(report.wallets.apple.healthy).toBe(false);
    for (const p of phones) expect(await deviceExists(p.device)).toBe(true);
    // While paused, a change waits instead of being pushed into the same wall.
    const later = await cardWithDevice();
    const before = pushesTo(later.token);
    await later.buy();
    await new Promise((r) => setTimeout(r, 500));
    expect(pushesTo(later.token)).toBe(before);
  });
});
