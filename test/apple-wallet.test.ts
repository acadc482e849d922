import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeApns } from './support/fake-apns.js';
import { startAppleStandIn } from './support/apple-stand-in.js';
import { waitUntil } from './support/wait.js';
import { createProgram, createStore, enrol, issueKey, tillPurchase } from './support/fixtures.js';
import { startTestService, type TestService } from './support/test-service.js';

const PASS_TYPE_ID = 'pass.test.wallet-loyalty';
const TEAM_ID = 'TESTTEAM01';
const DEVICE = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const PUSH_TOKEN = 'aa'.repeat(32);

let svc: TestService;
let apns: FakeApns;
let dataDir: string;
let rootPem: string;
let card: { cardNumber: string; serialNumber: string; links: { apple: string } };
let authToken: string;
let posKey: string;

const ws = (p: string) => `${svc.url}/wallet/apple/v1${p}`;
const applePass = (token: string) => ({ authorization: `ApplePass ${token}` });

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'wl-apple-'));
  const standIn = await startAppleStandIn(dataDir, { passTypeIdentifier: PASS_TYPE_ID, teamIdentifier: TEAM_ID });
  apns = standIn.apns;
  rootPem = standIn.rootCertPath;
  svc = await startTestService({ ...standIn.env, PUBLIC_URL: 'http://127.0.0.1:3999', JOB_POLL_MS: '50' });
  await createProgram(svc, { slug: 'apple', name: 'Apple Test', welcomeBonus: 100, terms: 'Be nice.' });
  const stores = [];
  for (let i = 0; i < 12; i++) {
    stores.push(
      await createStore(svc, 'apple', {
        name: `Store ${i}`,
        latitude: 55 + i * 0.1,
        longitude: 37,
        relevantText: `Near store ${i}`,
        beacons: [{ proximityUUID: '6f1b9d0e-3c1a-4c5e-9a57-2b1f3d4e5a6b', major: i }],
      }),
    );
  }
  card = await enrol(svc, { program: 'apple', name: 'Anna Karenina', phone: '+79161234567', marketing: true, extra: { homeStoreId: stores[11].id } });
  posKey = await issueKey(svc, 'pos', stores[0].id);
});

afterAll(async () => {
  await svc?.stop();
  await apns?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function unzipPass(bytes: Buffer): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'wl-pkpass-'));
  writeFileSync(path.join(dir, 'card.pkpass'), bytes);
  execFileSync('unzip', ['-q', 'card.pkpass', '-d', 'x'], { cwd: dir });
  return path.join(dir, 'x');
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir).flatMap((f) => (statSync(path.join(dir, f)).isDirectory() ? listFiles(path.join(dir, f), `${prefix}${f}/`) : [`${prefix}${f}`]));
}

const purchase = (amount: number) => tillPurchase(svc, posKey, card.cardNumber, amount);

