import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardRow, countRows, createProgramWithStores, enrolRequest, issueKey } from './support/fixtures.js';
import { ADMIN_KEY, startTestService, type TestService } from './support/test-service.js';
import { isValidCardNumber } from '../src/loyalty/cards/card-number.js';

let svc: TestService;
let stores: any[];

beforeAll(async () => {
  svc = await startTestService();
  ({ stores } = await createProgramWithStores(svc));
});
afterAll(() => svc?.stop());

const enrol = (phone: string, extra: Record<string, unknown> = {}, key?: string) =>
  enrolRequest(svc, { phone, birthday: '1990-04-12', marketing: true, extra, key });

describe('health and documents', () => {
  it('reports database status', async () => {
    const res = await svc.api('GET', '/healthz', undefined, null);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: 'ok',
      database: { kind: process.env.DATABASE_URL ? 'postgres' : 'pglite', status: 'ok' },
      // Apple Wallet is on with the development chain: its signing and push health.
      wallets: {
        apple: { healthy: true, certificateDaysLeft: expect.any(Number), wwdrDaysLeft: expect.any(Number), apns: { state: 'ok', failedPushesLastHour: 0 } },
      },
    });
  });

  it('serves an OpenAPI document whose schemas come from the validators', async () => {
    const res = await svc.api('GET', '/openapi.json', undefined, null);
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/api/v1/cards', '/api/v1/programs/{slug}', '/api/v1/customers/{id}']));
    expect(res.body.components.schemas.Enrolment.required).toEqual(expect.arrayContaining(['program', 'customer', 'consent']));
  });

  it('answers an unknown route with a JSON 404', async () => {
    const res = await svc.api('GET', '/api/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.detail).toContain('/api/v1/nothing-here');
  });
});

describe('programs', () => {
  it('applies defaults for everything but slug and name', async () => {
    const res = await svc.api('POST', '/api/v1/programs', { slug: 'minimal', name: 'Minimal' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      slug: 'minimal',
      currency: 'RUB',
      earnPercent: 10,
      maxRedeemPercent: 30,
      welcomeBonus: 0,
      tiers: [{ name: 'Member', minSpend: '0.00', earnPercent: 10 }],
      pointsExpireAfterMonths: null,
      timezone: 'UTC',
      barcodeFormat: 'QR',
    });
  });

  it('stores tiers in minor units and returns them sorted', async () => {
    const res = await svc.api('GET', '/api/v1/programs/acme');
    expect(res.status).toBe(200);
    expect(res.body.tiers).toEqual([
      { name: 'Silver', minSpend: '0.00', earnPercent: 10 },
      { name: 'Gold', minSpend: '1000.00', earnPercent: 15 },
    ]);
  });

  it('rejects a duplicate slug with 409', async () => {
    const res = await svc.api('POST', '/api/v1/programs', { slug: 'acme', name: 'Again' });
    expect(res.status).toBe(409);
  });

  it('names every bad field and creates nothing', async () => {
    const res = await svc.api('POST', '/api/v1/programs', { slug: 'Bad Slug', name: '', earnPercent: 150, currency: 'XXQ', timezone: 'Mars/Base' });
    expect(res.status).toBe(400);
    const fields = res.body.errors.map((e: any) => e.field).sort();
    expect(fields).toEqual(['currency', 'earnPercent', 'name', 'slug', 'timezone']);
    expect((await svc.api('GET', '/api/v1/programs/Bad Slug')).status).toBe(404);
  });

  it('rejects tiers without a starting tier and amounts with too many decimals', async () => {
    const noBase = await svc.api('POST', '/api/v1/programs', { slug: 'tiers1', name: 'T', tiers: [{ name: 'Gold', minSpend: 100, earnPercent: 5 }] });
    expect(noBase.status).toBe(400);
    expect(noBase.body.errors[0].field).toBe('tiers');
    const decimals = await svc.api('POST', '/api/v1/programs', { slug: 'tiers2', name: 'T', tiers: [{ name: 'A', minSpend: '0.001', earnPercent: 5 }] });
    expect(decimals.status).toBe(400);
    expect(decimals.body.errors[0].field).toBe('tiers.0.minSpend');
    expect((await svc.api('GET', '/api/v1/programs/tiers1')).status).toBe(404);
  });

  it('patches only the given fields', async () => {
    const res = await svc.api('PATCH', '/api/v1/programs/minimal', { welcomeBonus: 200, terms: 'New terms' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ welcomeBonus: 200, terms: 'New terms', earnPercent: 10, name: 'Minimal' });
    expect((await svc.api('PATCH', '/api/v1/programs/minimal', { slug: 'renamed' })).status).toBe(400);
    expect((await svc.api('PATCH', '/api/v1/programs/nope', { name: 'x' })).status).toBe(404);
  });
});

