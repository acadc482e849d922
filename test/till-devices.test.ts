import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, enrol } from './support/fixtures.js';
import { startTestService, type TestService } from './support/test-service.js';

let svc: TestService;
let stores: { id: string }[];
let card: { barcode: string; cardNumber: string };
const PASSWORD = 'a long enough password';

beforeAll(async () => {
  svc = await startTestService();
  expect((await svc.api('POST', '/api/v1/programs', { slug: 'cafe', name: 'Cafe' })).status).toBe(201);
  stores = [
    await createStore(svc, 'cafe', { name: 'Arbat', latitude: 55, longitude: 37 }),
    await createStore(svc, 'cafe', { name: 'Tverskaya', latitude: 55.1, longitude: 37 }),
  ];
  card = await enrol(svc, { program: 'cafe', name: 'Guest' });
});
afterAll(() => svc?.stop());

const origin = () => new URL(svc.url).origin;
/** Invites a person, sets their password through the link and signs them in: their session cookie and id. */
async function person(email: string, role: string, storeId?: string) {
  const invited = await svc.api('POST', '/api/v1/staff', { email, name: email.split('@')[0], role, ...(storeId && { storeId }) });
  expect(invited.status).toBe(201);
  const post = (path: string, fields: Record<string, string>) =>
    fetch(svc.url + path, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: origin() },
      body: new URLSearchParams(fields),
    });
  expect((await post(new URL(invited.body.invitation.url).pathname, { password: PASSWORD, repeat: PASSWORD })).status).toBe(303);
  const signedIn = await post('/login', { email, password: PASSWORD });
  return { id: invited.body.staff.id as string, cookie: /wl_session=[^;]+/.exec(signedIn.headers.get('set-cookie') ?? '')![0] };
}
const asCookie = (cookie: string, method: string, path: string, body?: unknown) =>
  fetch(svc.url + '/api/v1' + path, {
    method,
    headers: { cookie, origin: origin(), ...(body !== undefined && { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, body: (r.status === 204 ? undefined : await r.json()) as any }));
const asBearer = (token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  svc.api(method, '/api/v1' + path, body, token, headers);

describe('till devices', () => {
  let manager: { id: string; cookie: string };
  let cashier: { id: string; cookie: string };
  let device: string;
  let deviceId: string;

  it('a store manager pairs a device with their own store only', async () => {
    manager = await person('manager@cafe.example', 'store_manager', stores[0]!.id);
    cashier = await person('kate@cafe.example', 'cashier', stores[0]!.id);
    expect((await asCookie(manager.cookie, 'POST', '/till-devices', { storeId: stores[1]!.id, name: 'Other' })).status).toBe(403);
    expect((await asCookie(cashier.cookie, 'POST', '/till-devices', { storeId: stores[0]!.id, name: 'Mine' })).status).toBe(403);
    const pos = await svc.api('POST', '/api/v1/api-keys', { name: 'till key', role: 'pos', storeId: stores[0]!.id });
    expect((await asBearer(pos.body.key, 'POST', '/till-devices', { storeId: stores[0]!.id, name: 'By key' })).status).toBe(403);
    const paired = await asCookie(manager.cookie, 'POST', '/till-devices', { storeId: stores[0]!.id, name: 'Counter tablet' });
    expect(paired.status).toBe(201);
    device = paired.body.token;
    deviceId = paired.body.device.id;
    expect(device).toMatch(/^wld_/);
    const listed = await asCookie(manager.cookie, 'GET', `/till-devices?storeId=${stores[0]!.id}`);
    expect(listed.body.items.map((d: any) => d.name)).toEqual(['Counter tablet']);
    expect(JSON.stringify(listed.body)).not.toContain(device);
  });

  it('the device alone lists the cashiers who set a PIN, and can do nothing else', async () => {
    expect((await asBearer(device, 'GET', '/till/cashiers')).body.items).toEqual([]);
    expect((await asCookie(cashier.cookie, 'POST', '/staff/me/pin', { pin: '12' })).status).toBe(400);
    expect((await asCookie(cashier.cookie, 'POST', '/staff/me/pin', { pin: '4821' })).status).toBe(204);
    // A key has no PIN.
    expect((await svc.api('POST', '/api/v1/staff/me/pin', { pin: '4821' })).status).toBe(403);
    expect((await asBearer(device, 'GET', '/till/cashiers')).body.items).toEqual([{ id: cashier.id, name: 'kate', role: 'cashier' }]);
    expect((await asBearer(device, 'GET', `/pos/cards/${card.barcode}`)).status).toBe(403);
    expect((await asBearer(device, 'GET', `/cards/${card.cardNumber}`)).status).toBe(403);
  });

  it('a cashier switches in by PIN, and every till operation is theirs in the audit log', async () => {
    expect((await asBearer(device, 'POST', '/till/switch-in', { staffId: cashier.id, pin: '0000' })).status).toBe(401);
    expect((await asBearer(device, 'POST', '/till/switch-in', { staffId: manager.id, pin: '4821' })).status).toBe(401); // no PIN set
    const session = await asBearer(device, 'POST', '/till/switch-in', { staffId: cashier.id, pin: '4821' });
    expect(session.status).toBe(201);
    const sale = await asBearer(
      session.body.token,
      'POST',
      '/pos/purchases',
      { barcode: card.barcode, receiptId: randomUUID(), amount: 700 },
      { 'idempotency-key': randomUUID() },
    );
    expect(sale.status).toBe(201);
    const log = (await svc.api('GET', '/api/v1/audit-log?action=tillPurchase')).body.items;
    expect(log[0].actor).toMatchObject({ kind: 'staff', id: `staff:${cashier.id}`, name: 'kate', role: 'pos' });
    const switched = (await svc.api('GET', '/api/v1/audit-log?action=staff.switchIn')).body.items;
    expect(switched[0].target).toEqual([{ staff: cashier.id }, { tillDevice: deviceId }]);

    // Five wrong PINs rest the cashier, even for the right one.
    for (let i = 0; i < 5; i++) expect((await asBearer(device, 'POST', '/till/switch-in', { staffId: cashier.id, pin: '1111' })).status).toBe(401);
    expect((await asBearer(device, 'POST', '/till/switch-in', { staffId: cashier.id, pin: '4821' })).status).toBe(401);
    await svc.services.db.updateTable('staff').set({ pin_locked_until: null }).where('id', '=', cashier.id).execute();

    // Revoking the device: it stops, and the cashier's session on it ends at once.
    expect((await asCookie(manager.cookie, 'DELETE', `/till-devices/${deviceId}`)).status).toBe(204);
    expect((await asBearer(device, 'GET', '/till/cashiers')).status).toBe(401);
    expect((await asBearer(session.body.token, 'GET', `/pos/cards/${card.barcode}`)).status).toBe(401);
  });

  it('the store manager revokes a cashier of their store at once, ending their till session on any device', async () => {
    const paired = await asCookie(manager.cookie, 'POST', '/till-devices', { storeId: stores[0]!.id, name: 'Second' });
    const session = await asBearer(paired.body.token, 'POST', '/till/switch-in', { staffId: cashier.id, pin: '4821' });
    expect((await asBearer(session.body.token, 'GET', `/pos/cards/${card.barcode}`)).status).toBe(200);
    // Not another store's cashier, not another manager, not from a till session, not by a cashier.
    const elsewhere = await person('lev@cafe.example', 'cashier', stores[1]!.id);
    const otherManager = await person('boss@cafe.example', 'store_manager', stores[0]!.id);
    expect((await asCookie(manager.cookie, 'DELETE', `/staff/${elsewhere.id}`)).status).toBe(403);
    expect((await asCookie(manager.cookie, 'DELETE', `/staff/${otherManager.id}`)).status).toBe(403);
    expect((await asCookie(cashier.cookie, 'DELETE', `/staff/${cashier.id}`)).status).toBe(403);
    expect((await asBearer(session.body.token, 'DELETE', `/staff/${cashier.id}`)).status).toBe(403);
    expect((await asCookie(manager.cookie, 'DELETE', `/staff/${cashier.id}`)).status).toBe(204);
    expect((await asBearer(session.body.token, 'GET', `/pos/cards/${card.barcode}`)).status).toBe(401);
    expect((await asBearer(paired.body.token, 'GET', '/till/cashiers')).body.items).toEqual([]);
  });
});
