import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServiceAccount, fakeGoogleEnv, startFakeGoogle, type FakeGoogle } from './support/fake-google.js';
import { createGoogleSigningKeys, signCallback } from './support/google-callback-signer.js';
import { waitUntil } from './support/wait.js';
import { createProgram, createStore, enrol, issueKey, tillPurchase } from './support/fixtures.js';
import { startTestService, type TestService } from './support/test-service.js';

const ISSUER = '3388000000022222222';
let svc: TestService;
let google: FakeGoogle;
let keysServer: http.Server;
let dataDir: string;
const account = createTestServiceAccount();
const root = createGoogleSigningKeys();
let card: any;
let objectId: string;
let classId: string;
let posKey: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'wl-google-'));
  google = await startFakeGoogle({ serviceAccounts: [account] });
  keysServer = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(root.keysJson));
  await new Promise<void>((r) => keysServer.listen(0, '127.0.0.1', r));
  // Only the fields a real key file must have.
  const credentials = { type: 'service_account', client_email: account.client_email, private_key: account.private_key };
  svc = await startTestService({
    DATA_DIR: dataDir,
    PUBLIC_URL: 'https://loyalty.example.com',
    ...fakeGoogleEnv(google, ISSUER, dataDir, credentials),
    GOOGLE_CALLBACK_KEYS_URL: `http://127.0.0.1:${(keysServer.address() as AddressInfo).port}/keys`,
    JOB_POLL_MS: '50',
  });
  await createProgram(svc, { slug: 'gw', name: 'Google Test', welcomeBonus: 100, terms: 'Terms apply.' });
  const stores = [];
  for (let i = 0; i < 12; i++) stores.push(await createStore(svc, 'gw', { name: `S${i}`, latitude: 55 + i / 10, longitude: 37 }));
  posKey = await issueKey(svc, 'pos', stores[0].id);
  card = await enrol(svc, { program: 'gw', name: 'Anna Karenina', phone: '+79161234567', marketing: true, extra: { homeStoreId: stores[0].id } });
  objectId = `${ISSUER}.${card.serialNumber}`;
  classId = `${ISSUER}.gw`;
  await waitUntil(() => google.objects.has(objectId));
  // Anna saves the card: only objects in a wallet get updates.
  await saveToWallet(objectId);
});

