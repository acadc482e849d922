import { randomUUID } from 'node:crypto';
import type { Card, Database } from '../../src/platform/db/schema.js';
import type { TestService } from './test-service.js';

/** What the tests set up through the API, each with the status it must answer; a wrong one fails the setup with the body. */

type Response = { status: number; body: any; headers: Headers };

function expectStatus(what: string, res: Response, ...statuses: number[]): any {
  if (!statuses.includes(res.status)) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** POST /api/v1/programs; expects 201. */
export async function createProgram(svc: TestService, body: Record<string, unknown>): Promise<any> {
  return expectStatus('program', await svc.api('POST', '/api/v1/programs', body), 201);
}

/** POST /api/v1/stores; expects 201. */
export async function createStore(svc: TestService, program: string, fields: Record<string, unknown>): Promise<any> {
  return expectStatus('store', await svc.api('POST', '/api/v1/stores', { program, ...fields }), 201);
}

/** A program with three stores, as most tests need. */
export async function createProgramWithStores(svc: TestService, slug = 'acme', extra: Record<string, unknown> = {}) {
  const program = await createProgram(svc, {
    slug,
    name: 'Acme Rewards',
    earnPercent: 10,
    maxRedeemPercent: 30,
    welcomeBonus: 50,
    tiers: [
      { name: 'Silver', minSpend: 0, earnPercent: 10 },
      { name: 'Gold', minSpend: '1000', earnPercent: 15 },
    ],
    ...extra,
  });
  const stores = [];
  for (const [i, name] of ['North', 'South', 'East'].entries()) {
    stores.push(await createStore(svc, slug, { name, address: `${name} St 1`, latitude: 55.75 + i * 0.01, longitude: 37.61 + i * 0.01 }));
  }
  return { program, stores };
}

let keySeq = 0;

/** POST /api/v1/api-keys for a marketer, or a till (pos) of one store; expects 201 and returns the key. */
export async function issueKey(svc: TestService, role: 'marketer' | 'pos', storeId?: string): Promise<string> {
  const res = await svc.api('POST', '/api/v1/api-keys', { name: `${role} key ${++keySeq}`, role, ...(storeId && { storeId }) });
  return expectStatus('api key', res, 201).key as string;
}

export interface Enrolment {
  /** Default 'acme' (createProgramWithStores). */
  program?: string;
  /** Default 'Anna'. */
  name?: string;
  /** Default: a fresh +7 916 9xx xx xx number for each call. */
  phone?: string;
  birthday?: string;
  /** The marketing consent; personal-data consent is always given. Default false. */
  marketing?: boolean;
  /** Further body fields as they are (homeStoreId, source, lang…; consent replaces the default). */
  extra?: Record<string, unknown>;
  /** The API key; default the admin key. */
  key?: string;
}

let phoneSeq = 0;

/** POST /api/v1/cards, for tests that look at the answer themselves. */
export function enrolRequest(svc: TestService, e: Enrolment = {}): Promise<Response> {
  const phone = e.phone ?? `+79169${String(++phoneSeq).padStart(6, '0')}`;
  const customer = { name: e.name ?? 'Anna', phone, ...(e.birthday && { birthday: e.birthday }) };
  return svc.api(
    'POST',
    '/api/v1/cards',
    { program: e.program ?? 'acme', customer, consent: { personalData: true, marketing: e.marketing ?? false }, ...e.extra },
    e.key,
  );
}

export interface EnrolledCard {
  cardNumber: string;
  serialNumber: string;
  customerId: string;
  barcode: string;
  tier: string;
  links: { apple: string; google: string | null; page: string };
  [field: string]: any;
}

/** Enrols a new customer; expects 201 (a new card) and returns the card as the API gives it. */
export async function enrol(svc: TestService, e: Enrolment = {}): Promise<EnrolledCard> {
  return expectStatus('enrol', await enrolRequest(svc, e), 201);
}

/** The card's row, for what the API does not show (id, tokens, pass version). */
export function cardRow(svc: TestService, cardNumber: string): Promise<Card> {
  return svc.services.db.selectFrom('cards').selectAll().where('card_number', '=', cardNumber).executeTakeFirstOrThrow();
}

/** How many rows a table holds. */
export async function countRows(svc: TestService, table: keyof Database): Promise<number> {
  const r = await svc.services.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** A purchase at a till (a pos key), with a fresh Idempotency-Key and receipt; expects 201. */
export async function tillPurchase(svc: TestService, posKey: string, barcode: string, amount: number): Promise<any> {
  const res = await svc.api('POST', '/api/v1/pos/purchases', { barcode, receiptId: randomUUID(), amount }, posKey, { 'idempotency-key': randomUUID() });
  return expectStatus('purchase', res, 201);
}

/**
 * The cards' Google objects are in a wallet, as if their holders had saved them earlier (the save
 * callback's effect, for tests that do not sign callbacks): only those get updates.
 */
export async function savedToGoogleWallet(svc: TestService, cardIds?: string[]): Promise<void> {
  let q = svc.services.db.updateTable('google_objects').set({ saved: true, saved_at: new Date() });
  if (cardIds) q = q.where('card_id', 'in', cardIds);
  await q.execute();
}

/**
 * A person as staff: invited (POST /api/v1/staff, by `key` or the admin key), their password set
 * through the one-time link, signed in at /login. Their id and session cookie.
 */
export async function signedInStaff(
  svc: TestService,
  person: { email: string; name?: string; role: string; storeId?: string; programs?: string[] },
  options: { password?: string; key?: string } = {},
): Promise<{ id: string; cookie: string }> {
  const password = options.password ?? 'correct horse battery staple';
  const invited = expectStatus('invite', await svc.api('POST', '/api/v1/staff', { name: person.email.split('@')[0], ...person }, options.key), 201);
  const form = (path: string, fields: Record<string, string>) =>
    fetch(svc.url + path, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(svc.url).origin },
      body: new URLSearchParams(fields),
    });
  const set = await form(new URL(invited.invitation.url).pathname, { password, repeat: password });
  if (set.status !== 303) throw new Error(`set password: ${set.status}`);
  const signedIn = await form('/login', { email: person.email, password });
  const cookie = /wl_session=[^;]+/.exec(signedIn.headers.get('set-cookie') ?? '')?.[0];
  if (!cookie) throw new Error(`sign-in: ${signedIn.status}`);
  return { id: invited.staff.id as string, cookie };
}
