/**
 * Issue 13, "done when": two brands on one server, each with its own (development) Apple identity. A
 * pass of beta is signed with beta's certificate, registered under beta's pass type id and pushed on
 * beta's topic over a connection authenticated with beta's certificate; alpha's stays on the
 * deployment's. Beta's key is sealed with SECRETS_KEY and never returned. Beta's texts go out from
 * its own sender, signed with its signature.
 */
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDevCertificates, type DevCertificates } from '../src/wallets/apple/pkpass/dev-certificates.js';
import { startAppleStandIn } from './support/apple-stand-in.js';
import type { FakeApns } from './support/fake-apns.js';
import { cardRow, createProgramWithStores, enrol, tillPurchase, type EnrolledCard } from './support/fixtures.js';
import { ADMIN_KEY, startTestService, type TestService } from './support/test-service.js';
import { waitUntil } from './support/wait.js';
import { startSmsGateway, type SmsGateway } from './support/sms-gateway.js';

const ALPHA_PTID = 'pass.test.alpha';
const BETA_PTID = 'pass.test.beta';
const BETA2_PTID = 'pass.test.beta.two';
const SECRETS_KEY = 'test-secrets-key-0123456789abcdef-0123';

let svc: TestService;
let apns: FakeApns;
let dataDir: string;
let beta: DevCertificates;
let beta2: DevCertificates;
let alphaRoot: string;
let betaAdmin: string;
let alphaAdmin: string;
let betaTill: string;
let alphaTill: string;
let sms: SmsGateway;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'wl-brand-wallets-'));
  // Beta's identities: chains of their own (own root, own "WWDR"), as two Apple teams would have.
  beta = await ensureDevCertificates(path.join(dataDir, 'beta'), { passTypeIdentifier: BETA_PTID, teamIdentifier: 'BETATEAM01' });
  beta2 = await ensureDevCertificates(path.join(dataDir, 'beta2'), { passTypeIdentifier: BETA2_PTID, teamIdentifier: 'BETATEAM01' });
  const roots = [beta, beta2].flatMap((c) => [readFileSync(c.rootCertPath, 'utf8'), readFileSync(c.wwdrCertPath, 'utf8')]);
  const standIn = await startAppleStandIn(dataDir, { passTypeIdentifier: ALPHA_PTID, teamIdentifier: 'ALPHATEAM1' }, roots);
  apns = standIn.apns;
  alphaRoot = standIn.rootCertPath;

  sms = await startSmsGateway('{"to":"{{to}}","text":"{{text}}","sender":"{{from}}"}');
  svc = await startTestService({ ...standIn.env, SECRETS_KEY, JOB_POLL_MS: '50', ...sms.env });
  // alpha is the first brand (the deployment's settings); beta is added.
  expect((await svc.api('POST', '/api/v1/brands', { slug: 'beta', name: 'Beta' })).status).toBe(201);
  const { stores: alphaStores } = await createProgramWithStores(svc, 'alpha-club', { welcomeBonus: 0 });
  const { stores: betaStores } = await createProgramWithStores(svc, 'beta-club', { welcomeBonus: 0, brand: 'beta' });
  const key = async (body: Record<string, unknown>) => (await svc.api('POST', '/api/v1/api-keys', { name: randomUUID(), ...body })).body.key as string;
  betaAdmin = await key({ role: 'admin', brand: 'beta' });
  alphaAdmin = await key({ role: 'admin', brand: 'default' });
  betaTill = await key({ role: 'pos', storeId: betaStores[0].id });
  alphaTill = await key({ role: 'pos', storeId: alphaStores[0].id });
});

