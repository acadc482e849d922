/**
 * Issue 13: Google ids use the brand's issuer. A deployment without a Google issuer of its own;
 * beta brings one (issuer id + service account, sealed with SECRETS_KEY). Beta's objects and class
 * are made under beta's issuer with beta's account (the fake Google lets each account act only on
 * its issuers), its save links are signed with beta's key, callbacks count only when signed for the
 * object's issuer, a refused account pauses that issuer alone, and after beta moves to another
 * issuer its earlier objects stay where Google has them.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProgramWithStores, enrol, tillPurchase, type EnrolledCard } from './support/fixtures.js';
import { createTestServiceAccount, startFakeGoogle, type FakeGoogle } from './support/fake-google.js';
import { createGoogleSigningKeys, signCallback } from './support/google-callback-signer.js';
import { startTestService, type TestService } from './support/test-service.js';
import { waitUntil } from './support/wait.js';

const BETA_ISSUER = '3388000000011111111';
const BETA_ISSUER_2 = '3388000000022222222';
const SECRETS_KEY = 'test-secrets-key-0123456789abcdef-google';

const betaAccount = createTestServiceAccount('beta-wallet@beta.iam.gserviceaccount.com');
const beta2Account = createTestServiceAccount('beta-two@beta.iam.gserviceaccount.com');
const root = createGoogleSigningKeys();
let google: FakeGoogle;
let keysServer: http.Server;
let svc: TestService;
let betaAdmin: string;
let alphaAdmin: string;
let betaTill: string;

beforeAll(async () => {
  google = await startFakeGoogle({ serviceAccounts: [betaAccount, beta2Account] });
  // Like the Wallet Console: each account is a user of its own issuer only (beta-two not yet).
  google.authorize(betaAccount.client_email, [BETA_ISSUER]);
  google.authorize(beta2Account.client_email, []);
  keysServer = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(root.keysJson));
  await new Promise<void>((r) => keysServer.listen(0, '127.0.0.1', r));
  svc = await startTestService({
    SECRETS_KEY,
    GOOGLE_WALLET_API_URL: google.apiUrl,
    GOOGLE_OAUTH_TOKEN_URL: google.tokenUrl,
    GOOGLE_CALLBACK_KEYS_URL: `http://127.0.0.1:${(keysServer.address() as AddressInfo).port}/keys`,
    GOOGLE_PAUSE_MS: '300',
    JOB_POLL_MS: '50',
  });
  expect((await svc.api('POST', '/api/v1/brands', { slug: 'beta', name: 'Beta' })).status).toBe(201);
  await createProgramWithStores(svc, 'alpha-club', { welcomeBonus: 0 });
  const { stores } = await createProgramWithStores(svc, 'beta-club', { welcomeBonus: 0, brand: 'beta' });
  const key = async (body: Record<string, unknown>) => (await svc.api('POST', '/api/v1/api-keys', { name: randomUUID(), ...body })).body.key as string;
  betaAdmin = await key({ role: 'admin', brand: 'beta' });
  alphaAdmin = await key({ role: 'admin', brand: 'default' });
  betaTill = await key({ role: 'pos', storeId: stores[0].id });
});

afterAll(async () => {
  await svc?.stop();
  await google?.close();
  await new Promise((r) => keysServer?.close(r));
});

const setIssuer = (body: Record<string, unknown>, key = betaAdmin) => svc.api('PUT', '/api/v1/brands/beta/google-issuer', body, key);
const accountBody = (a: typeof betaAccount) => ({ type: 'service_account', client_email: a.client_email, private_key: a.private_key });
/** Who made each call on an object or class: the account its bearer token was issued to. */
const callersOf = (id: string) =>
  google
    .apiRequests()
    .filter((r) => r.path.includes(encodeURIComponent(id)) || r.path.includes(id) || (r.body as any)?.id === id)
    .map((r) => google.tokens.get(String(r.headers.authorization).slice(7))?.clientEmail);