describe('issuing a pass', () => {
  let dir: string;
  let pass: any;

  it('downloads a signed .pkpass through the card link', async () => {
    expect(card.links.apple).toMatch(/^http:\/\/127\.0\.0\.1:3999\/wallet\/apple\/download\/[A-Za-z0-9_-]{32,}$/);
    const res = await fetch(card.links.apple.replace('http://127.0.0.1:3999', svc.url));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.apple.pkpass');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="apple-${card.cardNumber}.pkpass"`);
    dir = unzipPass(Buffer.from(await res.arrayBuffer()));
    pass = JSON.parse(readFileSync(path.join(dir, 'pass.json'), 'utf8'));
    authToken = pass.authenticationToken;
  });

  it('lists every file in the manifest with its SHA-1', () => {
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    const files = listFiles(dir)
      .filter((f) => f !== 'manifest.json' && f !== 'signature')
      .sort();
    expect(Object.keys(manifest).sort()).toEqual(files);
    for (const f of files)
      expect(manifest[f]).toBe(
        createHash('sha1')
          .update(readFileSync(path.join(dir, f)))
          .digest('hex'),
      );
    expect(files).toEqual(
      expect.arrayContaining(['icon.png', 'icon@2x.png', 'icon@3x.png', 'logo.png', 'strip@3x.png', 'en.lproj/pass.strings', 'ru.lproj/pass.strings']),
    );
  });

  it('carries a signature that openssl verifies against the root', () => {
    const verify = spawnSync(
      'openssl',
      [
        'cms',
        '-verify',
        '-inform',
        'DER',
        '-in',
        'signature',
        '-content',
        'manifest.json',
        '-CAfile',
        rootPem,
        '-purpose',
        'any',
        '-binary',
        '-out',
        '/dev/null',
      ],
      { cwd: dir },
    );
    expect(verify.stderr.toString()).toContain('Verification successful');
    expect(verify.status).toBe(0);
  });

  it('shows balance, tier, name, number, barcode, and message and stores on the back', () => {
    expect(pass).toMatchObject({
      formatVersion: 1,
      passTypeIdentifier: PASS_TYPE_ID,
      teamIdentifier: TEAM_ID,
      serialNumber: card.serialNumber,
      webServiceURL: 'http://127.0.0.1:3999/wallet/apple',
      organizationName: 'Apple Test',
    });
    expect(authToken.length).toBeGreaterThanOrEqual(32);
    const fields = Object.fromEntries(
      ['headerFields', 'primaryFields', 'secondaryFields', 'auxiliaryFields', 'backFields'].flatMap((s) => pass.storeCard[s]).map((f: any) => [f.key, f]),
    );
    // The first version announces nothing: a pass version carries the changeMessage of the one field
    // its change was for (test/apple-delivery.test.ts), and a new pass has no change to announce.
    expect(fields.balance.changeMessage).toBeUndefined();
    expect(fields.balance).toMatchObject({ value: 100, numberStyle: 'PKNumberStyleDecimal' });
    expect(fields.tier.value).toBe('Member');
    expect(fields.name.value).toBe('Anna');
    expect(fields.number.value).toBe(card.cardNumber);
    expect(fields.message.changeMessage).toBeUndefined();
    expect(fields.terms.value).toBe('Be nice.');
    expect(pass.barcodes[0]).toEqual({ format: 'PKBarcodeFormatQR', message: card.cardNumber, messageEncoding: 'iso-8859-1', altText: card.cardNumber });
    const strings = readFileSync(path.join(dir, 'ru.lproj/pass.strings')).toString('utf16le');
    expect(strings).toContain('"balance_change" = "Баланс: %@";');
  });

  it('carries the 10 stores nearest the home store, never more', () => {
    expect(pass.locations).toHaveLength(10);
    expect(pass.beacons).toHaveLength(10);
    // Home is store 11 (the northernmost): stores 0 and 1 are the farthest and left out.
    expect(pass.locations[0]).toEqual({ latitude: 56.1, longitude: 37, relevantText: 'Near store 11' });
    expect(pass.locations.map((l: any) => l.relevantText)).not.toContain('Near store 0');
    expect(pass.beacons[0]).toMatchObject({ major: 11 });
  });

  it('404 for an unknown download link', async () => {
    expect((await fetch(`${svc.url}/wallet/apple/download/${'x'.repeat(32)}`)).status).toBe(404);
  });
});