/** Google's signed "save" callback for the object, as its Wallet app sends it. */
async function saveToWallet(id: string, eventType: 'save' | 'del' = 'save') {
  const message = { classId, objectId: id, eventType, expTimeMillis: Date.now() + 60_000, count: 1, nonce: randomUUID() };
  const res = await fetch(`${svc.url}/wallet/google/callbacks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(signCallback({ root, issuerId: ISSUER, message })),
  });
  expect(res.status).toBe(200);
  // The save asks for one silent full sync: let it land before the test counts requests.
  const synced = async () =>
    !(await svc.services.db.selectFrom('google_objects').select('full_sync_due').where('object_id', '=', id).executeTakeFirstOrThrow()).full_sync_due;
  if (eventType === 'save') await waitUntil(synced);
}

afterAll(async () => {
  await svc?.stop();
  await google?.close();
  keysServer?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const purchase = (amount: number) => tillPurchase(svc, posKey, card.cardNumber, amount);

/** The first PATCH of an object Google received after request number `before`. */
async function nextObjectPatch(before: number) {
  const find = () =>
    google
      .apiRequests()
      .slice(before)
      .find((r) => r.method === 'PATCH' && r.path.includes('/loyaltyObject/'));
  await waitUntil(() => find() !== undefined);
  return find()!;
}

describe('issuing into Google Wallet', () => {
  it('inserts the class and the object at issuance, through OAuth from the local token endpoint', async () => {
    await waitUntil(() => google.objects.has(objectId));
    expect(google.tokenRequests().length).toBeGreaterThanOrEqual(1);
    const cls = google.classes.get(classId)!;
    expect(cls).toMatchObject({
      issuerName: 'Google Test',
      programName: 'Google Test',
      callbackOptions: { url: 'https://loyalty.example.com/wallet/google/callbacks' },
    });
    const insert = google.apiRequests().find((r) => r.method === 'POST' && r.path.endsWith('/loyaltyClass'))!;
    expect((insert.body as any).reviewStatus).toBe('UNDER_REVIEW');
    expect(cls.programLogo?.sourceUri?.uri).toBe('https://loyalty.example.com/wallet/google/logo/default.png');
    expect(cls.merchantLocations).toHaveLength(10);
    const obj = google.objects.get(objectId)!;
    expect(obj).toMatchObject({ classId, state: 'ACTIVE', accountId: card.cardNumber, accountName: 'Anna', loyaltyPoints: { balance: { int: 100 } } });
    expect(obj.barcode).toEqual({ type: 'QR_CODE', value: card.barcode, alternateText: card.cardNumber });
    expect(obj.merchantLocations).toHaveLength(10);
    expect(obj.merchantLocations![0]).toEqual({ latitude: 55, longitude: 37 });
    // Parity with the pass: the tier on the front, a link to the card's own page.
    expect(obj.secondaryLoyaltyPoints?.balance).toEqual({ string: card.tier });
    expect(obj.linksModuleData!.uris!.map((u) => u.uri)).toContain(card.links.page);
  });

  it('links a save JWT carrying the object, so saving works even before our insert, that verifies with the service account key', () => {
    expect(card.links.google).toMatch(/^https:\/\/pay\.google\.com\/gp\/v\/save\//);
    const token = card.links.google.split('/').at(-1);
    const claims = jwt.verify(token, account.publicKeyPem, { algorithms: ['RS256'] }) as any;
    expect(claims).toMatchObject({ iss: account.client_email, aud: 'google', typ: 'savetowallet', origins: [] });
    expect(claims.payload.loyaltyObjects).toHaveLength(1);
    const saved = claims.payload.loyaltyObjects[0];
    expect(Object.keys(saved).sort()).toEqual(['accountId', 'barcode', 'classId', 'id', 'loyaltyPoints', 'secondaryLoyaltyPoints', 'state']);
    expect(saved).toMatchObject({
      id: objectId,
      classId,
      state: 'ACTIVE',
      accountId: card.cardNumber,
      loyaltyPoints: { balance: { int: card.balance } },
      secondaryLoyaltyPoints: { balance: { string: card.tier } },
      barcode: { type: 'QR_CODE', value: card.barcode, alternateText: card.cardNumber },
    });
    expect(card.links.google.length).toBeLessThan(1800);
  });

  it('serves the program logo (660×660, Google’s minimum) and hero publicly', async () => {
    for (const [kind, width, height] of [
      ['logo', 660, 660],
      ['hero', 1032, 336],
    ] as const) {
      const res = await fetch(`${svc.url}/wallet/google/${kind}/default.png`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/png');
      expect(res.headers.get('cache-control')).toBe('public, max-age=86400');
      const png = Buffer.from(await res.arrayBuffer());
      expect(png.toString('ascii', 12, 16)).toBe('IHDR');
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([width, height]);
    }
    expect((await fetch(`${svc.url}/wallet/google/hero/no-such-design.png`)).status).toBe(404);
  });
});

describe('live updates', () => {
  it('PATCHes the object with the new balance and NOTIFY_ON_UPDATE', async () => {
    const before = google.apiRequests().length;
    const result = await purchase(500);
    const patch = await nextObjectPatch(before);
    expect((patch.body as any).loyaltyPoints.balance).toEqual({ int: result.balance });
    expect((patch.body as any).notifyPreference).toBe('NOTIFY_ON_UPDATE');
    expect(google.objects.get(objectId)!.loyaltyPoints!.balance).toEqual({ int: result.balance });
  });

  it('sends the card message with addMessage and TEXT_AND_NOTIFY, and the 4th notification in 24 h as TEXT', async () => {
    const types: string[] = [];
    for (const text of ['First news', 'Second news', 'Third news']) {
      const before = google.apiRequests().length;
      expect((await svc.api('POST', `/api/v1/cards/${card.cardNumber}/message`, { text })).status).toBe(202);
      await waitUntil(() =>
        google
          .apiRequests()
          .slice(before)
          .some((r) => r.path.endsWith('/addMessage')),
      );
      const req = google
        .apiRequests()
        .slice(before)
        .find((r) => r.path.endsWith('/addMessage'))!;
      expect((req.body as any).message.body).toBe(text);
      types.push((req.body as any).message.messageType);
    }
    // One notifying balance update above + two notifying messages = 3: the third message is silent.
    expect(types).toEqual(['TEXT_AND_NOTIFY', 'TEXT_AND_NOTIFY', 'TEXT']);
    const { id } = await svc.services.db.selectFrom('cards').select('id').where('card_number', '=', card.cardNumber).executeTakeFirstOrThrow();
    const recorded = await svc.services.db.selectFrom('google_notifications').select(['kind', 'notified']).where('card_id', '=', id).orderBy('id').execute();
    expect(recorded).toEqual([
      { kind: 'update', notified: true },
      { kind: 'message', notified: true },
      { kind: 'message', notified: true },
      { kind: 'message', notified: false },
    ]);
    const messages = await svc.services.db.selectFrom('google_messages').select(['text', 'status']).where('card_id', '=', id).orderBy('seq').execute();
    expect(messages).toEqual([
      { text: 'First news', status: 'sent' },
      { text: 'Second news', status: 'sent' },
      { text: 'Third news', status: 'silent' },
    ]);
  });

  it('a balance change over budget is patched without a notification', async () => {
    const before = google.apiRequests().length;
    await purchase(100);
    const patch = await nextObjectPatch(before);
    expect((patch.body as any).notifyPreference).toBeUndefined();
  });

  it('retries a 429 with back-off until the PATCH goes through', async () => {
    google.failNext({ method: 'PATCH', path: /\/loyaltyObject\// }, [{ status: 429 }]);
    const before = google.apiRequests().length;
    const result = await purchase(100);
    await waitUntil(() => (google.objects.get(objectId)!.loyaltyPoints!.balance as any).int === result.balance, 20_000);
    const patches = google
      .apiRequests()
      .slice(before)
      .filter((r) => r.method === 'PATCH' && r.path.includes('/loyaltyObject/'));
    expect(patches.map((p) => p.status)).toEqual([429, 200]);
  });

  it('records a 400 and does not retry it forever', async () => {
    google.failNext({ method: 'PATCH', path: /\/loyaltyObject\// }, [{ status: 400 }]);
    const before = google.apiRequests().length;
    await purchase(100);
    const { id } = await svc.services.db.selectFrom('cards').select('id').where('card_number', '=', card.cardNumber).executeTakeFirstOrThrow();
    await waitUntil(async () => {
      const job = await svc.services.db
        .selectFrom('jobs')
        .select(['failed_at'])
        .where('kind', '=', 'google.card-changed')
        .where('dedupe_key', '=', id)
        .executeTakeFirst();
      return Boolean(job?.failed_at);
    });
    const row = await svc.services.db.selectFrom('google_objects').select('last_error').where('card_id', '=', id).executeTakeFirstOrThrow();
    expect(row.last_error).toContain('400');
    await new Promise((r) => setTimeout(r, 500));
    expect(
      google
        .apiRequests()
        .slice(before)
        .filter((r) => r.method === 'PATCH' && r.path.includes('/loyaltyObject/')),
    ).toHaveLength(1);
    await svc.services.db.deleteFrom('jobs').where('failed_at', 'is not', null).execute();
  });

  it('patches the class after an insert answered 409 when the program changes', async () => {
    const before = google.apiRequests().length;
    expect((await svc.api('PATCH', '/api/v1/programs/gw', { terms: 'New terms.' })).status).toBe(200);
    await waitUntil(() =>
      google
        .apiRequests()
        .slice(before)
        .some((r) => r.method === 'PATCH' && r.path.endsWith(`/loyaltyClass/${encodeURIComponent(classId)}`)),
    );
    const classCalls = google
      .apiRequests()
      .slice(before)
      .filter((r) => r.path.includes('/loyaltyClass'));
    expect(classCalls[0]).toMatchObject({ method: 'POST', status: 409 });
    expect(classCalls[1]).toMatchObject({ method: 'PATCH', status: 200 });
    expect(google.classes.get(classId)!.textModulesData![0]!.body).toBe('New terms.');
  });

  it('clears the terms at Google when the program drops them (PATCH replaces whole arrays)', async () => {
    expect((await svc.api('PATCH', '/api/v1/programs/gw', { terms: '' })).status).toBe(200);
    await waitUntil(() => (google.classes.get(classId)!.textModulesData ?? []).length === 0, 20_000);
    expect((await svc.api('PATCH', '/api/v1/programs/gw', { terms: 'Terms apply.' })).status).toBe(200);
    await waitUntil(() => google.classes.get(classId)!.textModulesData?.[0]?.body === 'Terms apply.', 20_000);
  });
});

describe('save and delete callbacks', () => {
  const post = (body: unknown) =>
    fetch(`${svc.url}/wallet/google/callbacks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const message = (eventType: string, extra: Record<string, unknown> = {}) => ({
    classId,
    objectId,
    eventType,
    expTimeMillis: Date.now() + 60_000,
    count: 1,
    nonce: randomUUID(),
    ...extra,
  });
  const saved = async () =>
    (await svc.services.db.selectFrom('google_objects').select('saved').where('object_id', '=', objectId).executeTakeFirstOrThrow()).saved;

  it('records a verified delete, and a save', async () => {
    expect(await saved()).toBe(true); // saved in beforeAll
    expect((await post(signCallback({ root, issuerId: ISSUER, message: message('del') }))).status).toBe(200);
    expect(await saved()).toBe(false);
    const res = await post(signCallback({ root, issuerId: ISSUER, message: message('save') }));
    expect(res.status).toBe(200);
    expect(await saved()).toBe(true);
    expect((await post(signCallback({ root, issuerId: ISSUER, message: message('del') }))).status).toBe(200);
    expect(await saved()).toBe(false);
  });

  it('refuses a tampered and an expired message, and answers a repeated delivery 200 without applying it twice', async () => {
    const body = signCallback({ root, issuerId: ISSUER, message: message('save') });
    const tampered = { ...body, signedMessage: body.signedMessage.replace('"save"', '"del"') };
    expect((await post(tampered)).status).toBe(401);
    const expired = signCallback({ root, issuerId: ISSUER, message: message('save', { expTimeMillis: Date.now() - 1000 }) });
    expect((await post(expired)).status).toBe(400);
    const otherRoot = createGoogleSigningKeys();
    expect((await post(signCallback({ root: otherRoot, issuerId: ISSUER, message: message('save') }))).status).toBe(401);
    expect(await saved()).toBe(false);
    expect((await post(body)).status).toBe(200);
    expect(await saved()).toBe(true);
    // The app deletes the card; then Google delivers the old "save" again (at least once): 200, no change.
    expect((await post(signCallback({ root, issuerId: ISSUER, message: message('del') }))).status).toBe(200);
    const again = await post(body);
    expect(again.status).toBe(200);
    expect(((await again.json()) as any).duplicate).toBe(true);
    expect(await saved()).toBe(false);
  });

  it('accepts both sender ids Google documents, GooglePayPasses and GoogleWalletPasses', async () => {
    const res = await post(signCallback({ root, issuerId: ISSUER, senderId: 'GoogleWalletPasses', message: message('save') }));
    expect(res.status).toBe(200);
    expect(await saved()).toBe(true);
    expect((await post(signCallback({ root, issuerId: ISSUER, senderId: 'SomeoneElse', message: message('del') }))).status).toBe(401);
    expect(await saved()).toBe(true);
  });
});

