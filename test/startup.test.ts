import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { waitUntil } from './support/wait.js';

const root = path.resolve(import.meta.dirname, '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function run(env: Record<string, string>) {
  const child = spawn(tsx, ['src/app/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

describe('the service process (npm start path)', () => {
  it('starts on an empty embedded database, seeds the demo, and stops cleanly on SIGTERM', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'wl-start-'));
    dirs.push(dataDir);
    const port = String(20000 + Math.floor(Math.random() * 20000));
    const proc = run({ DATA_DIR: dataDir, PORT: port, NODE_ENV: 'development', HOST: '127.0.0.1' });
    await waitUntil(() => proc.output().includes('Seeded a demo program'), 30_000);
    const key = readFileSync(path.join(dataDir, 'admin-api-key'), 'utf8').trim();
    expect(proc.output()).not.toContain(key); // the key is in the file, never in the logs
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/stores?program=demo`, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).items).toHaveLength(3);
    const program = (await (await fetch(`http://127.0.0.1:${port}/api/v1/programs/demo`, { headers: { authorization: `Bearer ${key}` } })).json()) as any;
    expect(program).toMatchObject({ earnPercent: 10, maxRedeemPercent: 30 });
    expect(program.tiers).toHaveLength(3);
    expect(program.welcomeBonus).toBeGreaterThan(0);
    // The banner points at the interactive API documentation, which the process serves.
    expect(proc.output()).toMatch(/API docs: +http:\/\/localhost:\d+\/docs/);
    expect((await fetch(`http://127.0.0.1:${port}/docs`)).status).toBe(200);
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    expect(proc.output()).toContain('shutting down');
  }, 60_000);

  it('refuses to start with a malformed setting and names it', async () => {
    const proc = run({ PORT: 'eighty', NODE_ENV: 'development' });
    expect(await proc.exited).toBe(78);
    expect(proc.output()).toContain('PORT');
  }, 30_000);
});