describe('the device conversation', () => {
  const registration = (_token = authToken, serial = card.serialNumber, device = DEVICE) =>
    `${ws(`/devices/${device}/registrations/${PASS_TYPE_ID}/${serial}`)}`;
  let tag: string;
  let lastModified: string;

  it('registers a device (201), and again with a new push token (200)', async () => {
    const first = await fetch(registration(), {
      method: 'POST',
      headers: { ...applePass(authToken), 'content-type': 'application/json' },
      body: JSON.stringify({ pushToken: 'bb'.repeat(32) }),
    });
    expect(first.status).toBe(201);
    const again = await fetch(registration(), {
      method: 'POST',
      headers: { ...applePass(authToken), 'content-type': 'application/json' },
      body: JSON.stringify({ pushToken: PUSH_TOKEN }),
    });
    expect(again.status).toBe(200);
    const device = await svc.services.db.selectFrom('apple_devices').select('push_token').where('device_library_id', '=', DEVICE).executeTakeFirstOrThrow();
    expect(device.push_token).toBe(PUSH_TOKEN);
  });

  it('401 for a wrong token, another card’s token, a missing header, an unknown serial', async () => {
    const other = await enrol(svc, { program: 'apple', name: 'Boris', phone: '+79160000001' });
    const otherPass = unzipPass(Buffer.from(await (await fetch(other.links.apple.replace('http://127.0.0.1:3999', svc.url))).arrayBuffer()));
    const otherToken = JSON.parse(readFileSync(path.join(otherPass, 'pass.json'), 'utf8')).authenticationToken;
    const body = JSON.stringify({ pushToken: PUSH_TOKEN });
    const post = (headers: Record<string, string>, url = registration()) =>
      fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });
    expect((await post(applePass('x'.repeat(43)))).status).toBe(401);
    expect((await post(applePass(otherToken))).status).toBe(401);
    expect((await post({})).status).toBe(401);
    expect((await post({ authorization: `Bearer ${authToken}` })).status).toBe(401);
    expect((await post(applePass(authToken), registration(authToken, randomUUID()))).status).toBe(401);
    expect((await fetch(`${ws(`/passes/${PASS_TYPE_ID}/${card.serialNumber}`)}`, { headers: applePass(otherToken) })).status).toBe(401);
    expect((await fetch(`${ws(`/passes/${PASS_TYPE_ID}/${randomUUID()}`)}`, { headers: applePass(authToken) })).status).toBe(401);
  });

  it('lists the device’s serials with a string tag, 204 when nothing changed since', async () => {
    const all = await fetch(ws(`/devices/${DEVICE}/registrations/${PASS_TYPE_ID}`));
    expect(all.status).toBe(200);
    const body = (await all.json()) as any;
    expect(body.serialNumbers).toEqual([card.serialNumber]);
    expect(body.lastUpdated).toMatch(/^x\d+$/);
    tag = body.lastUpdated;
    expect((await fetch(ws(`/devices/${DEVICE}/registrations/${PASS_TYPE_ID}?passesUpdatedSince=${tag}`))).status).toBe(204);
    expect((await fetch(ws(`/devices/unknown-device/registrations/${PASS_TYPE_ID}`))).status).toBe(204);
  });

  it('serves the pass with Last-Modified, 304 when unchanged, and answers HEAD', async () => {
    const res = await fetch(ws(`/passes/${PASS_TYPE_ID}/${card.serialNumber}`), { headers: applePass(authToken) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.apple.pkpass');
    lastModified = res.headers.get('last-modified')!;
    expect(new Date(lastModified).getTime()).toBeLessThanOrEqual(Date.now());
    const unchanged = await fetch(ws(`/passes/${PASS_TYPE_ID}/${card.serialNumber}`), {
      headers: { ...applePass(authToken), 'if-modified-since': lastModified },
    });
    expect(unchanged.status).toBe(304);
    const head = await fetch(ws(`/passes/${PASS_TYPE_ID}/${card.serialNumber}`), { method: 'HEAD', headers: applePass(authToken) });
    expect(head.status).toBe(200);
    expect(head.headers.get('last-modified')).toBe(lastModified);
  });

  it('pushes {} to APNs when the balance changes, then serves the new pass', async () => {
    const before = apns.requests.length;
    const result = await purchase(250);
    expect(result.balance).toBe(125);
    await apns.waitFor((r) => r.length > before, 10_000);
    const push = apns.requests.at(-1)!;
    expect(push.method).toBe('POST');
    expect(push.path).toBe(`/3/device/${PUSH_TOKEN}`);
    expect(push.headers['apns-topic']).toBe(PASS_TYPE_ID);
    expect(push.body).toBe('{}');
    expect(push.clientCertSubject).toContain(`Pass Type ID: ${PASS_TYPE_ID}`);

    const listed = await fetch(ws(`/devices/${DEVICE}/registrations/${PASS_TYPE_ID}?passesUpdatedSince=${tag}`));
    expect(listed.status).toBe(200);
    const body = (await listed.json()) as any;
    expect(body.serialNumbers).toEqual([card.serialNumber]);
    // Tags are snapshot horizons ("x<xmin>"): the next one is past the change just seen.
    expect(BigInt(body.lastUpdated.slice(1))).toBeGreaterThan(BigInt(tag.slice(1)));

    const updated = await fetch(ws(`/passes/${PASS_TYPE_ID}/${card.serialNumber}`), {
      headers: { ...applePass(authToken), 'if-modified-since': lastModified },
    });
    expect(updated.status).toBe(200);
    expect(new Date(updated.headers.get('last-modified')!).getTime()).toBeGreaterThan(new Date(lastModified).getTime());
    const pass = JSON.parse(readFileSync(path.join(unzipPass(Buffer.from(await updated.arrayBuffer())), 'pass.json'), 'utf8'));
    expect(pass.storeCard.primaryFields[0].value).toBe(125);
    expect(pass.authenticationToken).toBe(authToken); // never changes in an update
  });

  it('puts a marketer’s message on the card and pushes it', async () => {
    const before = apns.requests.length;
    const res = await svc.api('POST', `/api/v1/cards/${card.cardNumber}/message`, { text: 'Autumn sale: −20% this weekend' });
    expect(res.status).toBe(202);
    await apns.waitFor((r) => r.length > before, 10_000);
    const fetched = await fetch(ws(`/passes/${PASS_TYPE_ID}/${card.serialNumber}`), { headers: applePass(authToken) });
    const pass = JSON.parse(readFileSync(path.join(unzipPass(Buffer.from(await fetched.arrayBuffer())), 'pass.json'), 'utf8'));
    expect(pass.storeCard.backFields.find((f: any) => f.key === 'message')).toMatchObject({ value: 'Autumn sale: −20% this weekend', changeMessage: '%@' });
    expect((await svc.api('POST', `/api/v1/cards/${card.cardNumber}/message`, { text: '' })).status).toBe(400);
  });

  it('accepts Wallet’s log messages', async () => {
    const res = await fetch(ws('/log'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ logs: ['something went wrong'] }),
    });
    expect(res.status).toBe(200);
  });

  it('unregisters the device', async () => {
    const res = await fetch(registration(), { method: 'DELETE', headers: applePass(authToken) });
    expect(res.status).toBe(200);
    expect((await fetch(ws(`/devices/${DEVICE}/registrations/${PASS_TYPE_ID}`))).status).toBe(204);
    expect(
      (await fetch(registration('wrong-token-wrong-token-wrong-token'), { method: 'DELETE', headers: applePass('wrong-token-wrong-token-wrong-token') }))
        .status,
    ).toBe(401);
  });
});

