/** The README's role table is the route table's: regenerated with UPDATE_README=1, checked otherwise. */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { apiOperations, API_BASE } from '../src/app/api.js';
import { startTestService, type TestService } from './support/test-service.js';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc?.stop());

const README = new URL('../README.md', import.meta.url);
const START = /<!-- roles:start[^>]*-->\n/;
const END = '<!-- roles:end -->';

it('lists every operation with the roles the route table gives it', () => {
  const roles = ['admin', 'marketer', 'pos', 'device'] as const;
  const rows = apiOperations(svc.services).map(
    (op) =>
      `| \`${op.method.toUpperCase()} ${API_BASE}${op.path}\` | ${op.summary.replace(/\|/g, '\\|')} | ${roles.map((r) => (op.roles.includes(r) ? '✓' : '')).join(' | ')} |`,
  );
  const table = ['| Operation | What it does | admin | marketer | pos | device |', '|---|---|:-:|:-:|:-:|:-:|', ...rows].join('\n') + '\n';
  const readme = readFileSync(README, 'utf8');
  const start = START.exec(readme);
  expect(start, 'README has the roles markers').not.toBeNull();
  const from = start!.index + start![0].length;
  const to = readme.indexOf(END, from);
  if (process.env.UPDATE_README) writeFileSync(README, readme.slice(0, from) + table + readme.slice(to));
  else expect(readme.slice(from, to)).toBe(table);
});