describe('stores', () => {
  it('lists the stores of a program', async () => {
    const res = await svc.api('GET', '/api/v1/stores?program=acme');
    expect(res.status).toBe(200);
    expect(res.body.items.map((s: any) => s.name)).toEqual(['North', 'South', 'East']);
  });

  it('validates coordinates and beacons', async () => {
    const res = await svc.api('POST', '/api/v1/stores', {
      program: 'acme',
      name: 'Bad',
      latitude: 91,
      longitude: 37,
      beacons: [{ proximityUUID: 'not-a-uuid', major: 70000 }],
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: any) => e.field).sort()).toEqual(['beacons.0.major', 'beacons.0.proximityUUID', 'latitude']);
    const unknownProgram = await svc.api('POST', '/api/v1/stores', { program: 'ghost', name: 'X', latitude: 1, longitude: 1 });
    expect(unknownProgram.status).toBe(400);
    expect(unknownProgram.body.errors[0].field).toBe('program');
  });
});

describe('auth and roles', () => {
  it('401 without a key, with a malformed header, or with an unknown key', async () => {
    expect((await svc.api('GET', '/api/v1/programs/acme', undefined, null)).status).toBe(401);
    expect((await fetch(svc.url + '/api/v1/programs/acme', { headers: { authorization: `Basic ${ADMIN_KEY}` } })).status).toBe(401);
    expect((await svc.api('GET', '/api/v1/programs/acme', undefined, 'wlk_unknown')).status).toBe(401);
  });

  it('issues keys once, stores them hashed, and enforces roles', async () => {
    const marketer = await svc.api('POST', '/api/v1/api-keys', { name: 'CRM', role: 'marketer' });
    expect(marketer.status).toBe(201);
    expect(marketer.body.key).toMatch(/^wlk_[A-Za-z0-9_-]{43}$/);
    const listed = await svc.api('GET', '/api/v1/api-keys');
    expect(JSON.stringify(listed.body)).not.toContain(marketer.body.key);
    const row = await svc.services.db.selectFrom('api_keys').select('key_hash').where('id', '=', marketer.body.id).executeTakeFirstOrThrow();
    expect(row.key_hash).not.toContain(marketer.body.key);

    const key = marketer.body.key as string;
    expect((await svc.api('GET', '/api/v1/programs/acme', undefined, key)).status).toBe(200);
    const forbidden = await svc.api('POST', '/api/v1/programs', { slug: 'm', name: 'M' }, key);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.detail).toContain('admin');
    expect((await svc.api('POST', '/api/v1/api-keys', { name: 'x', role: 'admin' }, key)).status).toBe(403);

    expect((await svc.api('DELETE', `/api/v1/api-keys/${marketer.body.id}`)).status).toBe(204);
    expect((await svc.api('GET', '/api/v1/programs/acme', undefined, key)).status).toBe(401);
  });

  it('binds a pos key to one store', async () => {
    const missing = await svc.api('POST', '/api/v1/api-keys', { name: 'Till', role: 'pos' });
    expect(missing.status).toBe(400);
    expect(missing.body.errors[0].field).toBe('storeId');
    const pos = await svc.api('POST', '/api/v1/api-keys', { name: 'Till 1', role: 'pos', storeId: stores[1].id });
    expect(pos.status).toBe(201);
    expect((await svc.api('GET', '/api/v1/programs/acme', undefined, pos.body.key)).status).toBe(403);
    const card = await enrol('+79160000077', {}, pos.body.key);
    expect(card.status).toBe(201);
    const seen = await svc.api('GET', `/api/v1/cards/${card.body.cardNumber}`);
    expect(seen.body.customer.homeStoreId).toBe(stores[1].id);
  });
});

