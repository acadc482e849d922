/**
 * The till app's API: its context, today's purchases of its own store only, and the search by part of
 * a phone (first name and last card digits, never the phone, never another program's customers).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createProgramWithStores, enrol, issueKey, signedInStaff, tillPurchase } from './support/fixtures.js';
import { startTestService, type TestService } from './support/test-service.js';
import { startSmsGateway, type SmsGateway } from './support/sms-gateway.js';

let svc: TestService;
let northTill: string;
let southTill: string;
let otherTill: string;
let northStoreId: string;
let sms: SmsGateway;

beforeAll(async () => {
  sms = await startSmsGateway();
  svc = await startTestService(sms.env);
  const { stores } = await createProgramWithStores(svc, 'shop', { welcomeBonus: 0 });
  const other = await createProgramWithStores(svc, 'other', { welcomeBonus: 0 });
  northTill = await issueKey(svc, 'pos', stores[0].id);
  northStoreId = stores[0].id;
  southTill = await issueKey(svc, 'pos', stores[1].id);
  otherTill = await issueKey(svc, 'pos', other.stores[0].id);
});
afterAll(async () => {
  await svc?.stop();
  await sms?.close();
});

it('tells a till its store, program and name', async () => {
  const res = await svc.api('GET', '/api/v1/pos/context', undefined, northTill);
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ store: { name: 'North' }, program: { slug: 'shop', currency: 'RUB', barcodeFormat: 'QR', maxRedeemPercent: 30 } });
  expect((await svc.api('GET', '/api/v1/pos/context')).status).toBe(403); // an admin key is no till
});

it("lists today's purchases of its own store only, with the cashier", async () => {
  const card = await enrol(svc, { program: 'shop' });
  await tillPurchase(svc, northTill, card.barcode, 120);
  await tillPurchase(svc, southTill, card.barcode, 80);
  const north = (await svc.api('GET', '/api/v1/pos/purchases', undefined, northTill)).body.items;
  expect(north).toHaveLength(1);
  expect(north[0]).toMatchObject({ amount: '120.00', refunded: '0.00', cardLast4: card.cardNumber.slice(-4), cashier: expect.stringMatching(/^pos key/) });
  expect((await svc.api('GET', '/api/v1/pos/purchases', undefined, otherTill)).body.items).toEqual([]);
});

it('finds cards by part of a phone within its program, showing no phone', async () => {
  await enrol(svc, { program: 'shop', name: 'Vera Petrova', phone: '+79169876501' });
  await enrol(svc, { program: 'other', name: 'Ivan', phone: '+79169876502' });
  const res = await svc.api('GET', '/api/v1/pos/customers?phone=98765', undefined, northTill);
  expect(res.status).toBe(200);
  expect(res.body.items).toEqual([{ cardNumber: expect.stringMatching(/^\d{12}$/), cardLast4: expect.stringMatching(/^\d{4}$/), firstName: 'Vera' }]);
  expect(JSON.stringify(res.body)).not.toContain('9876501');
  const short = await svc.api('GET', '/api/v1/pos/customers?phone=12', undefined, northTill);
  expect(short.status).toBe(400);
  expect(short.body.errors[0].field).toBe('phone');
  // The typed digits may carry spaces and signs; what is matched is digits.
  expect((await svc.api('GET', `/api/v1/pos/customers?phone=${encodeURIComponent('+7 916 987-65')}`, undefined, northTill)).body.items).toHaveLength(1);
  expect((await svc.api('POST', '/api/v1/pos/purchases', { barcode: 'x', receiptId: randomUUID(), amount: 1 }, northTill, {})).status).toBe(400);
});

it('enrols a customer at the counter with the code texted to their phone, and nothing before it', async () => {
  const start = (body: Record<string, unknown>) => svc.api('POST', '/api/v1/pos/enrolments', body, northTill);
  expect((await start({ name: 'Nina', phone: '+79161230001' })).body.errors[0].field).toBe('personalData');
  expect((await start({ name: 'Nina', phone: '+12025550123', personalData: true })).body.errors[0].field).toBe('phone');
  const started = await start({ name: 'Nina', phone: '+7 916 123-00-01', personalData: true, marketing: true });
  expect(started.status).toBe(202);
  expect(await svc.services.db.selectFrom('customers').select('id').where('phone', '=', '+79161230001').executeTakeFirst()).toBeUndefined();
  const code = sms.lastCodeTo('+79161230001')!;
  const confirm = (c: string, key = northTill) => svc.api('POST', `/api/v1/pos/enrolments/${started.body.verificationId}/confirm`, { code: c }, key);
  // A till's code is answered at the till only: on the public form it would hand over the card link.
  const onForm = await fetch(`${svc.url}/join/shop/verify/${started.body.verificationId}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `code=${code}`,
  });
  expect(onForm.status).toBe(410);
  // Another program's till does not find it; a wrong code names the field.
  expect((await confirm(code, otherTill)).status).toBe(410);
  const wrong = await confirm(code === '000000' ? '111111' : '000000');
  expect(wrong.status).toBe(400);
  expect(wrong.body.errors[0]).toMatchObject({ field: 'code', message: expect.stringMatching(/tries left/) });
  const ok = await confirm(code);
  expect(ok.status).toBe(201);
  expect(ok.body).toMatchObject({ created: true, firstName: 'Nina', balance: 0 });
  const consents = await svc.services.db
    .selectFrom('consents')
    .innerJoin('customers', 'customers.id', 'consents.customer_id')
    .select(['kind', 'granted', 'source', 'recorded_by'])
    .where('customers.phone', '=', '+79161230001')
    .orderBy('consents.id')
    .execute();
  expect(consents.map((c) => [c.kind, c.granted, c.source])).toEqual([
    ['personal_data', true, 'till'],
    ['marketing', true, 'till'],
  ]);
  expect((await confirm(code)).status).toBe(410); // once
});

it("needs a store manager's PIN for a refund above the program's limit, and records who approved it", async () => {
  expect((await svc.api('PATCH', '/api/v1/programs/shop', { refundApprovalAbove: '100' })).body.refundApprovalAbove).toBe('100.00');
  // A store manager with a PIN: invited, password set, signed in, PIN set.
  const boss = await signedInStaff(svc, { email: 'boss@shop.example', name: 'Boss', role: 'store_manager', storeId: northStoreId });
  const { cookie } = boss;
  const origin = new URL(svc.url).origin;
  const pin = await fetch(`${svc.url}/api/v1/staff/me/pin`, {
    method: 'POST',
    headers: { cookie, origin, 'content-type': 'application/json' },
    body: '{"pin":"2468"}',
  });
  expect(pin.status).toBe(204);
  expect((await svc.api('GET', '/api/v1/pos/managers', undefined, northTill)).body.items).toEqual([{ id: boss.id, name: 'Boss' }]);

  const card = await enrol(svc, { program: 'shop' });
  const receipt = randomUUID();
  await svc.api('POST', '/api/v1/pos/purchases', { barcode: card.barcode, receiptId: receipt, amount: 500 }, northTill, { 'idempotency-key': randomUUID() });
  const refund = (body: Record<string, unknown>, key = randomUUID()) =>
    svc.api('POST', '/api/v1/pos/refunds', { receiptId: receipt, ...body }, northTill, { 'idempotency-key': key });
  // Within the limit: no PIN. Above it: refused without a PIN or with a wrong one.
  expect((await refund({ amount: 50 })).status).toBe(201);
  // The limit is on the receipt's refunds in all: 50 + 60 is above 100.
  expect((await refund({ amount: 60 })).body.approvalRequired).toBe(true);
  const none = await refund({});
  expect(none.status).toBe(403);
  expect(none.body.approvalRequired).toBe(true);
  expect((await refund({ approval: { staffId: boss.id, pin: '1111' } })).status).toBe(403);
  expect((await refund({ approval: { staffId: boss.id, pin: '12' } })).body.errors[0].field).toBe('approval.pin');
  const key = randomUUID();
  const approved = await refund({ approval: { staffId: boss.id, pin: '2468' } }, key);
  expect(approved.status).toBe(201);
  expect(approved.body.refunded).toBe('450.00');
  const row = await svc.services.db
    .selectFrom('purchases')
    .select(['refunded_minor', 'refund_approved_by'])
    .where('receipt_id', '=', receipt)
    .executeTakeFirstOrThrow();
  expect(row).toEqual({ refunded_minor: 50000, refund_approved_by: `staff:${boss.id}` });
  // The PIN is not in the request fingerprint kept with the Idempotency-Key.
  const stored = await svc.services.db.selectFrom('idempotency_keys').select(['request_hash', 'response']).where('key', '=', key).executeTakeFirstOrThrow();
  expect(JSON.stringify(stored)).not.toContain('2468');
  await svc.api('PATCH', '/api/v1/programs/shop', { refundApprovalAbove: null });
});
