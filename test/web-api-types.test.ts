/**
 * The browser apps' API client is typed from the service's own OpenAPI document: web/api/schema.d.ts
 * must be what openapi-typescript makes of /openapi.json now. Regenerate with
 * `UPDATE_WEB_TYPES=1 npx vitest run test/web-api-types.test.ts`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestService, type TestService } from './support/test-service.js';

const FILE = path.resolve(import.meta.dirname, '../web/api/schema.d.ts');
let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(async () => svc?.stop());

it('web/api/schema.d.ts is generated from the current /openapi.json', async () => {
  const doc = (await (await fetch(`${svc.url}/openapi.json`)).json()) as Parameters<typeof openapiTS>[0];
  const generated = `// Generated from /openapi.json by openapi-typescript (test/web-api-types.test.ts). Do not edit.\n${astToString(await openapiTS(doc))}`;
  if (process.env.UPDATE_WEB_TYPES) writeFileSync(FILE, generated);
  expect(readFileSync(FILE, 'utf8')).toBe(generated);
});
