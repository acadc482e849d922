import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createGoogleWalletApi,
  GoogleApiError,
  type GoogleWalletApi,
  type LoyaltyClassInput,
  type LoyaltyObjectInput,
  type WalletApiLogger,
} from '../src/wallets/google/wallet-api.js';
import { createLogger } from '../src/platform/log/logger.js';
import { captureLogs } from './support/logs.js';
import { createTestServiceAccount, startFakeGoogle, type FakeGoogle, type TestServiceAccount } from './support/fake-google.js';

const ISSUER = '3388000000012345678';

// pino's Logger must satisfy the client's logger type (checked by tsc, not at run time).
const _pinoFits: WalletApiLogger = createLogger('silent');
void _pinoFits;

const loyaltyClass = (suffix: string, extra: Partial<LoyaltyClassInput> = {}): LoyaltyClassInput => ({
  id: `${ISSUER}.${suffix}`,
  issuerName: 'Coffee Corner',
  programName: 'Coffee Club',
  programLogo: { sourceUri: { uri: 'https://example.com/logo.png' } },
  hexBackgroundColor: '#3c2a21',
  ...extra,
});

const loyaltyObject = (classSuffix: string, suffix: string, extra: Partial<LoyaltyObjectInput> = {}): LoyaltyObjectInput => ({
  id: `${ISSUER}.${suffix}`,
  classId: `${ISSUER}.${classSuffix}`,
  state: 'ACTIVE',
  accountId: 'C-0001',
  accountName: 'Ann',
  loyaltyPoints: { label: 'Points', balance: { int: 10 } },
  barcode: { type: 'QR_CODE', value: 'card-0001' },
  ...extra,
});

async function rejection(promise: Promise<unknown>): Promise<GoogleApiError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GoogleApiError);
  return err as GoogleApiError;
}

