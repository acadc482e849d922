/**
 * Till load: concurrent tills posting purchases (a quarter of them redeeming points) against the
 * real service running as its own process on PostgreSQL, next to the floor of the same setup: an
 * HTTP round trip with one trivial query (GET /healthz), measured in the same run.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { printLoadTable, runLoad, runOpenLoop } from './load.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BASE_URL = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ADMIN = 'bench-admin-key-0123456789abcdef';
const TILLS = 16;
const CARDS = 400;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);

export async function benchTill(): Promise<void> {
  const dbName = `bench_${randomUUID().slice(0, 8)}`;
  const admin = new pg.Client({ connectionString: BASE_URL });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  const url = new URL(BASE_URL);
  url.pathname = `/${dbName}`;
  const port = 20000 + Math.floor(Math.random() * 20000);
  const server = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/app/main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: url.toString(),
      DATABASE_POOL_SIZE: '20',
      ADMIN_API_KEY: ADMIN,
      LOG_LEVEL: 'warn',
      WORKERS: 'false',
      DATA_DIR: path.join(ROOT, 'data', 'bench'),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(base);
    const api = async (method: string, p: string, body?: unknown, key = ADMIN, headers: Record<string, string> = {}) => {
      const res = await fetch(base + p, {
        method,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json().catch(() => undefined)) as any };
    };
    const must = (res: { status: number; body: any }, what: string) => {
      if (res.status >= 300) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    };
    must(
      await api('POST', '/api/v1/programs', {
        slug: 'bench',
        name: 'Bench',
        welcomeBonus: 500,
        tiers: [
          { name: 'Silver', minSpend: 0, earnPercent: 10 },
          { name: 'Gold', minSpend: 100000, earnPercent: 12 },
        ],
      }),
      'program',
    );
    const keys: string[] = [];
    for (let i = 0; i < TILLS; i++) {
      const store = must(await api('POST', '/api/v1/stores', { program: 'bench', name: `Store ${i}`, latitude: 55, longitude: 37 }), 'store');
      keys.push(must(await api('POST', '/api/v1/api-keys', { name: `till ${i}`, role: 'pos', storeId: store.id }), 'key').key);
    }
    const cards: string[] = [];
    for (let i = 0; i < CARDS; i++) {
      cards.push(
        must(
          await api('POST', '/api/v1/cards', {
            program: 'bench',
            customer: { name: 'Bench', phone: `+7916${String(1000000 + i)}` },
            consent: { personalData: true, marketing: false },
          }),
          'card',
        ).cardNumber,
      );
    }
    console.log(`service on PostgreSQL (own process, pool 20), ${TILLS} concurrent tills, ${CARDS} cards, ${SECONDS} s per row, Node ${process.version}`);

    const floor = await runLoad(
      'reference: GET /healthz',
      TILLS,
      SECONDS * 1000,
      async () => (await fetch(`${base}/healthz`).then((r) => r.arrayBuffer().then(() => r.status))) === 200,
    );
    let reported = false;
    const purchase = async (client: number, i: number) => {
      const res = await api(
        'POST',
        '/api/v1/pos/purchases',
        {
          barcode: cards[(client * 7919 + i * 31) % CARDS],
          receiptId: `${client}-${i}-${randomUUID()}`,
          amount: '1234.50',
          redeemPoints: i % 4 === 0 ? 10 : 0,
        },
        keys[client]!,
        { 'idempotency-key': randomUUID() },
      );
      if (res.status !== 201 && !reported) {
        reported = true;
        console.error('first failure:', res.status, JSON.stringify(res.body));
      }
      return res.status === 201;
    };
    const purchases = await runLoad(`POST /api/v1/pos/purchases (${TILLS} tills, back to back)`, TILLS, SECONDS * 1000, purchase);
    // Half the measured capacity, arriving at a steady rate as from many real tills.
    const rate = Math.max(10, Math.round(purchases.perSecond / 2));
    const steady = await runOpenLoop(`POST /api/v1/pos/purchases (${rate}/s steady)`, rate, SECONDS * 1000, (i) => purchase(i % TILLS, 100_000 + i));
    printLoadTable([floor, purchases, steady]);
    console.log(
      `saturated: ${purchases.perSecond.toFixed(0)} purchases/s = ${((purchases.perSecond / floor.perSecond) * 100).toFixed(0)}% of the trivial-request rate; ` +
        `at half that load p50 ${steady.p50Ms.toFixed(1)} ms, p99 ${steady.p99Ms.toFixed(1)} ms (${(steady.p99Ms / floor.p50Ms).toFixed(1)}× the floor's p50)`,
    );
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    await admin.query(`drop database if exists ${dbName}`);
    await admin.end();
  }
}

async function waitForHealth(base: string): Promise<void> {
  const until = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${base}/healthz`)).status === 200) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > until) throw new Error('service did not start');
    await new Promise((r) => setTimeout(r, 200));
  }
}
