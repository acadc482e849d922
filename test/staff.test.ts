import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { captureLogs } from './support/logs.js';
import { createStore, enrol } from './support/fixtures.js';
import { startTestService, type TestService } from './support/test-service.js';

let svc: TestService;
const logs = captureLogs('debug');
let admin: string;
const cards: Record<string, string> = {};
let storeId: string;

beforeAll(async () => {
  svc = await startTestService({}, { logger: logs.logger });
  await svc.api('POST', '/api/v1/brands', { slug: 'alpha', name: 'Alpha' });
  for (const slug of ['a1', 'a2']) {
    expect((await svc.api('POST', '/api/v1/programs', { slug, name: slug, brand: 'alpha' })).status).toBe(201);
    cards[slug] = (await enrol(svc, { program: slug, name: `M ${slug}` })).cardNumber;
  }
  storeId = (await createStore(svc, 'a1', { name: 'Arbat', latitude: 55, longitude: 37 })).id;
  admin = (await svc.api('POST', '/api/v1/api-keys', { name: 'alpha admin', role: 'admin', brand: 'alpha' })).body.key;
});
afterAll(() => svc?.stop());

const PASSWORD = 'correct horse battery';
const origin = () => new URL(svc.url).origin;
/** A form post as the browser sends it from our own page. */
const form = (path: string, fields: Record<string, string>, headers: Record<string, string> = { origin: origin() }) =>
  fetch(svc.url + path, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields),
  });