// Last: its purchase spends a notification of the object's daily budget.
describe('recovery', () => {
  it('inserts the object again when a PATCH finds it gone (404), instead of failing for good', async () => {
    await waitUntil(() => google.objects.has(objectId));
    const kept = google.objects.get(objectId)!;
    google.objects.delete(objectId); // e.g. removed on Google's side, or an issuer change
    const result = await purchase(100);
    await waitUntil(() => (google.objects.get(objectId)?.loyaltyPoints?.balance as any)?.int === result.balance, 20_000);
    expect(google.objects.get(objectId)!.classId).toBe(kept.classId);
  });
});

describe('Google’s own budget', () => {
  it('a notifying message answered 403 quotaExceeded is sent again silently and recorded as silent', async () => {
    const other = await enrol(svc, { program: 'gw', name: 'Olga' });
    const id = `${ISSUER}.${other.serialNumber}`;
    await waitUntil(() => google.objects.has(id));
    await saveToWallet(id);
    const quota = {
      error: { code: 403, message: 'Quota exceeded for notifications', errors: [{ reason: 'quotaExceeded', domain: 'global' }], status: 'PERMISSION_DENIED' },
    };
    google.failNext((r) => r.method === 'POST' && r.path.endsWith(`${encodeURIComponent(id)}/addMessage`), [{ status: 403, body: quota }]);
    expect((await svc.api('POST', `/api/v1/cards/${other.cardNumber}/message`, { text: 'Weekend offer' })).status).toBe(202);
    await waitUntil(() => (google.objects.get(id)!.messages ?? []).length === 1, 20_000);
    const sent = google.apiRequests().filter((r) => r.method === 'POST' && r.path.endsWith(`${encodeURIComponent(id)}/addMessage`));
    expect(sent.map((r) => (r.body as any).message.messageType)).toEqual(['TEXT_AND_NOTIFY', 'TEXT']);
    const { id: cardId } = await svc.services.db.selectFrom('cards').select('id').where('card_number', '=', other.cardNumber).executeTakeFirstOrThrow();
    const rows = await svc.services.db.selectFrom('google_notifications').select(['kind', 'notified']).where('card_id', '=', cardId).execute();
    expect(rows).toEqual([{ kind: 'message', notified: false }]);
  });
});