describe('enrolment', () => {
  it('issues a card with a Luhn-checked number, a serial and a barcode', async () => {
    const res = await enrol('+7 916 123-45-67');
    expect(res.status).toBe(201);
    expect(isValidCardNumber(res.body.cardNumber)).toBe(true);
    expect(res.body).toMatchObject({ barcode: res.body.cardNumber, tier: 'Silver', status: 'active', created: true });
    expect(res.body.serialNumber).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.links.apple).toMatch(/\/wallet\/apple\/download\/[A-Za-z0-9_-]{32}$/);
    expect(res.body.links.google).toBeNull(); // Google Wallet is not configured here
    expect(res.body.links.page).toBe(`${svc.url}/c/${res.body.links.apple.split('/').at(-1)}`);
    const got = await svc.api('GET', `/api/v1/cards/${res.body.cardNumber}`);
    expect(got.body.customer).toMatchObject({ name: 'Anna', phone: '+79161234567', birthday: '1990-04-12', marketingConsent: true });
  });

  it('returns the existing card for the same phone however it is written', async () => {
    const first = await enrol('+79031112233');
    const again = await enrol('8 (903) 111-22-33');
    expect(again.status).toBe(200);
    expect(again.body.created).toBe(false);
    expect(again.body.cardNumber).toBe(first.body.cardNumber);
  });

  it('gives one card to concurrent enrolments of one phone', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => enrol('+79055550001')));
    expect(new Set(results.map((r) => r.body.cardNumber)).size).toBe(1);
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    const count = await svc.services.db
      .selectFrom('customers')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('phone', '=', '+79055550001')
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
  });

  it('records consents with time and source', async () => {
    const res = await enrol('+79057770000', { consent: { personalData: true, marketing: false }, source: 'qr' });
    const consents = await svc.services.db.selectFrom('consents').selectAll().where('customer_id', '=', res.body.customerId).orderBy('id').execute();
    expect(consents.map((c) => [c.kind, c.granted, c.source])).toEqual([
      ['personal_data', true, 'qr'],
      ['marketing', false, 'qr'],
    ]);
    expect(consents[0]!.recorded_at).toBeInstanceOf(Date);
  });

  it('refuses bad input with field names and writes nothing', async () => {
    const before = await countRows(svc, 'customers');
    const bad = await svc.api('POST', '/api/v1/cards', {
      program: 'acme',
      customer: { name: '', phone: 'abc', birthday: '2999-01-01', email: 'nope' },
      consent: { personalData: false },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => e.field).sort()).toEqual([
      'consent.personalData',
      'customer.birthday',
      'customer.email',
      'customer.name',
      'customer.phone',
    ]);
    const badPhone = await enrol('+7 123');
    expect(badPhone.status).toBe(400);
    expect(badPhone.body.errors[0].field).toBe('customer.phone');
    const badStore = await enrol('+79161110000', { homeStoreId: '00000000-0000-4000-8000-000000000000' });
    expect(badStore.body.errors[0].field).toBe('homeStoreId');
    expect(await countRows(svc, 'customers')).toBe(before);
  });

  it('refuses malformed JSON and bodies over 100 KB', async () => {
    const malformed = await fetch(svc.url + '/api/v1/cards', {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: '{"program":',
    });
    expect(malformed.status).toBe(400);
    const big = await svc.api('POST', '/api/v1/cards', { program: 'acme', padding: 'x'.repeat(110_000) });
    expect(big.status).toBe(413);
    expect(big.body.title).toBe('Request body too large');
  });

  it('404 for an unknown card number', async () => {
    expect((await svc.api('GET', '/api/v1/cards/000000000000')).status).toBe(404);
    expect((await svc.api('GET', '/api/v1/cards/not-a-number')).status).toBe(404);
  });
});

describe('erasure', () => {
  it('removes personal data, voids the card and keeps it addressable', async () => {
    const card = await enrol('+79260001122');
    const before = await cardRow(svc, card.body.cardNumber);
    const res = await svc.api('DELETE', `/api/v1/customers/${card.body.customerId}`);
    expect(res.status).toBe(204);
    const after = await svc.api('GET', `/api/v1/cards/${card.body.cardNumber}`);
    expect(after.body.status).toBe('voided');
    expect(after.body.customer).toMatchObject({ name: null, phone: null, email: null, birthday: null, marketingConsent: false });
    expect(after.body.customer.erasedAt).not.toBeNull();
    const row = await cardRow(svc, card.body.cardNumber);
    expect(row.pass_version).toBeGreaterThan(before.pass_version); // the voided pass reaches the wallets
    // Erasing twice is fine; the phone can enrol again as a new customer.
    expect((await svc.api('DELETE', `/api/v1/customers/${card.body.customerId}`)).status).toBe(204);
    const again = await enrol('+79260001122');
    expect(again.status).toBe(201);
    expect(again.body.cardNumber).not.toBe(card.body.cardNumber);
  });

  it('404 for an unknown customer, 400 for a malformed id, 403 for a marketer', async () => {
    expect((await svc.api('DELETE', '/api/v1/customers/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await svc.api('DELETE', '/api/v1/customers/xyz')).status).toBe(400);
    const marketer = await issueKey(svc, 'marketer');
    expect((await svc.api('DELETE', '/api/v1/customers/00000000-0000-4000-8000-000000000000', undefined, marketer)).status).toBe(403);
  });
});
