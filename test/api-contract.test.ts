import { Validator } from '@seriousme/openapi-schema-validator';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app/http-app.js';
import { createProgramWithStores, enrol, issueKey } from './support/fixtures.js';
import { startTestService, type TestService } from './support/test-service.js';

let svc: TestService;
let doc: any;
let posKey: string;

beforeAll(async () => {
  svc = await startTestService();
  const { stores } = await createProgramWithStores(svc, 'contract');
  posKey = await issueKey(svc, 'pos', stores[0].id);
  doc = (await svc.api('GET', '/openapi.json', undefined, null)).body;
});
afterAll(() => svc?.stop());

type Op = { method: string; path: string; op: any };
const operations = (): Op[] =>
  Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ method, path, op })),
  );

/** Every route the express app serves: [METHOD, path with {params}], walking mounted routers. */
function servedRoutes(app: Express): string[] {
  const found: string[] = [];
  const prefixes = ['/api/v1', '/wallet/apple', '/docs/assets'];
  const walk = (stack: any[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods))
          found.push(`${method.toUpperCase()} ${prefix}${String(layer.route.path).replace(/:(\w+)/g, '{$1}')}`);
      } else if (layer.handle?.stack) {
        // A router: unprefixed when it matches any path, else at the first mount prefix it matches.
        const mountedAt = layer.match('/no-such-mount-point-xyz') ? '' : (prefixes.find((p) => layer.match(p)) ?? '?');
        walk(layer.handle.stack, prefix + mountedAt);
      }
    }
  };
  walk((app as any).router.stack, '');
  return found;
}

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1 by a standard validator', async () => {
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('describes every /api/v1 route the app serves, and nothing it does not', () => {
    const served = servedRoutes(createApp(svc.services)).filter((r) => r.includes(' /api/v1/'));
    const documented = operations()
      .map(({ method, path }) => `${method.toUpperCase()} ${path}`)
      .filter((r) => r.includes(' /api/v1/'));
    expect(served.length).toBeGreaterThanOrEqual(34);
    expect([...served].sort()).toEqual([...documented].sort());
  });

  it('gives every operation an id, a summary, roles, problem+json errors and a schema for every JSON 2xx body', () => {
    const ids = new Set<string>();
    for (const { method, path, op } of operations().filter((o) => o.path.startsWith('/api/v1/'))) {
      const where = `${method} ${path}`;
      expect(op.operationId, where).toMatch(/^[a-z][A-Za-z]+$/);
      expect(ids.has(op.operationId), `${where}: operationId ${op.operationId} is unique`).toBe(false);
      ids.add(op.operationId);
      expect(op.summary, where).toBeTruthy();
      expect(op['x-roles'].length, where).toBeGreaterThan(0);
      expect(op.responses['400'], where).toEqual({ $ref: '#/components/responses/400' });
      for (const [status, response] of Object.entries(op.responses as Record<string, any>)) {
        if (!/^2/.test(status) || status === '204' || response.$ref) continue;
        expect(response.content, `${where} ${status}`).toBeDefined();
      }
    }
    expect(doc.components.responses['400'].content['application/problem+json'].schema).toEqual({ $ref: '#/components/schemas/Problem' });
  });

  it('enforces the roles it documents: every other role gets 403 before anything is parsed', async () => {
    const { stores } = await createProgramWithStores(svc, 'roles');
    const keys: Record<string, string | undefined> = {
      admin: undefined,
      marketer: await issueKey(svc, 'marketer'),
      pos: await issueKey(svc, 'pos', stores[0].id),
    };
    const wrong: string[] = [];
    let refused = 0;
    for (const { method, path, op } of operations().filter((o) => o.path.startsWith('/api/v1/'))) {
      for (const [role, key] of Object.entries(keys)) {
        if (op['x-roles'].includes(role)) continue;
        const res = await svc.api(method.toUpperCase(), path.replace(/\{\w+\}/g, 'x'), method === 'get' || method === 'delete' ? undefined : {}, key);
        refused++;
        if (res.status !== 403) wrong.push(`${role} ${method} ${path}: ${res.status}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(refused).toBeGreaterThan(30);
    // The README's rule, which the scattered checks had lost: marketers read stores, admins change them.
    const store = `/api/v1/stores/${stores[0].id}`;
    expect((await svc.api('GET', store, undefined, keys.marketer)).status).toBe(200);
    expect((await svc.api('PATCH', store, { name: 'Renamed' }, keys.marketer)).status).toBe(403);
    expect((await svc.api('PATCH', store, { name: 'Renamed' })).status).toBe(200);
  });

  it('documents the Idempotency-Key header on every money-moving call', () => {
    const idempotent = operations().filter(({ op }) => op.parameters?.some((p: any) => p.in === 'header' && p.name === 'Idempotency-Key' && p.required));
    expect(idempotent.map(({ op }) => op.operationId).sort()).toEqual(['adjustPoints', 'tillPurchase', 'tillReceipt', 'tillRefund']);
  });

  it('is rendered at /docs from files served by the service itself', async () => {
    const page = await fetch(svc.url + '/docs');
    expect(page.status).toBe(200);
    const html = await page.text();
    const scripts = [...html.matchAll(/src="([^"]+)"/g)].map((m) => m[1]!);
    expect(scripts).toEqual(['/docs/assets/swagger-ui-bundle.js', '/docs/init.js']);
    for (const src of scripts) expect((await fetch(svc.url + src)).status).toBe(200);
    expect(await (await fetch(svc.url + '/docs/init.js')).text()).toContain('"/openapi.json"');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
  });
});

/** A value that satisfies a JSON schema well enough to get past the parser to the field under test. */
function sample(schema: any): unknown {
  if (!schema) return 'x';
  if (schema.$ref) return sample(doc.components.schemas[schema.$ref.split('/').pop()]);
  if (schema.default !== undefined) return schema.default;
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  const alternative = schema.anyOf ?? schema.oneOf;
  if (alternative) return sample(alternative.find((s: any) => s.type !== 'null') ?? alternative[0]);
  switch (schema.type) {
    case 'object':
      return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, v]) => [k, sample(v)]));
    case 'array':
      return [sample(schema.items)];
    case 'integer':
    case 'number':
      return Math.max(schema.minimum ?? 1, 1);
    case 'boolean':
      return true;
    default:
      return schema.format === 'uuid' ? '6f1c2a7e-0000-4000-8000-000000000000' : 'x';
  }
}

/** Paths to every string-typed property of a schema, as key lists. */
function stringFields(schema: any, path: string[] = []): string[][] {
  if (!schema) return [];
  if (schema.$ref) return stringFields(doc.components.schemas[schema.$ref.split('/').pop()], path);
  const alternative = schema.anyOf ?? schema.oneOf;
  if (alternative) return alternative.some((s: any) => s.type === 'string') ? [path] : alternative.flatMap((s: any) => stringFields(s, path));
  if (schema.type === 'string') return [path];
  if (schema.type === 'object') return Object.entries(schema.properties ?? {}).flatMap(([k, v]) => stringFields(v, [...path, k]));
  if (schema.type === 'array') return stringFields(schema.items, [...path, '0']);
  return [];
}

function setIn(target: any, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) node = node[key] ??= /^\d+$/.test(key) ? [] : {};
  node[path.at(-1)!] = value;
}

const NUL = 'a\u0000b';

describe('control characters', () => {
  it('get a 4xx naming the field in every text field, path and query parameter of every operation', async () => {
    const answers: string[] = [];
    let tried = 0;
    for (const { method, path, op } of operations().filter((o) => o.path.startsWith('/api/v1/'))) {
      const key = op['x-roles'].includes('admin') ? undefined : posKey;
      const headers = { 'idempotency-key': `contract-${Math.random().toString(36).slice(2)}` };
      const params = (op.parameters ?? []).filter((p: any) => p.in === 'path' || p.in === 'query');
      const url = (override?: { name: string; value: string }) => {
        const query = new URLSearchParams();
        let filled = path;
        for (const p of params) {
          const value = override && override.name === p.name ? override.value : String(sample(p.schema));
          if (p.in === 'path') filled = filled.replace(`{${p.name}}`, encodeURIComponent(value));
          else if (p.required || override?.name === p.name) query.set(p.name, value);
        }
        return filled + (query.size ? `?${query}` : '');
      };
      const bodySchema = op.requestBody?.content['application/json'].schema;
      const body = bodySchema ? sample(bodySchema) : undefined;
      const attempts: Array<{ what: string; url: string; body: unknown; field?: string }> = [];
      for (const p of params)
        attempts.push({ what: `${p.in} ${p.name}`, url: url({ name: p.name, value: NUL }), body, ...(p.in === 'query' && { field: p.name }) });
      for (const field of stringFields(bodySchema)) {
        const poisoned = structuredClone(body);
        setIn(poisoned, field, NUL);
        attempts.push({ what: `body ${field.join('.')}`, url: url(), body: poisoned, field: field.join('.') });
      }
      for (const attempt of attempts) {
        tried++;
        const res = await svc.api(method.toUpperCase(), attempt.url, attempt.body, key, headers);
        if (res.status < 400 || res.status >= 500) answers.push(`${method} ${path} (${attempt.what}): ${res.status}`);
        else if (res.status === 400 && attempt.field) {
          const fields: string[] = (res.body.errors ?? []).map((e: any) => e.field);
          if (!fields.some((f) => attempt.field!.startsWith(f) || f.startsWith(attempt.field!)))
            answers.push(`${method} ${path} (${attempt.what}): 400 without the field: ${JSON.stringify(res.body)}`);
        }
      }
    }
    expect(answers).toEqual([]);
    expect(tried).toBeGreaterThan(70);
  });

  it('a body nested deeper than any schema is a 400, not a stack overflow', async () => {
    const res = await fetch(`${svc.url}/api/v1/pos/purchases`, {
      method: 'POST',
      headers: { authorization: `Bearer ${posKey}`, 'content-type': 'application/json', 'idempotency-key': 'deep-body-1' },
      body: '['.repeat(20_000) + ']'.repeat(20_000),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).errors[0].field).toBe('(body)');
  });

  it('get a 4xx on every public page and wallet endpoint', async () => {
    await enrol(svc, { program: 'contract' });
    const requests: Array<[string, string, RequestInit?]> = [
      ['GET', '/join/%00'],
      ['GET', '/join/contract?store=%00'],
      ['GET', '/c/%00'],
      ['GET', '/restock/unsubscribe/%00'],
      ['GET', '/wallet/apple/v1/passes/pass.test/a%00b'],
      [
        'POST',
        '/wallet/apple/v1/devices/dev%00ice/registrations/pass.test/serial',
        { body: JSON.stringify({ pushToken: 'ab' }), headers: { 'content-type': 'application/json' } },
      ],
      ['GET', '/wallet/apple/v1/devices/dev%00ice/registrations/pass.test'],
      [
        'POST',
        '/join/contract',
        {
          body: new URLSearchParams({ name: NUL, phone: '+79160000002', personalData: 'on' }).toString(),
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        },
      ],
    ];
    const answers: string[] = [];
    for (const [method, path, init] of requests) {
      const res = await fetch(svc.url + path, { method, ...init });
      if (res.status < 400 || res.status >= 500) answers.push(`${method} ${path}: ${res.status}`);
    }
    expect(answers).toEqual([]);
  });
});