describe('content and privacy', () => {
  it('shows the first name, cut between graphemes, never inside an emoji', async () => {
    const family = '\u{1F469}\u200D\u{1F469}\u200D\u{1F467}\u200D\u{1F466}'; // one grapheme, 11 UTF-16 units
    const other = await enrol(svc, { program: 'gw', name: `${family}${family} Petrova` });
    const id = `${ISSUER}.${other.serialNumber}`;
    await waitUntil(() => google.objects.has(id));
    expect(google.objects.get(id)!.accountName).toBe(family); // two would be 22 units, over the 20 allowed
  });

  it('a revoked card link is replaced on the object too, without a notification', async () => {
    const before = google.apiRequests().length;
    const revoked = await svc.api('POST', `/api/v1/cards/${card.cardNumber}/link/revoke`);
    expect(revoked.status).toBe(200);
    const uris = () => google.objects.get(objectId)!.linksModuleData!.uris!.map((u) => u.uri);
    await waitUntil(() => uris().includes(revoked.body.links.page));
    expect(uris()).not.toContain(card.links.page);
    const patch = await nextObjectPatch(before);
    expect((patch.body as any).notifyPreference).toBeUndefined();
  });

  it('an erased customer leaves no message text at Google or in our tables', async () => {
    const other = await enrol(svc, { program: 'gw', name: 'Dmitry Ivanov', marketing: true });
    const id = `${ISSUER}.${other.serialNumber}`;
    await waitUntil(() => google.objects.has(id));
    await saveToWallet(id);
    expect((await svc.api('POST', `/api/v1/cards/${other.cardNumber}/message`, { text: 'Happy birthday, Dmitry!' })).status).toBe(202);
    await waitUntil(() => (google.objects.get(id)!.messages ?? []).length === 1);
    const { id: cardId, customer_id } = await svc.services.db
      .selectFrom('cards')
      .select(['id', 'customer_id'])
      .where('card_number', '=', other.cardNumber)
      .executeTakeFirstOrThrow();
    expect((await svc.api('DELETE', `/api/v1/customers/${customer_id}`)).status).toBe(204);
    await waitUntil(() => google.objects.get(id)!.state === 'INACTIVE', 20_000);
    expect(google.objects.get(id)!.messages ?? []).toEqual([]);
    expect(google.objects.get(id)!.accountName).toBe(other.cardNumber);
    const texts = await svc.services.db.selectFrom('google_messages').select('text').where('card_id', '=', cardId).execute();
    expect(texts.length).toBeGreaterThan(0);
    expect(texts.every((t) => t.text === null)).toBe(true);
  });
});
