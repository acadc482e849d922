/**
 * Analytics at scale: a program of 1 000 000 cards and 5 000 000 purchases over a year on
 * PostgreSQL, and a campaign of 100 000 members (20 % holdout). Measures the program analytics for
 * the year by month and the campaign's attribution report — the service's own functions on the
 * project's schema and indexes — next to a reference measured in the same run: one plain pass over
 * the purchases (`select sum(amount_minor) from purchases`), the least any figure over them costs.
 *
 * - A database of its own (created on DATABASE_URL's server, dropped at the end), migrated by the
 *   project's migrator, seeded set-based (generate_series), then VACUUM ANALYZE as autovacuum
 *   would have by then (index-only scans need the visibility map).
 * - Each query runs BENCH_ANALYTICS_RUNS times (5); the median and the slowest are printed.
 *
 * Environment: BENCH_ANALYTICS_CARDS (1000000), BENCH_ANALYTICS_PURCHASES (5000000),
 * BENCH_ANALYTICS_CAMPAIGN (100000), BENCH_ANALYTICS_RUNS (5), BENCH_ANALYTICS_KEEP (1: leave the database for EXPLAIN),
 * BENCH_ANALYTICS_REUSE (the name of a database a KEEP run left: migrated to the latest and measured, not seeded),
 * DATABASE_URL / BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test).
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import pg from 'pg';
import { openDatabase, type Db } from '../../src/platform/db/database.js';
import { migrateToLatest } from '../../src/platform/db/migrate.js';
import { programAnalytics } from '../../src/analytics/program-analytics.js';
import { attributionReport } from '../../src/engagement/campaigns/campaign-report.js';

const BASE_URL = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

function envInt(name: string, fallback: number, min: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}`);
  return n;
}

async function timed<T>(runs: number, fn: () => Promise<T>): Promise<{ median: number; max: number; result: T }> {
  const times: number[] = [];
  let result!: T;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    result = await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)]!, max: times[times.length - 1]!, result };
}

const ms = (x: number) => `${x.toFixed(0).padStart(6)} ms`;

export async function benchAnalytics(): Promise<void> {
  const cards = envInt('BENCH_ANALYTICS_CARDS', 1_000_000, 1000);
  const purchases = envInt('BENCH_ANALYTICS_PURCHASES', 5_000_000, 1000);
  const members = Math.min(cards, envInt('BENCH_ANALYTICS_CAMPAIGN', 100_000, 100));
  const runs = envInt('BENCH_ANALYTICS_RUNS', 5, 1);

  const reuse = process.env.BENCH_ANALYTICS_REUSE;
  if (reuse !== undefined && !/^bench_analytics_[0-9a-f]{8}$/.test(reuse)) throw new Error('BENCH_ANALYTICS_REUSE names a database a KEEP run left');
  const dbName = reuse ?? `bench_analytics_${randomUUID().slice(0, 8)}`;
  const admin = new pg.Client({ connectionString: BASE_URL });
  await admin.connect();
  if (!reuse) await admin.query(`create database ${dbName}`);
  const url = new URL(BASE_URL);
  url.pathname = `/${dbName}`;
  const handle = await openDatabase({ databaseUrl: url.toString(), maxConnections: 10 });
  const db = handle.db;
  try {
    const migrateStart = performance.now();
    await migrateToLatest(db);
    if (reuse) {
      console.log(`  reused ${dbName}, migrated in ${((performance.now() - migrateStart) / 1000).toFixed(1)} s`);
      await sql`vacuum analyze`.execute(db);
    } else await seed(db, url.toString(), { cards, purchases, members });
    const program = await db.selectFrom('programs').selectAll().where('slug', '=', 'bench').executeTakeFirstOrThrow();
    const campaignId = (await db.selectFrom('campaigns').select('id').where('program_id', '=', program.id).executeTakeFirstOrThrow()).id;

    const today = new Intl.DateTimeFormat('en-CA', { timeZone: program.timezone }).format(new Date());
    const yearAgo = new Intl.DateTimeFormat('en-CA', { timeZone: program.timezone }).format(new Date(Date.now() - 364 * 86_400_000));
    const reference = await timed(runs, () => sql`select sum(amount_minor) from purchases`.execute(db));
    const year12 = await timed(runs, () => programAnalytics(db, program, { from: yearAgo, to: today, groupBy: 'month' }));
    const oneStore = await timed(runs, async () => {
      const store = await db.selectFrom('stores').select('id').where('program_id', '=', program.id).orderBy('id').executeTakeFirstOrThrow();
      return programAnalytics(db, program, { from: yearAgo, to: today, groupBy: 'month', storeId: store.id });
    });
    const report = await timed(runs, () => attributionReport(db, [campaignId]));

    const t = year12.result.totals;
    console.log(
      `  data: ${cards} cards, ${purchases} purchases (${t.purchases} in the year), ${t.activeCustomers} active customers, ` +
        `apple in wallet ${t.wallets.apple.atEnd}, google ${t.wallets.google.atEnd}, ${year12.result.series.length} months`,
    );
    console.log(
      `  report: ${report.result.recipients} recipients, ${report.result.holdout} holdout, uplift ${JSON.stringify(report.result.conversion.uplift)}`,
    );
    console.log(`reference: one pass over the purchases    median ${ms(reference.median)}  max ${ms(reference.max)}`);
    const row = (label: string, m: { median: number; max: number }) =>
      console.log(
        `${label.padEnd(42)} median ${ms(m.median)}  max ${ms(m.max)}  ${(m.median / reference.median).toFixed(1)}× the reference  ${m.max < 2000 ? 'under' : 'OVER'} 2 s`,
      );
    row('program analytics, a year by month', year12);
    row('the same for one store', oneStore);
    row(`campaign report, ${members} members`, report);
  } finally {
    await handle.close();
    if (process.env.BENCH_ANALYTICS_KEEP === '1') console.log(`  kept database ${dbName} (BENCH_ANALYTICS_KEEP=1)`);
    else await dropDatabase(admin, dbName);
    await admin.end();
  }
}

/** The program, its stores, cards, purchases, ledger, wallet events, receipts and a campaign, set-based. */
async function seed(db: Db, url: string, { cards, purchases, members }: { cards: number; purchases: number; members: number }): Promise<void> {
  const seedStart = performance.now();
  // Seeded on one connection without foreign-key and trigger checks (session_replication_role):
  // the rows are consistent by construction, and checking 11 million of them one by one would
  // take the bench ten minutes. The queries measured run with everything on.
  const seeding = new pg.Client({ connectionString: url });
  await seeding.connect();
  await seeding.query('set session_replication_role = replica');
  const step = async (label: string, q: ReturnType<typeof sql>) => {
    const t = performance.now();
    const compiled = q.compile(db);
    await seeding.query(compiled.sql, compiled.parameters as unknown[]);
    console.log(`  seed ${label.padEnd(40)} ${ms(performance.now() - t)}`);
  };
  const year = sql`interval '365 days'`;
  await step(
    'program and 20 stores',
    sql`with b as (insert into brands (slug, name) values ('bench', 'Bench') returning id),
      p as (insert into programs (slug, name, timezone, brand_id) select 'bench', 'Bench', 'Europe/Moscow', b.id from b returning id)
      insert into stores (program_id, name, latitude, longitude) select p.id, 'Store ' || i, 55 + i / 100.0, 37 from p, generate_series(1, 20) i`,
  );
  const program = await db.selectFrom('programs').selectAll().where('slug', '=', 'bench').executeTakeFirstOrThrow();
  await step(
    `${cards} customers`,
    sql`insert into customers (id, program_id, name, marketing_consent)
      select md5('c' || i)::uuid, ${program.id}, 'Customer ' || i, i % 10 != 0 from generate_series(1, ${cards}::int) i`,
  );
  await step(
    `${cards} cards over a year`,
    sql`insert into cards (id, program_id, customer_id, card_number, serial_number, barcode_value, tier, auth_token, link_token, source, issued_store_id, created_at, pass_updated_at, updated_at, balance)
      select md5('k' || i)::uuid, ${program.id}, md5('c' || i)::uuid, 'B' || i, md5('s' || i), 'B' || i, 'Silver', md5('a' || i), md5('l' || i),
        (array['qr', 'sms', 'poster', 'till'])[1 + i % 4], s.ids[1 + i % 20], now() - ${year} * random(), now(), now(), 0
      from generate_series(1, ${cards}::int) i, (select array_agg(id order by id) as ids from stores where program_id = ${program.id}) s`,
  );
  await step(
    `${purchases} purchases over a year`,
    // With each purchase's chain (the card's two before, in the program and at the store), as the till writes it.
    sql`insert into purchases (program_id, card_id, store_id, receipt_id, amount_minor, redeemed_points, earned_points, created_at, prev_at, prev2_at, prev_at_store, prev2_at_store)
      select ${program.id}::uuid, card_id, store_id, receipt_id, amount_minor, 0, earned_points, created_at,
        lag(created_at, 1) over card, lag(created_at, 2) over card, lag(created_at, 1) over store, lag(created_at, 2) over store
      from (
        select md5('k' || (1 + (i::bigint * 7919) % ${cards}))::uuid as card_id, s.ids[1 + i % 20] as store_id, 'R' || i as receipt_id,
          10000 + (i % 500) * 100 as amount_minor, 100 + i % 50 as earned_points, now() - ${year} * random() as created_at
        from generate_series(1, ${purchases}::int) i, (select array_agg(id order by id) as ids from stores where program_id = ${program.id}) s
      ) g
      window card as (partition by card_id order by created_at), store as (partition by card_id, store_id order by created_at)`,
  );
  await step(
    `${purchases} ledger entries (earn)`,
    sql`insert into ledger_entries (card_id, program_id, kind, points, amount_minor, store_id, receipt_id, purchase_id, created_at)
      select card_id, ${program.id}, 'earn', earned_points, amount_minor, store_id, receipt_id, id, created_at from purchases`,
  );
  // Balances are not rewritten from the entries (4 minutes for 1 000 000 cards here): the liability
  // figure reads them in one pass either way, whatever they hold.
  await step(
    `${Math.round(cards * 0.6)} installs, ${Math.round(cards * 0.1)} removals`,
    sql`insert into wallet_events (program_id, card_id, channel, event, card_delta, at)
      select ${program.id}::uuid, md5('k' || i)::uuid, case when i % 3 = 0 then 'google' else 'apple' end, 'installed', 1, now() - ${year} * random() * 0.9
      from generate_series(1, ${Math.round(cards * 0.6)}::int) i
      union all
      select ${program.id}::uuid, md5('k' || i)::uuid, case when i % 3 = 0 then 'google' else 'apple' end, 'removed', -1, now() - ${year} * random() * 0.05
      from generate_series(1, ${Math.round(cards * 0.1)}::int) i`,
  );
  await step(
    `${Math.round(purchases / 5)} receipts without a card`,
    sql`insert into pos_receipts (store_id, receipt_id, amount_minor, created_at)
      select s.ids[1 + i % 20], 'N' || i, 8000 + (i % 300) * 100, now() - ${year} * random()
      from generate_series(1, ${Math.round(purchases / 5)}::int) i, (select array_agg(id order by id) as ids from stores where program_id = ${program.id}) s`,
  );
  const campaignId = randomUUID();
  await step(
    `a campaign of ${members} (20 % holdout)`,
    sql`with c as (
        insert into campaigns (id, program_id, kind, message, audience, send_at, status, started_at, completed_at, holdout_percent)
        values (${campaignId}, ${program.id}, 'broadcast', 'Sale', '{}', now() - interval '30 days', 'completed', now() - interval '30 days', now() - interval '30 days', 20)
        returning id)
      insert into campaign_deliveries (campaign_id, card_id, status, apple, sent_at)
      select c.id, md5('k' || i)::uuid, case when i % 5 = 0 then 'holdout' else 'sent' end, i % 3 != 0, case when i % 5 = 0 then null else now() - interval '30 days' end
      from c, generate_series(1, ${members}::int) i`,
  );
  await seeding.query('set session_replication_role = origin');
  await step('vacuum analyze', sql`vacuum analyze`);
  await seeding.end();
  console.log(`  seeded in ${(performance.now() - seedStart) / 1000} s`);
}

/** pg-pool's end() resolves before its connections have closed: a plain DROP may find them a moment longer. */
async function dropDatabase(admin: pg.Client, dbName: string): Promise<void> {
  {
    for (const until = Date.now() + 10_000; ;) {
      try {
        await admin.query(`drop database if exists ${dbName}`);
        break;
      } catch (err) {
        if ((err as { code?: string }).code !== '55006' || Date.now() > until) {
          await admin.query(`drop database if exists ${dbName} with (force)`);
          break;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
}
