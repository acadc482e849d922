/** Issue 13, abuse: lock-outs under parallel guessing, e-mail probing across brands, the operator's writes in a brand's log. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore } from './support/fixtures.js';
import { startTestService, type TestService } from './support/test-service.js';

let svc: TestService;
let store: { id: string };
const PASSWORD = 'a long enough password';
const origin = () => new URL(svc.url).origin;
const form = (path: string, fields: Record<string, string>) =>
  fetch(svc.url + path, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: origin() },
    body: new URLSearchParams(fields),
  });
async function person(email: string, role: string, storeId?: string, key?: string) {
  const invited = await svc.api('POST', '/api/v1/staff', { email, name: email.split('@')[0], role, ...(storeId && { storeId }) }, key);
  expect(invited.status).toBe(201);
  expect((await form(new URL(invited.body.invitation.url).pathname, { password: PASSWORD, repeat: PASSWORD })).status).toBe(303);
  const signedIn = await form('/login', { email, password: PASSWORD });
  return { id: invited.body.staff.id as string, cookie: /wl_session=[^;]+/.exec(signedIn.headers.get('set-cookie') ?? '')![0] };
}

beforeAll(async () => {
  svc = await startTestService();
  expect((await svc.api('POST', '/api/v1/programs', { slug: 'cafe', name: 'Cafe' })).status).toBe(201);
  store = await createStore(svc, 'cafe', { name: 'Arbat', latitude: 55, longitude: 37 });
  expect((await svc.api('POST', '/api/v1/brands', { slug: 'beta', name: 'Beta' })).status).toBe(201);
});
afterAll(() => svc?.stop());

describe('staff security under attack', () => {
  it('PIN lock-out holds against concurrent wrong PINs', async () => {
    const cashier = await person('pin@cafe.example', 'cashier', store.id);
    const pin = await fetch(svc.url + '/api/v1/staff/me/pin', {
      method: 'POST',
      headers: { cookie: cashier.cookie, origin: origin(), 'content-type': 'application/json' },
      body: JSON.stringify({ pin: '4821' }),
    });
    expect(pin.status).toBe(204);
    const manager = await person('pinmgr@cafe.example', 'store_manager', store.id);
    const paired = await fetch(svc.url + '/api/v1/till-devices', {
      method: 'POST',
      headers: { cookie: manager.cookie, origin: origin(), 'content-type': 'application/json' },
      body: JSON.stringify({ storeId: store.id, name: 'Tablet' }),
    }).then((r) => r.json() as Promise<any>);
    const wrong = Array.from({ length: 30 }, (_, i) => String(1000 + i));
    const answers = await Promise.all(wrong.map((p) => svc.api('POST', '/api/v1/till/switch-in', { staffId: cashier.id, pin: p }, paired.token)));
    // Wrong, or refused for the device's rate (10 a minute): never in.
    expect(answers.every((a) => a.status === 401 || a.status === 429)).toBe(true);
    expect(answers.filter((a) => a.status === 401).length).toBeGreaterThanOrEqual(5);
    // From a second device, the right PIN: the person rests (5 wrong in a row), whatever the parallelism.
    const second = await fetch(svc.url + '/api/v1/till-devices', {
      method: 'POST',
      headers: { cookie: manager.cookie, origin: origin(), 'content-type': 'application/json' },
      body: JSON.stringify({ storeId: store.id, name: 'Tablet 2' }),
    }).then((r) => r.json() as Promise<any>);
    expect((await svc.api('POST', '/api/v1/till/switch-in', { staffId: cashier.id, pin: '4821' }, second.token)).status).toBe(401);
  });

  it('password lock-out holds against concurrent wrong passwords', async () => {
    await person('race@cafe.example', 'marketer');
    const wrong = await Promise.all(Array.from({ length: 10 }, (_, i) => form('/login', { email: 'race@cafe.example', password: `wrong password ${i}` })));
    expect(wrong.map((r) => r.status)).toEqual(Array(10).fill(401));
    expect((await form('/login', { email: 'race@cafe.example', password: PASSWORD })).status).toBe(401);
  });

  it('a brand admin cannot learn which e-mails have accounts in another brand (the same person may work for both)', async () => {
    const betaAdmin = await svc.api('POST', '/api/v1/api-keys', { name: 'beta admin', role: 'admin', brand: 'beta' });
    expect(betaAdmin.status).toBe(201);
    // marketer@… is alpha's staff member (invited above in the default brand).
    const probe = await svc.api('POST', '/api/v1/staff', { email: 'race@cafe.example', name: 'x', role: 'marketer' }, betaAdmin.body.key);
    expect(probe.status).not.toBe(409);
  });

  it("the deployment key's writes inside a brand show in that brand's audit log", async () => {
    const betaAdmin = await svc.api('POST', '/api/v1/api-keys', { name: 'beta admin 2', role: 'admin', brand: 'beta' });
    const issued = await svc.api('POST', '/api/v1/api-keys', { name: 'sneaky', role: 'admin', brand: 'beta' });
    expect(issued.status).toBe(201);
    const log = await svc.api('GET', '/api/v1/audit-log?action=createApiKey', undefined, betaAdmin.body.key);
    expect(log.status).toBe(200);
    expect(log.body.items.some((e: any) => e.target.some((t: any) => t.created === issued.body.id))).toBe(true);
  });
});