afterAll(async () => {
  await svc?.stop();
  await apns?.close();
  await sms?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const pem = (c: DevCertificates) => ({
  certificatePem: readFileSync(c.certPath, 'utf8'),
  keyPem: readFileSync(c.keyPath, 'utf8'),
  wwdrPem: readFileSync(c.wwdrCertPath, 'utf8'),
});
const setIdentity = (body: Record<string, unknown>, key: string | undefined = betaAdmin, brand = 'beta') =>
  svc.api('PUT', `/api/v1/brands/${brand}/apple-identity`, body, key);

async function download(card: EnrolledCard): Promise<Buffer> {
  const res = await fetch(card.links.apple.replace(/^http:\/\/127\.0\.0\.1:\d+/, svc.url));
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

/** openssl's verdict on the pass signature against a root (a tool we did not write). */
function verifiesAgainst(pkpass: Buffer, rootPath: string): boolean {
  const dir = mkdtempSync(path.join(tmpdir(), 'wl-verify-'));
  try {
    writeFileSync(path.join(dir, 'p.pkpass'), pkpass);
    spawnSync('unzip', ['-q', 'p.pkpass', '-d', 'x'], { cwd: dir });
    const r = spawnSync('openssl', [
      'cms',
      '-verify',
      '-inform',
      'DER',
      '-in',
      path.join(dir, 'x/signature'),
      '-content',
      path.join(dir, 'x/manifest.json'),
      '-CAfile',
      rootPath,
      '-purpose',
      'any',
      '-binary',
      '-out',
      '/dev/null',
    ]);
    return r.status === 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function passJson(pkpass: Buffer): any {
  const dir = mkdtempSync(path.join(tmpdir(), 'wl-pj-'));
  try {
    writeFileSync(path.join(dir, 'p.pkpass'), pkpass);
    return JSON.parse(spawnSync('unzip', ['-p', 'p.pkpass', 'pass.json'], { cwd: dir }).stdout.toString('utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function register(card: EnrolledCard, ptid: string, pushToken: string): Promise<number> {
  const row = await cardRow(svc, card.cardNumber);
  const res = await fetch(`${svc.url}/wallet/apple/v1/devices/dev${pushToken.slice(0, 12)}/registrations/${ptid}/${card.serialNumber}`, {
    method: 'POST',
    headers: { authorization: `ApplePass ${row.auth_token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ pushToken }),
  });
  return res.status;
}

describe("a brand's own Apple identity", () => {
  it('refuses what is not a matching identity, naming the problem, and stores nothing', async () => {
    const missing = await setIdentity({ certificatePem: pem(beta).certificatePem });
    expect(missing.status).toBe(400);
    expect(missing.body.errors.map((e: any) => e.field).sort()).toEqual(['keyPem', 'wwdrPem']);
    // Beta's certificate with the key of its other identity.
    const wrongKey = await setIdentity({ ...pem(beta), keyPem: pem(beta2).keyPem });
    expect(wrongKey.status).toBe(400);
    expect(wrongKey.body.detail).toMatch(/key does not match the pass certificate/);
    const wrongWwdr = await setIdentity({ ...pem(beta), wwdrPem: pem(beta2).wwdrPem });
    expect(wrongWwdr.body.detail).toMatch(/did not issue the pass certificate/);
    const wrongId = await setIdentity({ ...pem(beta), passTypeIdentifier: 'pass.test.other' });
    expect(wrongId.status).toBe(400);
    expect(wrongId.body.detail).toMatch(/passTypeIdentifier is "pass.test.other" in the configuration but "pass.test.beta"/);
    // Paths on the server are for the operator only.
    const files = await setIdentity({ files: { certificate: beta.certPath, key: beta.keyPath, wwdr: beta.wwdrCertPath } });
    expect(files.status).toBe(403);
    // Another brand's admin does not see beta at all; the deployment's own pass type id is not for a brand.
    expect((await setIdentity(pem(beta), alphaAdmin)).status).toBe(404);
    expect((await svc.api('GET', '/api/v1/brands/beta/apple-identity', undefined, alphaAdmin)).status).toBe(404);
    expect((await svc.api('GET', '/api/v1/brands/beta/apple-identity', undefined, betaTill)).status).toBe(403);
    expect(await svc.services.db.selectFrom('apple_identities').select('pass_type_id').execute()).toEqual([]);
  });

  it("uses the deployment's identity until the brand has its own", async () => {
    const res = await svc.api('GET', '/api/v1/brands/beta/apple-identity', undefined, betaAdmin);
    expect(res.body).toMatchObject({ passTypeIdentifier: ALPHA_PTID, source: 'deployment' });
  });

  it('stores it sealed, and shows it without the key', async () => {
    const res = await setIdentity(pem(beta));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ passTypeIdentifier: BETA_PTID, teamIdentifier: 'BETATEAM01', source: 'stored' });
    expect(JSON.stringify(res.body)).not.toMatch(/PRIVATE KEY|BEGIN/);
    const got = await svc.api('GET', '/api/v1/brands/beta/apple-identity', undefined, betaAdmin);
    expect(got.body).toEqual(res.body);
    // At rest: nothing readable, and nothing that opens without SECRETS_KEY.
    const row = await sql<{ c: string }>`select credentials::text as c from apple_identities where pass_type_id = ${BETA_PTID}`.execute(svc.services.db);
    expect(row.rows[0]!.c).not.toMatch(/PRIVATE KEY|CERTIFICATE/);
    expect(row.rows[0]!.c).toMatch(/"sealed": ?"v1\./);
    // The write is in the audit log, without the body.
    const audit = await svc.api('GET', '/api/v1/audit-log?action=setAppleIdentity', undefined, betaAdmin);
    expect(audit.body.items).toHaveLength(1);
    expect(JSON.stringify(audit.body)).not.toMatch(/PRIVATE KEY/);
  });

  it("signs beta's pass with beta's certificate and alpha's with the deployment's", async () => {
    const betaCard = await enrol(svc, { program: 'beta-club' });
    const alphaCard = await enrol(svc, { program: 'alpha-club' });
    const betaPass = await download(betaCard);
    const alphaPass = await download(alphaCard);
    expect(passJson(betaPass)).toMatchObject({ passTypeIdentifier: BETA_PTID, teamIdentifier: 'BETATEAM01' });
    expect(passJson(alphaPass)).toMatchObject({ passTypeIdentifier: ALPHA_PTID, teamIdentifier: 'ALPHATEAM1' });
    expect(verifiesAgainst(betaPass, beta.rootCertPath)).toBe(true);
    expect(verifiesAgainst(betaPass, alphaRoot)).toBe(false);
    expect(verifiesAgainst(alphaPass, alphaRoot)).toBe(true);
    expect((await cardRow(svc, betaCard.cardNumber)).apple_pass_type_id).toBe(BETA_PTID);
  });

  it("registers beta's pass under beta's pass type id only, and pushes it on beta's topic with beta's certificate", async () => {
    const betaCard = await enrol(svc, { program: 'beta-club' });
    const alphaCard = await enrol(svc, { program: 'alpha-club' });
    await download(betaCard);
    const betaToken = 'be'.repeat(32);
    const alphaToken = 'a1'.repeat(32);
    expect(await register(betaCard, ALPHA_PTID, betaToken)).toBe(401);
    expect(await register(betaCard, BETA_PTID, betaToken)).toBe(201);
    expect(await register(alphaCard, BETA_PTID, alphaToken)).toBe(401);
    expect(await register(alphaCard, ALPHA_PTID, alphaToken)).toBe(201);
    // The list endpoint answers per pass type id.
    const listed = await fetch(`${svc.url}/wallet/apple/v1/devices/dev${betaToken.slice(0, 12)}/registrations/${BETA_PTID}`);
    expect(((await listed.json()) as any).serialNumbers).toEqual([betaCard.serialNumber]);
    expect((await fetch(`${svc.url}/wallet/apple/v1/devices/dev${betaToken.slice(0, 12)}/registrations/${ALPHA_PTID}`)).status).toBe(204);

    await tillPurchase(svc, betaTill, betaCard.cardNumber, 500);
    await tillPurchase(svc, alphaTill, alphaCard.cardNumber, 500);
    await waitUntil(() => apns.requests.some((r) => r.token === betaToken) && apns.requests.some((r) => r.token === alphaToken));
    const toBeta = apns.requests.find((r) => r.token === betaToken)!;
    const toAlpha = apns.requests.find((r) => r.token === alphaToken)!;
    expect(toBeta.headers['apns-topic']).toBe(BETA_PTID);
    expect(toBeta.clientCertSubject).toContain(`Pass Type ID: ${BETA_PTID}`);
    expect(toAlpha.headers['apns-topic']).toBe(ALPHA_PTID);
    expect(toAlpha.clientCertSubject).toContain(`Pass Type ID: ${ALPHA_PTID}`);
    expect(toBeta.session).not.toBe(toAlpha.session);
  });

  it('a new pass type id goes to new cards; passes already issued keep theirs and keep updating', async () => {
    const before = await enrol(svc, { program: 'beta-club' });
    await download(before);
    const res = await setIdentity(pem(beta2));
    expect(res.body.passTypeIdentifier).toBe(BETA2_PTID);
    const after = await enrol(svc, { program: 'beta-club' });
    expect(passJson(await download(after)).passTypeIdentifier).toBe(BETA2_PTID);
    expect(passJson(await download(before)).passTypeIdentifier).toBe(BETA_PTID);
    const token = 'b0'.repeat(32);
    expect(await register(before, BETA_PTID, token)).toBe(201);
    await tillPurchase(svc, betaTill, before.cardNumber, 300);
    await waitUntil(() => apns.requests.some((r) => r.token === token));
    expect(apns.requests.find((r) => r.token === token)!.headers['apns-topic']).toBe(BETA_PTID);
    // Back to the deployment's for new cards; the issued ones still keep theirs.
    expect((await svc.api('DELETE', '/api/v1/brands/beta/apple-identity', undefined, betaAdmin)).status).toBe(204);
    expect((await svc.api('DELETE', '/api/v1/brands/beta/apple-identity', undefined, betaAdmin)).status).toBe(409);
    const later = await enrol(svc, { program: 'beta-club' });
    expect(passJson(await download(later)).passTypeIdentifier).toBe(ALPHA_PTID);
    expect(passJson(await download(after)).passTypeIdentifier).toBe(BETA2_PTID);
  });

  it("refuses another brand's pass type id", async () => {
    await svc.api('POST', '/api/v1/brands', { slug: 'gamma', name: 'Gamma' });
    const res = await setIdentity(pem(beta), ADMIN_KEY, 'gamma');
    expect(res.status).toBe(409);
    expect(res.body.detail).toMatch(/another brand/);
  });
});

describe("a brand's texts", () => {
  it('go out from its sender, signed; bad settings are 400s naming the field', async () => {
    const bad = await svc.api('PATCH', '/api/v1/brands/beta', { smsSender: 'A sender id far too long' }, betaAdmin);
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('smsSender');
    expect((await svc.api('PATCH', '/api/v1/brands/beta', { smsSender: 'BetaShop' }, alphaAdmin)).status).toBe(404);
    // The sender is the gateway account's: the operator sets it, a brand's admin its signature.
    const own = await svc.api('PATCH', '/api/v1/brands/beta', { smsSender: 'BetaShop' }, betaAdmin);
    expect(own.status).toBe(403);
    expect((await svc.api('PATCH', '/api/v1/brands/beta', { smsSignature: '— Beta' }, betaAdmin)).status).toBe(200);
    const ok = await svc.api('PATCH', '/api/v1/brands/beta', { smsSender: 'BetaShop' }, ADMIN_KEY);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ smsSender: 'BetaShop', smsSignature: '— Beta' });

    const betaCard = await enrol(svc, { program: 'beta-club' });
    const alphaCard = await enrol(svc, { program: 'alpha-club' });
    for (const card of [betaCard, alphaCard]) {
      expect((await svc.api('POST', `/api/v1/cards/${card.cardNumber}/sms`, {})).status).toBe(202);
    }
    const [toBeta, toAlpha] = sms.texts.slice(-2);
    expect(toBeta!.sender).toBe('BetaShop');
    expect(toBeta!.text).toMatch(/\n— Beta$/);
    expect(toAlpha!.sender).toBe('');
    expect(toAlpha!.text).not.toMatch(/Beta/);
    // null goes back to the deployment's sender and no signature.
    const cleared = await svc.api('PATCH', '/api/v1/brands/beta', { smsSender: null, smsSignature: null }, ADMIN_KEY);
    expect(cleared.body).toMatchObject({ smsSender: null, smsSignature: null });
  });
});

describe("a brand's privacy policy", () => {
  it("is the join form's link when the program has none of its own", async () => {
    const linkOf = async (program: string) =>
      /href="([^"]+)"[^>]*>[^<]*(?:политик|privacy|Privacy)/i.exec(await (await fetch(`${svc.url}/join/${program}`)).text())?.[1];
    expect(await linkOf('beta-club')).toBe('/join/beta-club/privacy');
    const bad = await svc.api('PATCH', '/api/v1/brands/beta', { privacyUrl: 'javascript:alert(1)' }, betaAdmin);
    expect(bad.body.errors[0].field).toBe('privacyUrl');
    await svc.api('PATCH', '/api/v1/brands/beta', { privacyUrl: 'https://beta.example/privacy' }, betaAdmin);
    expect(await linkOf('beta-club')).toBe('https://beta.example/privacy');
    expect(await linkOf('alpha-club')).toBe('/join/alpha-club/privacy');
  });
});