const callback = (issuerId: string, objectId: string, eventType: 'save' | 'del' = 'save') =>
  fetch(`${svc.url}/wallet/google/callbacks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(
      signCallback({
        root,
        issuerId,
        message: { classId: `${issuerId}.beta-club`, objectId, eventType, expTimeMillis: Date.now() + 60_000, count: 1, nonce: randomUUID() },
      }),
    ),
  });
const savedOf = async (card: EnrolledCard) =>
  (
    await svc.services.db
      .selectFrom('google_objects as g')
      .innerJoin('cards as c', 'c.id', 'g.card_id')
      .select(['g.saved', 'g.object_id'])
      .where('c.card_number', '=', card.cardNumber)
      .executeTakeFirst()
  )?.saved ?? false;

describe("a brand's own Google issuer", () => {
  it('without an issuer anywhere, a card has no Google link and nothing is sent to Google', async () => {
    const card = await enrol(svc, { program: 'beta-club' });
    expect(card.links.google).toBeNull();
    expect((await svc.api('GET', '/api/v1/brands/beta/google-issuer', undefined, betaAdmin)).status).toBe(409);
    await new Promise((r) => setTimeout(r, 300));
    expect(google.apiRequests()).toEqual([]);
  });

  it('refuses bad issuers and keys, naming the field, and stores nothing', async () => {
    const bad: [Record<string, unknown>, string | number][] = [
      [{ issuerId: 'beta', serviceAccount: accountBody(betaAccount) }, 'issuerId'],
      [{ issuerId: BETA_ISSUER }, 'serviceAccount'],
      [{ issuerId: BETA_ISSUER, serviceAccount: { client_email: betaAccount.client_email, private_key: 'not a key' } }, 'serviceAccount.private_key'],
      [{ issuerId: BETA_ISSUER, serviceAccount: { private_key: betaAccount.private_key } }, 'serviceAccount.client_email'],
      // Only the operator may name a file on the server.
      [{ issuerId: BETA_ISSUER, file: '/etc/passwd' }, 403],
    ];
    for (const [body, expected] of bad) {
      const res = await setIssuer(body);
      if (typeof expected === 'number') expect(res.status, JSON.stringify(body)).toBe(expected);
      else
        expect(
          res.body.errors?.map((e: any) => e.field),
          JSON.stringify(body),
        ).toContain(expected);
    }
    // Another brand's admin does not see beta at all.
    expect((await setIssuer({ issuerId: BETA_ISSUER, serviceAccount: accountBody(betaAccount) }, alphaAdmin)).status).toBe(404);
    expect(await svc.services.db.selectFrom('google_issuers').selectAll().execute()).toEqual([]);
  });

  it("beta's cards are made under beta's issuer with beta's account; the key is sealed and never returned", async () => {
    const res = await setIssuer({ issuerId: BETA_ISSUER, serviceAccount: accountBody(betaAccount) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ issuerId: BETA_ISSUER, clientEmail: betaAccount.client_email, source: 'stored' });
    expect(JSON.stringify(res.body)).not.toContain('PRIVATE KEY');
    const row = await svc.services.db.selectFrom('google_issuers').selectAll().executeTakeFirstOrThrow();
    expect(JSON.stringify(row.credentials)).not.toContain('PRIVATE KEY');
    expect((await svc.api('GET', '/api/v1/brands/beta/google-issuer', undefined, betaAdmin)).body.source).toBe('stored');

    const card = await enrol(svc, { program: 'beta-club' });
    const objectId = `${BETA_ISSUER}.${card.serialNumber}`;
    await waitUntil(() => google.objects.has(objectId) && google.classes.has(`${BETA_ISSUER}.beta-club`));
    expect(new Set(callersOf(objectId))).toEqual(new Set([betaAccount.client_email]));
    expect(new Set(callersOf(`${BETA_ISSUER}.beta-club`))).toEqual(new Set([betaAccount.client_email]));

    // The save link: signed by beta's account, for the object under beta's issuer.
    const token = card.links.google!.replace('https://pay.google.com/gp/v/save/', '');
    const claims = jwt.verify(token, betaAccount.publicKeyPem, { algorithms: ['RS256'] }) as any;
    expect(claims.iss).toBe(betaAccount.client_email);
    expect(claims.payload.loyaltyObjects[0].id).toBe(objectId);

    // Alpha (no issuer of its own, none in the deployment) stays without Google.
    expect((await enrol(svc, { program: 'alpha-club' })).links.google).toBeNull();
  });

  it("a callback counts only when signed for the object's own issuer", async () => {
    const card = await enrol(svc, { program: 'beta-club' });
    const objectId = `${BETA_ISSUER}.${card.serialNumber}`;
    await waitUntil(() => google.objects.has(objectId));
    // Signed for another issuer (recipient), claiming beta's object: refused, nothing changes.
    expect((await callback(BETA_ISSUER_2, objectId)).status).toBe(401);
    expect(await savedOf(card)).toBe(false);
    // The same card's serial under an issuer that is not the one its object lives under: ignored.
    expect((await callback(BETA_ISSUER_2, `${BETA_ISSUER_2}.${card.serialNumber}`)).status).toBe(401);
    expect((await callback(BETA_ISSUER, objectId)).status).toBe(200);
    expect(await savedOf(card)).toBe(true);
    // Saved: a purchase updates it, through beta's account.
    const before = google.apiRequests().length;
    await tillPurchase(svc, betaTill, card.barcode, 1000);
    await waitUntil(() =>
      google
        .apiRequests()
        .slice(before)
        .some((r) => r.method === 'PATCH' && r.path.endsWith(encodeURIComponent(objectId))),
    );
  });

  it('after a move to another issuer, old objects stay under theirs; a refused new account pauses only that issuer', async () => {
    const old = await enrol(svc, { program: 'beta-club' });
    const oldId = `${BETA_ISSUER}.${old.serialNumber}`;
    await waitUntil(() => google.objects.has(oldId));
    expect((await callback(BETA_ISSUER, oldId)).status).toBe(200);

    // beta-two is not yet a user of the new issuer: Google refuses it.
    expect((await setIssuer({ issuerId: BETA_ISSUER_2, serviceAccount: accountBody(beta2Account) })).status).toBe(200);
    const fresh = await enrol(svc, { program: 'beta-club' });
    const freshId = `${BETA_ISSUER_2}.${fresh.serialNumber}`;
    const paused = async () =>
      (await svc.services.db.selectFrom('google_channel').select(['issuer_id', 'pause_reason']).execute()).filter((r) => r.pause_reason !== null);
    await waitUntil(async () => (await paused()).length > 0);
    expect((await paused()).map((r) => r.issuer_id)).toEqual([BETA_ISSUER_2]);
    // Named, but one brand's refused account does not take the deployment out of its load balancer.
    const health = await fetch(`${svc.url}/healthz`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as any).wallets.google.paused[0].issuerId).toBe(BETA_ISSUER_2);

    // The old issuer keeps working meanwhile: the old card's update goes out under it.
    const before = google.apiRequests().length;
    await tillPurchase(svc, betaTill, old.barcode, 1000);
    await waitUntil(() =>
      google
        .apiRequests()
        .slice(before)
        .some((r) => r.method === 'PATCH' && r.path.endsWith(encodeURIComponent(oldId))),
    );
    expect(google.objects.has(`${BETA_ISSUER_2}.${old.serialNumber}`)).toBe(false);

    // Authorised in the console: the new card appears under the new issuer, with its own class.
    google.authorize(beta2Account.client_email, [BETA_ISSUER_2]);
    await waitUntil(() => google.objects.has(freshId) && google.classes.has(`${BETA_ISSUER_2}.beta-club`));
    expect(new Set(callersOf(freshId))).toEqual(new Set([beta2Account.client_email]));
    await waitUntil(async () => (await paused()).length === 0);
    const link = jwt.decode(fresh.links.google!.replace('https://pay.google.com/gp/v/save/', '')) as any;
    expect(link.iss).toBe(beta2Account.client_email);
    // The old card's link still names its own object, signed by the old issuer's account.
    const oldLink = (await svc.api('GET', `/api/v1/cards/${old.cardNumber}`, undefined, betaAdmin)).body.links.google;
    expect((jwt.verify(oldLink.replace('https://pay.google.com/gp/v/save/', ''), betaAccount.publicKeyPem) as any).payload.loyaltyObjects[0].id).toBe(oldId);
  });

  it("two brands claiming one new issuer at the same moment: one gets it, the other a 409, and the key stays the owner's", async () => {
    const ISSUER = '3388000000033333333';
    const put = (brand: string) =>
      svc.api('PUT', `/api/v1/brands/${brand}/google-issuer`, { issuerId: ISSUER, serviceAccount: accountBody(brand === 'beta' ? beta2Account : betaAccount) });
    const [a, b] = await Promise.all([put('default'), put('beta')]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const winner = a.status === 200 ? 'default' : 'beta';
    const row = await svc.services.db
      .selectFrom('google_issuers as i')
      .innerJoin('brands as b', 'b.id', 'i.brand_id')
      .select(['b.slug', 'i.client_email'])
      .where('i.issuer_id', '=', ISSUER)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ slug: winner, client_email: winner === 'beta' ? beta2Account.client_email : betaAccount.client_email });
    // Both brands go back to where they were for the next test.
    expect((await svc.api('DELETE', `/api/v1/brands/${winner}/google-issuer`)).status).toBe(204);
    if (winner === 'beta') expect((await setIssuer({ issuerId: BETA_ISSUER_2, serviceAccount: accountBody(beta2Account) })).status).toBe(200);
  });

  it("another brand cannot take beta's issuer; retired, new cards go without Google while made ones keep theirs", async () => {
    const res = await svc.api('PUT', '/api/v1/brands/default/google-issuer', { issuerId: BETA_ISSUER, serviceAccount: accountBody(betaAccount) }, alphaAdmin);
    expect(res.status).toBe(409);
    const made = await enrol(svc, { program: 'beta-club' });
    await waitUntil(() => google.objects.has(`${BETA_ISSUER_2}.${made.serialNumber}`));
    expect((await svc.api('DELETE', '/api/v1/brands/beta/google-issuer', undefined, betaAdmin)).status).toBe(204);
    expect((await svc.api('DELETE', '/api/v1/brands/beta/google-issuer', undefined, betaAdmin)).status).toBe(409);
    expect((await enrol(svc, { program: 'beta-club' })).links.google).toBeNull();
    const link = (await svc.api('GET', `/api/v1/cards/${made.cardNumber}`, undefined, betaAdmin)).body.links.google;
    expect((jwt.decode(link.replace('https://pay.google.com/gp/v/save/', '')) as any).payload.loyaltyObjects[0].id).toBe(
      `${BETA_ISSUER_2}.${made.serialNumber}`,
    );
  });
});