describe('Google Wallet REST client against the local fake', () => {
  let fake: FakeGoogle;
  let account: TestServiceAccount;
  let api: GoogleWalletApi;
  const log = captureLogs('debug');

  beforeAll(async () => {
    account = createTestServiceAccount();
    fake = await startFakeGoogle({ serviceAccounts: [account] });
    api = createGoogleWalletApi({ apiUrl: fake.apiUrl, tokenUrl: fake.tokenUrl, credentials: account, logger: log.logger });
  });

  afterAll(async () => {
    await fake?.close();
  });

  it('gets a token from the configured token URL (verified JWT-bearer grant) and reuses it', async () => {
    await api.insertClass(loyaltyClass('coffee'));
    await api.getClass(`${ISSUER}.coffee`);

    const tokenRequests = fake.tokenRequests();
    expect(tokenRequests).toHaveLength(1);
    const form = tokenRequests[0]!.body as Record<string, string>;
    expect(form.grant_type).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    const claims = JSON.parse(Buffer.from(form.assertion!.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({
      iss: account.client_email,
      scope: 'https://www.googleapis.com/auth/wallet_object.issuer',
      aud: 'https://oauth2.googleapis.com/token',
    });
    expect(tokenRequests[0]!.status).toBe(200);

    const [insert, get] = fake.apiRequests();
    const [token] = fake.tokens.keys();
    expect(insert!.headers.authorization).toBe(`Bearer ${token}`);
    expect(get!.headers.authorization).toBe(`Bearer ${token}`);
  });

  it('inserts a class with reviewStatus UNDER_REVIEW', async () => {
    const created = await api.insertClass(loyaltyClass('tea'));
    expect(created.id).toBe(`${ISSUER}.tea`);
    expect(fake.apiRequests().at(-1)!.body).toMatchObject({ id: `${ISSUER}.tea`, reviewStatus: 'UNDER_REVIEW' });
    // Google approves a class sent for review; so does the fake.
    expect(fake.classes.get(`${ISSUER}.tea`)).toMatchObject({ programName: 'Coffee Club', reviewStatus: 'APPROVED' });
  });

  it('upserts an existing class: insert → 409 → PATCH with the same body and reviewStatus', async () => {
    await api.insertClass(loyaltyClass('upsert'));
    expect(fake.classes.get(`${ISSUER}.upsert`)?.reviewStatus).toBe('APPROVED');
    const before = fake.apiRequests().length;

    const result = await api.upsertClass(loyaltyClass('upsert', { programName: 'Coffee Club Gold' }));

    expect(result.created).toBe(false);
    expect(result.resource.programName).toBe('Coffee Club Gold');
    const calls = fake.apiRequests().slice(before);
    expect(calls.map((r) => [r.method, r.path, r.status])).toEqual([
      ['POST', '/walletobjects/v1/loyaltyClass', 409],
      ['PATCH', `/walletobjects/v1/loyaltyClass/${ISSUER}.upsert`, 200],
    ]);
    expect(calls[1]!.body).toMatchObject({ programName: 'Coffee Club Gold', reviewStatus: 'UNDER_REVIEW' });

    const fresh = await api.upsertClass(loyaltyClass('brand-new'));
    expect(fresh.created).toBe(true);
  });

  it('inserts and reads back an object; upsertObject patches an existing one', async () => {
    const orphan = await rejection(api.insertObject(loyaltyObject('no-such-class', 'orphan')));
    expect(orphan).toMatchObject({ status: 400, retryable: false });

    const obj = loyaltyObject('coffee', 'card-1');
    const inserted = await api.insertObject(obj);
    expect(inserted).toMatchObject({ id: obj.id, classId: obj.classId, state: 'ACTIVE' });

    const read = await api.getObject(obj.id);
    expect(read).toMatchObject({ accountName: 'Ann', loyaltyPoints: { label: 'Points', balance: { int: 10 } } });

    const missing = await rejection(api.getObject(`${ISSUER}.nope`));
    expect(missing).toMatchObject({ status: 404, retryable: false });

    const upserted = await api.upsertObject({ ...obj, loyaltyPoints: { label: 'Points', balance: { int: 25 } } }, { notify: true });
    expect(upserted.created).toBe(false);
    expect(fake.objects.get(obj.id)?.loyaltyPoints?.balance?.int).toBe(25);
    expect(fake.apiRequests().at(-1)!.body).toMatchObject({ notifyPreference: 'NOTIFY_ON_UPDATE' });
  });

  it('sends notifyPreference NOTIFY_ON_UPDATE in the PATCH body on every notifying patch, and only then', async () => {
    const obj = loyaltyObject('coffee', 'card-notify', {
      textModulesData: [
        { id: 'a', header: 'A', body: '1' },
        { id: 'b', header: 'B', body: '2' },
      ],
    });
    await api.insertObject(obj);
    const before = fake.apiRequests().length;

    await api.patchObject(obj.id, { loyaltyPoints: { balance: { int: 11 } } }, { notify: true });
    await api.patchObject(obj.id, { loyaltyPoints: { balance: { int: 12 } } }, { notify: true });
    await api.patchObject(obj.id, { textModulesData: [{ id: 'c', header: 'C', body: '3' }] });

    const patches = fake.apiRequests().slice(before);
    expect(patches.map((r) => r.method)).toEqual(['PATCH', 'PATCH', 'PATCH']);
    expect(patches[0]!.body).toEqual({ loyaltyPoints: { balance: { int: 11 } }, notifyPreference: 'NOTIFY_ON_UPDATE' });
    expect(patches[1]!.body).toEqual({ loyaltyPoints: { balance: { int: 12 } }, notifyPreference: 'NOTIFY_ON_UPDATE' });
    expect(patches[2]!.body).not.toHaveProperty('notifyPreference');
    for (const p of patches) expect(p.query).toEqual({});

    const stored = fake.objects.get(obj.id)!;
    // Nested messages merge; arrays are replaced whole (as Google does); notifyPreference is not stored.
    expect(stored.loyaltyPoints).toEqual({ label: 'Points', balance: { int: 12 } });
    expect(stored.textModulesData).toEqual([{ id: 'c', header: 'C', body: '3' }]);
    expect(stored).not.toHaveProperty('notifyPreference');
  });

  it('adds a TEXT_AND_NOTIFY message to an object and a TEXT message to a class', async () => {
    const obj = loyaltyObject('coffee', 'card-msg');
    await api.insertObject(obj);

    const res = await api.addObjectMessage(obj.id, {
      id: 'promo-1',
      header: 'Double points',
      body: 'Double points all weekend',
      messageType: 'TEXT_AND_NOTIFY',
    });

    const call = fake.apiRequests().at(-1)!;
    expect(call.method).toBe('POST');
    expect(call.path).toBe(`/walletobjects/v1/loyaltyObject/${obj.id}/addMessage`);
    expect(call.body).toEqual({
      message: { id: 'promo-1', header: 'Double points', body: 'Double points all weekend', messageType: 'TEXT_AND_NOTIFY' },
    });
    expect(res.resource?.messages?.[0]).toMatchObject({ id: 'promo-1', messageType: 'TEXT_AND_NOTIFY' });
    expect(fake.objects.get(obj.id)?.messages).toHaveLength(1);

    await api.addClassMessage(`${ISSUER}.coffee`, { body: 'Closed on Monday', messageType: 'TEXT' });
    expect(fake.classes.get(`${ISSUER}.coffee`)?.messages?.[0]).toMatchObject({ body: 'Closed on Monday', messageType: 'TEXT' });
  });

  it('answers a 401 by fetching a new token once and repeating the request', async () => {
    const id = `${ISSUER}.coffee`;
    const path = `/walletobjects/v1/loyaltyClass/${id}`;
    fake.failNext({ method: 'GET', path }, [{ status: 401 }]);
    const tokensBefore = fake.tokenRequests().length;
    const apiBefore = fake.apiRequests().length;
    expect((await api.getClass(id))?.id).toBe(id);
    expect(fake.tokenRequests().length - tokensBefore).toBe(1);
    expect(fake.apiRequests().length - apiBefore).toBe(2);
    // Twice in a row is not a token problem: it surfaces.
    fake.failNext({ method: 'GET', path }, [{ status: 401 }, { status: 401 }]);
    expect(await rejection(api.getClass(id))).toMatchObject({ status: 401 });
  });

  it('surfaces 429 and 503 as retryable errors with their status (no retry inside the client)', async () => {
    const id = `${ISSUER}.coffee`;
    const path = `/walletobjects/v1/loyaltyClass/${id}`;
    fake.failNext({ method: 'GET', path }, [{ status: 429, headers: { 'retry-after': '2' } }, { status: 503 }]);
    const before = fake.apiRequests().length;

    const quota = await rejection(api.getClass(id));
    expect(quota).toMatchObject({ status: 429, retryable: true, retryAfterMs: 2000, reason: 'rateLimitExceeded' });

    const unavailable = await rejection(api.getClass(id));
    expect(unavailable).toMatchObject({ status: 503, retryable: true });

    // Each failure cost exactly one request: the client did not retry on its own.
    expect(fake.apiRequests().length - before).toBe(2);
    await expect(api.getClass(id)).resolves.toMatchObject({ id });
  });

  it('surfaces 400 as a non-retryable error and a dropped connection as a retryable one', async () => {
    fake.failNext({ method: 'PATCH' }, [{ status: 400 }, { destroy: true }]);

    const bad = await rejection(api.patchObject(`${ISSUER}.card-1`, { accountName: 'Bob' }));
    expect(bad).toMatchObject({ status: 400, retryable: false, reason: 'invalid' });

    const dropped = await rejection(api.patchObject(`${ISSUER}.card-1`, { accountName: 'Bob' }));
    expect(dropped).toMatchObject({ status: 0, retryable: true });
  });

  it('reports a token refused by the token endpoint (unknown key) as a non-retryable error', async () => {
    const stranger = createTestServiceAccount('stranger@loyalty-test.iam.gserviceaccount.com');
    const other = createGoogleWalletApi({ apiUrl: fake.apiUrl, tokenUrl: fake.tokenUrl, credentials: stranger });
    const err = await rejection(other.getClass(`${ISSUER}.coffee`));
    expect(err).toMatchObject({ status: 400, reason: 'invalid_grant', retryable: false });

    // Known service account, wrong key: only the RS256 signature check can refuse this one.
    const impostor = { ...createTestServiceAccount(account.client_email), client_email: account.client_email };
    const forged = createGoogleWalletApi({ apiUrl: fake.apiUrl, tokenUrl: fake.tokenUrl, credentials: impostor });
    const forgedErr = await rejection(forged.getClass(`${ISSUER}.coffee`));
    expect(forgedErr).toMatchObject({ status: 400, reason: 'invalid_grant', retryable: false });
    expect(forgedErr.message).toContain('Invalid JWT Signature');
  });

  it('limits to requestsPerSecond in any 1-second window, queueing instead of dropping', async () => {
    const limited = createGoogleWalletApi({ apiUrl: fake.apiUrl, tokenUrl: fake.tokenUrl, credentials: account, requestsPerSecond: 20 });
    const id = `${ISSUER}.coffee`;
    const tokensBefore = fake.tokenRequests().length;
    const started = performance.now();

    const results = await Promise.all(Array.from({ length: 45 }, () => limited.getClass(id)));

    const elapsed = performance.now() - started;
    expect(results).toHaveLength(45);
    expect(elapsed).toBeGreaterThanOrEqual(1100);
    // 45 concurrent first calls share one token fetch.
    expect(fake.tokenRequests().length - tokensBefore).toBe(1);

    const batch = fake.apiRequests().filter((r) => r.at >= started && r.method === 'GET' && r.path.endsWith(`/loyaltyClass/${id}`));
    expect(batch).toHaveLength(45);
    // Timestamps are taken on arrival at the fake, so they carry connection/event-loop jitter:
    // windows are shortened by 200 ms. A missing limiter puts 45, a burst-plus-refill bucket ~36,
    // into such a window; a correct one at most 20.
    const times = batch.map((r) => r.at).sort((a, b) => a - b);
    const busiest = Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 800).length));
    expect(busiest).toBeLessThanOrEqual(20);
    expect(busiest).toBeGreaterThanOrEqual(15); // it does let a burst through
  });

  it('never logs tokens or the private key', () => {
    expect(log.lines.length).toBeGreaterThan(0);
    const all = log.lines.join('\n');
    for (const token of fake.tokens.keys()) expect(all).not.toContain(token);
    expect(all).not.toContain('PRIVATE KEY');
    expect(all).not.toContain(account.private_key.split('\n')[1]!);
    expect(all).not.toMatch(/assertion|Bearer/);
  });
});