describe('APNs answers', () => {
  async function registerDevice(device: string, pushToken: string) {
    const res = await fetch(`${ws(`/devices/${device}/registrations/${PASS_TYPE_ID}/${card.serialNumber}`)}`, {
      method: 'POST',
      headers: { ...applePass(authToken), 'content-type': 'application/json' },
      body: JSON.stringify({ pushToken }),
    });
    expect(res.status).toBe(201);
  }
  const registered = async (device: string) =>
    (await svc.services.db.selectFrom('apple_registrations').select('card_id').where('device_library_id', '=', device).execute()).length;

  it('410 Unregistered removes the registration', async () => {
    const token = 'cc'.repeat(32);
    await registerDevice('device410', token);
    apns.respondFor(token, [{ status: 410, reason: 'Unregistered' }]);
    await purchase(10);
    await apns.waitFor((r) => r.some((x) => x.token === token), 10_000);
    await waitUntil(async () => (await registered('device410')) === 0);
  });

  it('400 BadDeviceToken is pushed again a minute later, and only then removes the registration', async () => {
    const token = 'dd'.repeat(32);
    await registerDevice('device400', token);
    await registerDevice('device-healthy', 'd0'.repeat(32)); // another phone, which APNs delivers to
    apns.respondFor(token, [
      { status: 400, reason: 'BadDeviceToken' },
      { status: 400, reason: 'BadDeviceToken' },
    ]);
    await purchase(10);
    const recheck = () => svc.services.db.selectFrom('jobs').selectAll().where('kind', '=', 'apple.push').where('dedupe_key', '=', token).executeTakeFirst();
    await waitUntil(async () => (await recheck()) !== undefined);
    expect((await recheck())!.run_at.getTime() - Date.now()).toBeGreaterThan(50_000);
    expect(await registered('device400')).toBe(1);
    await apns.waitFor((r) => r.filter((x) => x.token === 'd0'.repeat(32)).length >= 1, 10_000);
    // A minute later (made due now) APNs still says so while it delivers the other pushes: gone.
    await svc.services.db.updateTable('jobs').set({ run_at: new Date() }).where('kind', '=', 'apple.push').where('dedupe_key', '=', token).execute();
    await waitUntil(async () => (await registered('device400')) === 0);
    expect(apns.requests.filter((r) => r.token === token)).toHaveLength(2);
  });

  it('429 is retried with back-off until delivered, and the registration stays', async () => {
    const token = 'ee'.repeat(32);
    await registerDevice('device429', token);
    apns.respondFor(token, [
      { status: 429, reason: 'TooManyRequests' },
      { status: 503, reason: 'ServiceUnavailable' },
    ]);
    await purchase(10);
    await apns.waitFor((r) => r.filter((x) => x.token === token).length >= 3, 20_000);
    expect(await registered('device429')).toBe(1);
    await waitUntil(async () => (await svc.services.db.selectFrom('jobs').select('id').where('kind', '=', 'apple.push').execute()).length === 0);
  });
});

