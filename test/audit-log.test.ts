import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, enrol } from './support/fixtures.js';
import { startTestService, type TestService } from './support/test-service.js';

let svc: TestService;
const keys: Record<string, { key: string; id: string }> = {};

beforeAll(async () => {
  svc = await startTestService();
  for (const slug of ['alpha', 'beta']) {
    expect((await svc.api('POST', '/api/v1/brands', { slug, name: slug })).status).toBe(201);
    expect((await svc.api('POST', '/api/v1/programs', { slug: `${slug}-club`, name: 'Club', brand: slug })).status).toBe(201);
    const issued = await svc.api('POST', '/api/v1/api-keys', { name: `${slug} admin`, role: 'admin', brand: slug });
    keys[slug] = { key: issued.body.key, id: issued.body.id };
  }
});
afterAll(() => svc?.stop());

const log = (key: string, query = '') => svc.api('GET', `/api/v1/audit-log${query}`, undefined, key);

describe('the audit log', () => {
  it('records every write with who, what, which target, when and from where; reads are not writes', async () => {
    const store = await createStore(svc, 'alpha-club', { name: 'Arbat', latitude: 55.75, longitude: 37.59 });
    const card = await enrol(svc, { program: 'alpha-club', name: 'Ivan', key: keys.alpha!.key });
    expect((await svc.api('PATCH', `/api/v1/cards/${card.cardNumber}`, { status: 'blocked' }, keys.alpha!.key)).status).toBe(200);
    expect((await svc.api('GET', `/api/v1/cards/${card.cardNumber}`, undefined, keys.alpha!.key)).status).toBe(200);
    // A refused write changes nothing and is not an entry.
    expect((await svc.api('PATCH', `/api/v1/cards/${card.cardNumber}`, { status: 'nonsense' }, keys.alpha!.key)).status).toBe(400);

    const { items } = (await log(keys.alpha!.key)).body;
    // The operator's own setup of the brand (brand, program, its admin key) is in the brand's log too.
    expect(items.map((e: any) => e.action)).toEqual(['setCardStatus', 'enrol', 'createStore', 'createApiKey', 'createProgram', 'createBrand']);
    expect(items[0]).toMatchObject({
      actor: { kind: 'key', id: keys.alpha!.id, name: 'alpha admin', role: 'admin' },
      target: [{ card: card.cardNumber }],
      status: 200,
      ip: expect.stringMatching(/127\.0\.0\.1/),
    });
    // The deployment key's write is in the brand it touched.
    expect(items[2]).toMatchObject({ actor: { kind: 'deployment', id: 'bootstrap' }, target: [{ program: 'alpha-club' }, { created: store.id }] });
    expect(items[1].target).toEqual([{ program: 'alpha-club' }, { created: card.cardNumber }]);
  });

  it('shows a brand only its own entries, filters them, and is for brand-wide admins', async () => {
    await enrol(svc, { program: 'beta-club', name: 'Olga', key: keys.beta!.key });
    const beta = (await log(keys.beta!.key)).body.items;
    expect(beta.map((e: any) => e.action)).toEqual(['enrol', 'createApiKey', 'createProgram', 'createBrand']);
    expect(beta.every((e: any) => !JSON.stringify(e).includes('alpha'))).toBe(true);
    const alpha = (await log(keys.alpha!.key, '?action=enrol')).body.items;
    expect(alpha).toHaveLength(1);
    expect(alpha[0].target[0]).toEqual({ program: 'alpha-club' });
    const all = (await svc.api('GET', '/api/v1/audit-log?limit=500')).body.items;
    expect(new Set(all.map((e: any) => e.brandId)).size).toBeGreaterThanOrEqual(2);
    const scoped = await svc.api('POST', '/api/v1/api-keys', { name: 'club admin', role: 'admin', programs: ['alpha-club'] }, keys.alpha!.key);
    expect((await log(scoped.body.key)).status).toBe(403);
    const marketer = await svc.api('POST', '/api/v1/api-keys', { name: 'm', role: 'marketer' }, keys.alpha!.key);
    expect((await log(marketer.body.key)).status).toBe(403);
    expect((await log(keys.alpha!.key, '?limit=0')).status).toBe(400);
  });

  it('is append-only: the database refuses to rewrite an entry, and only age removes one', async () => {
    await expect(sql`update audit_log set actor_name = 'someone else'`.execute(svc.services.db)).rejects.toThrow(/append-only/);
    const before = (await svc.api('GET', '/api/v1/audit-log?limit=500')).body.items.length;
    expect(await svc.services.audit.purge(1)).toBe(0);
    await sql`alter table audit_log disable trigger audit_log_no_update`.execute(svc.services.db);
    await sql`update audit_log set at = now() - interval '3 days' where id = (select min(id) from audit_log)`.execute(svc.services.db);
    await sql`alter table audit_log enable trigger audit_log_no_update`.execute(svc.services.db);
    expect(await svc.services.audit.purge(2)).toBe(1);
    expect((await svc.api('GET', '/api/v1/audit-log?limit=500')).body.items.length).toBe(before - 1);
  });
});