const signIn = async (email: string, password: string) => {
  const res = await form('/login', { email, password });
  const cookie = /wl_session=[^;]+/.exec(res.headers.get('set-cookie') ?? '')?.[0];
  return { res, cookie };
};
const withCookie = (cookie: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  fetch(svc.url + path, {
    method,
    headers: { cookie, ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe('staff accounts', () => {
  let staffId: string;
  let invitation: string;
  let cookie: string;

  it('an admin invites a marketer for one program; the one-time link sets a password, once', async () => {
    const res = await svc.api('POST', '/api/v1/staff', { email: 'Olga@Example.com', name: 'Olga', role: 'marketer', programs: ['a1'] }, admin);
    expect(res.status).toBe(201);
    expect(res.body.staff).toMatchObject({ email: 'olga@example.com', role: 'marketer', programs: ['a1'], status: 'invited' });
    staffId = res.body.staff.id;
    invitation = res.body.invitation.url;
    const path = new URL(invitation).pathname;
    const page = await fetch(svc.url + path);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('olga@example.com');
    expect((await form(path, { password: 'short', repeat: 'short' })).status).toBe(400);
    expect((await form(path, { password: PASSWORD, repeat: 'something else' })).status).toBe(400);
    // From another site: refused (and the link stays good).
    expect((await form(path, { password: PASSWORD, repeat: PASSWORD }, { origin: 'https://evil.example' })).status).toBe(403);
    const set = await form(path, { password: PASSWORD, repeat: PASSWORD });
    expect(set.status).toBe(303);
    expect(set.headers.get('location')).toMatch(/^\/login\?welcome=1/);
    expect((await form(path, { password: PASSWORD, repeat: PASSWORD })).status).toBe(410);
    expect((await fetch(svc.url + path)).status).toBe(410);
    expect((await svc.api('GET', '/api/v1/staff', undefined, admin)).body.items[0]).toMatchObject({ id: staffId, status: 'active' });
  });

  it('signs in with a session cookie and acts within its scope, like a key', async () => {
    const wrong = await signIn('olga@example.com', 'not the password');
    const unknown = await signIn('nobody@example.com', PASSWORD);
    expect(wrong.res.status).toBe(401);
    expect(unknown.res.status).toBe(401);
    const alertOf = async (r: Response) => /<div class="alert"[^>]*>([^<]*)</.exec(await r.text())?.[1];
    expect(await alertOf(wrong.res)).toBe(await alertOf(unknown.res)); // no telling which
    expect(await alertOf((await signIn('olga@example.com', 'again wrong')).res)).toBeTruthy();
    const ok = await signIn('olga@example.com', PASSWORD);
    expect(ok.res.status).toBe(303);
    const setCookie = ok.res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    cookie = ok.cookie!;
    expect((await withCookie(cookie, 'GET', `/api/v1/cards/${cards.a1}`)).status).toBe(200);
    expect((await withCookie(cookie, 'GET', `/api/v1/cards/${cards.a2}`)).status).toBe(404);
    expect((await withCookie(cookie, 'GET', '/api/v1/api-keys')).status).toBe(403); // a marketer
    // Writes with the cookie: only from our own pages.
    expect((await withCookie(cookie, 'POST', `/api/v1/cards/${cards.a1}/message`, { text: 'Hi' })).status).toBe(403);
    expect((await withCookie(cookie, 'POST', `/api/v1/cards/${cards.a1}/message`, { text: 'Hi' }, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await withCookie(cookie, 'POST', `/api/v1/cards/${cards.a1}/message`, { text: 'Hi' }, { origin: origin() })).status).toBe(202);
    expect((await withCookie(cookie, 'POST', `/api/v1/cards/${cards.a1}/message`, { text: 'Hi' }, { 'sec-fetch-site': 'same-origin' })).status).toBe(202);
    const me = await fetch(`${svc.url}/staff/me`, { headers: { cookie } });
    expect(await me.text()).toContain('Olga');
  });

  it('rests an account after 5 wrong passwords, even for the right one', async () => {
    await svc.api('POST', '/api/v1/staff', { email: 'ivan@example.com', name: 'Ivan', role: 'cashier', storeId }, admin);
    const [row] = await svc.services.db.selectFrom('staff').select('id').where('email', '=', 'ivan@example.com').execute();
    const link = (await svc.api('POST', `/api/v1/staff/${row!.id}/password-reset`, undefined, admin)).body.link.url;
    expect((await form(new URL(link).pathname, { password: PASSWORD, repeat: PASSWORD })).status).toBe(303);
    for (let i = 0; i < 5; i++) expect((await signIn('ivan@example.com', 'wrong password!')).res.status).toBe(401);
    expect((await signIn('ivan@example.com', PASSWORD)).res.status).toBe(401);
    await sql`update staff set locked_until = now() - interval '1 second' where email = 'ivan@example.com'`.execute(svc.services.db);
    const ok = await signIn('ivan@example.com', PASSWORD);
    expect(ok.res.status).toBe(303);
    // A cashier's scope is its store's till.
    expect((await withCookie(ok.cookie!, 'GET', `/api/v1/pos/cards/${cards.a1}`)).status).toBe(200);
    expect((await withCookie(ok.cookie!, 'GET', `/api/v1/cards/${cards.a1}`)).status).toBe(403);
  });

  it('an expired link does not work; a reset link replaces the earlier one', async () => {
    const first = (await svc.api('POST', `/api/v1/staff/${staffId}/password-reset`, undefined, admin)).body.link.url;
    const second = (await svc.api('POST', `/api/v1/staff/${staffId}/password-reset`, undefined, admin)).body.link.url;
    expect((await fetch(svc.url + new URL(first).pathname)).status).toBe(410);
    await sql`update staff_tokens set expires_at = now() - interval '1 second' where used_at is null`.execute(svc.services.db);
    expect((await fetch(svc.url + new URL(second).pathname)).status).toBe(410);
  });

  it('refuses bad invitations with the field named, and scopes wider than the inviter’s', async () => {
    const invite = (body: Record<string, unknown>) => svc.api('POST', '/api/v1/staff', { email: 'x@example.com', name: 'X', role: 'marketer', ...body }, admin);
    expect((await invite({ role: 'cashier' })).body.errors[0].field).toBe('storeId');
    expect((await invite({ email: 'not an e-mail' })).body.errors[0].field).toBe('email');
    expect((await invite({ role: 'owner' })).body.errors[0].field).toBe('role');
    expect((await invite({ programs: ['nope'] })).body.errors[0].field).toBe('programs[0]');
    expect((await invite({ email: 'olga@example.com' })).status).toBe(409);
    const scoped = await svc.api('POST', '/api/v1/api-keys', { name: 'a1 admin', role: 'admin', programs: ['a1'] }, admin);
    expect((await svc.api('POST', '/api/v1/staff', { email: 'y@example.com', name: 'Y', role: 'marketer' }, scoped.body.key)).status).toBe(403);
    expect((await svc.api('GET', '/api/v1/staff', undefined, scoped.body.key)).body.items.map((s: any) => s.email)).toEqual([
      'olga@example.com',
      'ivan@example.com',
    ]);
  });

  it('revoking signs them out everywhere at once; the audit log shows every step', async () => {
    expect((await svc.api('DELETE', `/api/v1/staff/${staffId}`, undefined, admin)).status).toBe(204);
    expect((await withCookie(cookie, 'GET', `/api/v1/cards/${cards.a1}`)).status).toBe(401);
    expect((await signIn('olga@example.com', PASSWORD)).res.status).toBe(401);
    const entries = (await svc.api('GET', '/api/v1/audit-log?limit=500', undefined, admin)).body.items.reverse();
    const olga = entries.filter((e: any) => e.target.some((t: any) => t.staff === staffId || t.created === staffId) || e.actor.id === `staff:${staffId}`);
    expect(olga.map((e: any) => e.action)).toEqual([
      'inviteStaff',
      'staff.acceptInvitation',
      'staff.signIn',
      'setCardMessage',
      'setCardMessage',
      'resetStaffPassword',
      'resetStaffPassword',
      'revokeStaff',
    ]);
    expect(olga.find((e: any) => e.action === 'setCardMessage').actor).toMatchObject({ kind: 'staff', name: 'Olga', role: 'marketer' });
  });

  it('never writes a password, session id or one-time link to the log', () => {
    const text = logs.lines.join('\n');
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(cookie.split('=')[1]);
    expect(text).not.toContain(new URL(invitation).pathname.split('/').at(-1));
  });
});