describe('back-in-stock on the back of the pass', () => {
  const passJson = async () => {
    const res = await fetch(card.links.apple.replace('http://127.0.0.1:3999', svc.url));
    return JSON.parse(readFileSync(path.join(unzipPass(Buffer.from(await res.arrayBuffer())), 'pass.json'), 'utf8'));
  };

  it('lists what the customer waits for with an unsubscribe link, and drops it after unsubscribing', async () => {
    const sub = await svc.api('POST', '/api/v1/restock-subscriptions', { cardNumber: card.cardNumber, sku: 'COAT-1', size: 'M', title: 'Wool coat' });
    expect(sub.status).toBe(201);
    const token = sub.body.unsubscribeUrl.split('/').at(-1);
    const field = (await passJson()).storeCard.backFields.find((f: any) => f.key === 'restock');
    expect(field.value).toBe(`Wool coat (M): http://127.0.0.1:3999/restock/unsubscribe/${token}`);
    expect(field.attributedValue).toContain(`<a href="http://127.0.0.1:3999/restock/unsubscribe/${token}">`);
    const unsubscribed = await fetch(`${svc.url}/restock/unsubscribe/${token}`, { method: 'POST' });
    expect(unsubscribed.status).toBe(200);
    expect((await passJson()).storeCard.backFields.some((f: any) => f.key === 'restock')).toBe(false);
  });
});

describe('geo messages', () => {
  it('a store’s new relevant text reaches the cards that carry it, silently', async () => {
    const reg = await fetch(`${ws(`/devices/geo-device/registrations/${PASS_TYPE_ID}/${card.serialNumber}`)}`, {
      method: 'POST',
      headers: { ...applePass(authToken), 'content-type': 'application/json' },
      body: JSON.stringify({ pushToken: 'ab'.repeat(32) }),
    });
    expect(reg.status).toBe(201);
    const before = await fetch(card.links.apple.replace('http://127.0.0.1:3999', svc.url));
    const oldPass = JSON.parse(readFileSync(path.join(unzipPass(Buffer.from(await before.arrayBuffer())), 'pass.json'), 'utf8'));
    const stores = (await svc.api('GET', '/api/v1/stores?program=apple')).body.items;
    const pushes = apns.requests.length;
    const res = await svc.api('PATCH', `/api/v1/stores/${stores[11].id}`, { relevantText: 'Autumn collection is in: drop by' });
    expect(res.status).toBe(200);
    await apns.waitFor((r) => r.slice(pushes).some((x) => x.token === 'ab'.repeat(32)), 10_000);
    const after = await fetch(card.links.apple.replace('http://127.0.0.1:3999', svc.url));
    const pass = JSON.parse(readFileSync(path.join(unzipPass(Buffer.from(await after.arrayBuffer())), 'pass.json'), 'utf8'));
    expect(pass.locations[0].relevantText).toBe('Autumn collection is in: drop by');
    // Nothing with a changeMessage changed, so the phone updates without a lock-screen message.
    const shown = (p: any) =>
      ['primaryFields', 'backFields']
        .flatMap((s) => p.storeCard[s])
        .filter((f: any) => f.changeMessage)
        .map((f: any) => [f.key, f.value]);
    expect(shown(pass)).toEqual(shown(oldPass));
  });
});

describe('pass cache', () => {
  it('keeps one copy of the template images for all cached passes', async () => {
    const passes = svc.services.apple!.passes;
    const cards = await svc.services.db.selectFrom('cards').selectAll().where('status', '=', 'active').limit(2).execute();
    const [a, b] = await Promise.all(cards.map((c) => passes.passFor(c)));
    expect(a!.parts[0]).toBe(b!.parts[0]); // the same Buffer, not a copy
    expect(a!.parts[0]!.length).toBeGreaterThan(400_000);
    expect(a!.size - a!.parts[0]!.length).toBeLessThan(20_000); // what each cached pass adds
  });
});
