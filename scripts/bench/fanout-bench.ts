/**
 * Fan-out: a campaign that changes every card of a 100 000-card program, pushed to Wallet through
 * the service's own path (the outbox jobs, the real JobRunner, ApplePushHandlers and the HTTP/2
 * APNs client), next to the same client sending one push at a time, measured in the same run.
 *
 * - PostgreSQL: a database of its own (created on DATABASE_URL's server, dropped at the end),
 *   migrated by the project's migrator; cards, devices and registrations inserted set-based.
 * - The campaign: every card's message changed, then the outbox's program-wide change (pass-version
 *   bump) and its fan-out, one `apple.card-changed` job per card (WalletOutbox.expandProgramChange).
 * - APNs: test/support/fake-apns.ts in a child process of its own (as APNs is another machine;
 *   in-process its TLS and HTTP/2 work would be billed to the service), trusting the dev pass
 *   certificate's chain, announcing 1000 streams like APNs, answering 200 after a random delay.
 *
 * Then the same path again on samples: with other JobRunner/pool options, with a what-if of the
 * token lookups (one query per batch instead of per job), and with the jobs table's statistics as
 * they stand before autovacuum analyzes it after a bulk insert.
 *
 * Environment: BENCH_FANOUT_CARDS (100000), BENCH_FANOUT_APNS_MS ("5-20": uniform delay range, or
 * one number), BENCH_FANOUT_BASELINE (2000 pushes, at most 10 s), BENCH_FANOUT_SAMPLE (jobs per
 * option row, 10000; 0 skips them), BENCH_FANOUT_STALE_SAMPLE (jobs per statistics row, 5000;
 * 0 skips them), DATABASE_URL / BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test).
 *
 * This file is also the fake APNs child's entry point (BENCH_FANOUT_ROLE=fake-apns).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import pg from 'pg';
import type { JobKind } from '../../src/platform/jobs/job-kinds.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const THIS_FILE = fileURLToPath(import.meta.url);
const IDS = { passTypeIdentifier: 'pass.com.example.fanout', teamIdentifier: 'FANOUT1234' };
const APNS_STREAM_LIMIT = 1000; // what APNs announces on a certificate connection

/** Campaign device i (1-based) has this token; the same expression is used in SQL below. */
const campaignToken = (i: number): string => i.toString(16).padStart(64, '0');
const CAMPAIGN_TOKEN_SQL = (i: string) => sql.raw(`lpad(to_hex(${i}), 64, '0')`);
/** Baseline pushes go to tokens of their own, so the fake counts them apart. */
const baselineToken = (i: number): string => `b${i.toString(16).padStart(63, '0')}`;

// ---------------------------------------------------------------------------------------------
// The fake APNs child process
// ---------------------------------------------------------------------------------------------

interface StartMessage {
  type: 'start';
  ca: string;
  serverCert: string;
  serverKey: string;
  topic: string;
  delay: { min: number; max: number };
  /** Campaign tokens 1..campaignCards and baseline tokens 0..baselinePushes get a scripted random delay. */
  campaignCards: number;
  baselinePushes: number;
}
type ToChild = StartMessage | { type: 'stats' };

interface FakeStats {
  /** Requests to campaign tokens 1..campaignCards, how many distinct tokens, repeats, and strays. */
  campaign: { requests: number; distinct: number; repeats: number; outOfRange: number };
  baseline: { requests: number };
  badRequests: number; // body other than "{}", wrong topic or method, or no client certificate
  peakConcurrentStreams: number;
  sessions: number;
  cpuMs: number;
}
type FromChild = { type: 'started'; url: string } | { type: 'stats'; stats: FakeStats } | { type: 'error'; message: string };

async function fakeApnsChild(): Promise<void> {
  const { startFakeApns } = await import('../../test/support/fake-apns.js');
  type Fake = Awaited<ReturnType<typeof startFakeApns>>;
  let fake: Fake | undefined;
  let start: StartMessage | undefined;
  let counts = new Map<string, number>();
  let stats: FakeStats;
  let cpu = process.cpuUsage();
  const reply = (m: FromChild) => process.send!(m);

  const tally = (): void => {
    if (!fake || !start) return;
    // Taken out of the fake's log as they come, so 100 000 recorded requests never pile up.
    for (const r of fake.requests.splice(0)) {
      if (r.body !== '{}' || r.method !== 'POST' || r.headers['apns-topic'] !== start.topic || !r.clientCertSubject) stats.badRequests += 1;
      if (r.token.startsWith('b')) {
        stats.baseline.requests += 1;
        continue;
      }
      stats.campaign.requests += 1;
      const i = Number.parseInt(r.token, 16);
      if (!(i >= 1 && i <= start.campaignCards) || r.token !== campaignToken(i)) {
        stats.campaign.outOfRange += 1;
        continue;
      }
      const seen = counts.get(r.token) ?? 0;
      if (seen > 0) stats.campaign.repeats += 1;
      counts.set(r.token, seen + 1);
    }
    stats.campaign.distinct = counts.size;
  };
  setInterval(tally, 50);

  process.on('disconnect', () => process.exit(0)); // never outlive the benchmark
  process.on('message', (msg: ToChild) => {
    void (async () => {
      try {
        if (msg.type === 'start') {
          await fake?.close();
          start = msg;
          counts = new Map();
          stats = {
            campaign: { requests: 0, distinct: 0, repeats: 0, outOfRange: 0 },
            baseline: { requests: 0 },
            badRequests: 0,
            peakConcurrentStreams: 0,
            sessions: 0,
            cpuMs: 0,
          };
          const { min, max } = msg.delay;
          fake = await startFakeApns({
            ca: msg.ca,
            serverCert: msg.serverCert,
            serverKey: msg.serverKey,
            requireClientCert: true,
            maxConcurrentStreams: APNS_STREAM_LIMIT,
            defaultDelayMs: Math.round((min + max) / 2),
          });
          const delay = () => min + Math.round(Math.random() * (max - min));
          for (let i = 1; i <= msg.campaignCards; i++) fake.respondFor(campaignToken(i), [{ status: 200, delayMs: delay() }]);
          for (let i = 0; i <= msg.baselinePushes; i++) fake.respondFor(baselineToken(i), [{ status: 200, delayMs: delay() }]);
          cpu = process.cpuUsage();
          reply({ type: 'started', url: fake.url });
        } else if (msg.type === 'stats') {
          tally();
          const used = process.cpuUsage(cpu);
          reply({
            type: 'stats',
            stats: {
              ...stats,
              peakConcurrentStreams: fake?.peakConcurrentStreams ?? 0,
              sessions: fake?.sessionCount ?? 0,
              cpuMs: (used.user + used.system) / 1000,
            },
          });
        }
      } catch (err) {
        reply({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      }
    })();
  });
}

if (process.env.BENCH_FANOUT_ROLE === 'fake-apns') await fakeApnsChild();

/** The parent's handle on the child. */
class FakeApnsProcess {
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;

  constructor() {
    this.#child = spawn(process.execPath, ['--import', 'tsx', THIS_FILE], {
      cwd: ROOT,
      env: { ...process.env, BENCH_FANOUT_ROLE: 'fake-apns', NODE_OPTIONS: '' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.#exited = new Promise((resolve) => this.#child.once('exit', () => resolve()));
  }

  #ask<T extends FromChild['type']>(msg: ToChild, answer: T, timeoutMs = 60_000): Promise<Extract<FromChild, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`fake APNs did not answer ${msg.type} within ${timeoutMs} ms`)), timeoutMs);
      const onMessage = (m: FromChild) => {
        if (m.type === 'error') done(new Error(`fake APNs: ${m.message}`));
        else if (m.type === answer) done(undefined, m as Extract<FromChild, { type: T }>);
      };
      const onExit = (code: number | null) => done(new Error(`fake APNs exited (${code})`));
      const done = (err?: Error, m?: Extract<FromChild, { type: T }>) => {
        clearTimeout(timer);
        this.#child.off('message', onMessage);
        this.#child.off('exit', onExit);
        if (err) reject(err);
        else resolve(m!);
      };
      this.#child.on('message', onMessage);
      this.#child.once('exit', onExit);
      this.#child.send(msg);
    });
  }

  /** (Re)starts the fake server with fresh counters; returns its https URL. */
  async start(msg: Omit<StartMessage, 'type'>): Promise<string> {
    return (await this.#ask({ type: 'start', ...msg }, 'started')).url;
  }

  async stats(): Promise<FakeStats> {
    return (await this.#ask({ type: 'stats' }, 'stats')).stats;
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGTERM');
    await this.#exited;
  }
}

// ---------------------------------------------------------------------------------------------
// The benchmark
// ---------------------------------------------------------------------------------------------

const BASE_URL = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SERVICE_POOL_SIZE = 10; // DATABASE_POOL_SIZE's default
const CAMPAIGN_TEXT = 'Autumn sale: −20% this weekend';

interface Row {
  label: string;
  pushes: number;
  seconds: number;
  peakStreams?: number;
  sessions?: number;
  /** ms per batch: claim + token lookups + until the last push answered + delete. */
  perBatch?: string;
  /** Most jobs one claim returned. */
  largestClaim?: number;
  /** cores used during the row: service process / its PostgreSQL backends / fake APNs. */
  cpu?: string;
  check: string;
}

function envInt(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}`);
  return n;
}

function parseDelay(raw: string): { min: number; max: number } {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:-\s*(\d+(?:\.\d+)?))?\s*$/.exec(raw);
  if (!m) throw new Error('BENCH_FANOUT_APNS_MS must be "min-max" or one number of milliseconds');
  const min = Number(m[1]);
  const max = m[2] === undefined ? min : Number(m[2]);
  if (max < min) throw new Error('BENCH_FANOUT_APNS_MS: max < min');
  return { min, max };
}

const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US').replace(/,/g, ' ');

function fmtDuration(seconds: number): string {
  if (seconds < 100) return `${seconds.toFixed(1)} s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  const m = Math.round(seconds / 60);
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** Busy share of all cores between two os.cpus() samples. */
function cpuSample(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const c of os.cpus()) {
    const t = c.times.user + c.times.nice + c.times.sys + c.times.irq + c.times.idle;
    total += t;
    busy += t - c.times.idle;
  }
  return { busy, total };
}

/**
 * pg-pool's end() resolves before its connections have closed, so a plain DROP may still find
 * them for a moment; WITH (FORCE) only as the last resort (it would make the closing pool emit
 * an unhandled 'error').
 */
async function dropDatabase(admin: pg.Client, name: string): Promise<void> {
  for (const until = Date.now() + 10_000; ;) {
    try {
      await admin.query(`drop database if exists ${name}`);
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== '55006' || Date.now() > until) break; // 55006: in use
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await admin.query(`drop database if exists ${name} with (force)`);
}

export async function benchFanout(): Promise<void> {
  const cards = envInt('BENCH_FANOUT_CARDS', 100_000, 1);
  const delay = parseDelay(process.env.BENCH_FANOUT_APNS_MS ?? '5-20');
  const baselineMax = envInt('BENCH_FANOUT_BASELINE', 2000, 1);
  const baselineMs = 10_000;
  const sampleCards = Math.min(cards, envInt('BENCH_FANOUT_SAMPLE', 10_000, 0));
  // The "emptied table" row is quadratic in its size (see the end): keep it small.
  const staleCards = Math.min(cards, envInt('BENCH_FANOUT_STALE_SAMPLE', 5_000, 0));

  // Loaded here, not at the top: the fake APNs child imports this file and needs none of it.
  const [
    { openDatabase },
    { migrateToLatest },
    { createLogger },
    { JobQueue },
    { JobRunner },
    { WalletOutbox },
    { RegistrationService },
    push,
    { ApnsHealth },
    { createApnsClient },
    { ensureDevCertificates },
    pki,
  ] = await Promise.all([
    import('../../src/platform/db/database.js'),
    import('../../src/platform/db/migrate.js'),
    import('../../src/platform/log/logger.js'),
    import('../../src/platform/jobs/job-queue.js'),
    import('../../src/platform/jobs/job-runner.js'),
    import('../../src/wallets/outbox/wallet-outbox.js'),
    import('../../src/wallets/apple/registration-service.js'),
    import('../../src/wallets/apple/push-handlers.js'),
    import('../../src/wallets/apple/apns-health.js'),
    import('../../src/wallets/apple/apns/apns-client.js'),
    import('../../src/wallets/apple/pkpass/dev-certificates.js'),
    import('../../test/support/test-pki.js'),
  ]);
  const { ApplePushHandlers } = push;
  type ApnsClient = ReturnType<typeof createApnsClient>;
  type Db = Awaited<ReturnType<typeof openDatabase>>['db'];
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');

  // Everything set up is torn down in reverse order, on success, failure or Ctrl-C. A drain under
  // way is stopped first: its claims come back empty, so it ends after the batch in flight.
  const cleanups: Array<() => Promise<unknown>> = [];
  let aborting = false;
  let draining: Promise<unknown> | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanUp = (): Promise<void> =>
    (cleaning ??= (async () => {
      aborting = true;
      await draining?.catch(() => undefined);
      for (const fn of cleanups.reverse()) {
        try {
          await fn();
        } catch (err) {
          console.error(`fanout cleanup: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    })());
  const onSignal = (signal: NodeJS.Signals) => {
    if (cleaning) return; // a second Ctrl-C must not kill the cleanup half-way
    console.error(`\n${signal}: stopping and cleaning up the fan-out benchmark…`);
    void cleanUp().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  cleanups.push(async () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  });

  try {
    // Certificates: the dev pass certificate is the APNs client certificate; the fake trusts its
    // chain and presents a server certificate from a test CA that the client is told to trust.
    const work = await mkdtemp(path.join(os.tmpdir(), 'fanout-bench-'));
    cleanups.push(() => rm(work, { recursive: true, force: true }));
    const dev = await ensureDevCertificates(path.join(work, 'certs'), IDS);
    const [certPem, keyPem, rootPem, wwdrPem] = await Promise.all(
      [dev.certPath, dev.keyPath, dev.rootCertPath, dev.wwdrCertPath].map((p) => readFile(p, 'utf8')),
    );
    const testCa = await pki.createTestCa({ commonName: 'Fan-out bench APNs CA' });
    const serverTls = await pki.issueServerCert(testCa);
    const fakeApns = new FakeApnsProcess();
    cleanups.push(() => fakeApns.stop());
    const startFake = (campaignCards: number, baselinePushes: number) =>
      fakeApns.start({
        ca: `${rootPem}\n${wwdrPem}`,
        serverCert: serverTls.certPem,
        serverKey: serverTls.keyPem,
        topic: IDS.passTypeIdentifier,
        delay,
        campaignCards,
        baselinePushes,
      });
    const newClient = (url: string): ApnsClient => {
      const client = createApnsClient({ url, auth: { kind: 'certificate', certPem: certPem!, keyPem: keyPem! }, ca: testCa.certPem });
      cleanups.push(() => client.close());
      return client;
    };

    // A database of its own.
    const dbName = `bench_fanout_${randomUUID().slice(0, 8)}`;
    const admin = new pg.Client({ connectionString: BASE_URL });
    await admin.connect();
    cleanups.push(() => admin.end());
    await admin.query(`create database ${dbName}`);
    cleanups.push(() => dropDatabase(admin, dbName));
    const dbUrl = new URL(BASE_URL);
    dbUrl.pathname = `/${dbName}`;
    /** A pool on the benchmark's database, closed at the latest by the cleanup. */
    const openPool = async (size: number) => {
      const h = await openDatabase({ databaseUrl: dbUrl.toString(), maxConnections: size });
      let closing: Promise<void> | undefined;
      const close = () => (closing ??= h.close());
      cleanups.push(close);
      return { db: h.db, close };
    };
    const db = (await openPool(SERVICE_POOL_SIZE)).db;
    await migrateToLatest(db);
    const { rows: settings } = await sql<{ version: string; autovacuum: string }>`
      select current_setting('server_version') as version, current_setting('autovacuum') as autovacuum`.execute(db);

    // Cards with one registered device each: set-based, a few seconds for 100 000.
    let t = performance.now();
    const { rows: programRows } = await sql<{ id: string }>`insert into programs (slug, name) values ('fanout', 'Fan-out bench') returning id`.execute(db);
    const programId = programRows[0]!.id;
    await sql`
      insert into customers (id, program_id, name, phone, marketing_consent)
      select md5('customer-' || i)::uuid, ${programId}, 'Customer ' || i, '+7900' || lpad(i::text, 7, '0'), true
      from generate_series(1, ${cards}::int) i`.execute(db);
    await sql`
      insert into cards (id, program_id, customer_id, card_number, serial_number, barcode_value, tier, auth_token, link_token)
      select md5('card-' || i)::uuid, ${programId}, md5('customer-' || i)::uuid, lpad(i::text, 12, '0'), 'FANOUT-' || lpad(i::text, 8, '0'),
             lpad(i::text, 12, '0'), 'Member', md5('auth-' || i) || md5('auth2-' || i), md5('link-' || i)
      from generate_series(1, ${cards}::int) i`.execute(db);
    await sql`
      insert into apple_devices (device_library_id, push_token)
      select 'device-' || lpad(i::text, 8, '0'), ${CAMPAIGN_TOKEN_SQL('i')} from generate_series(1, ${cards}::int) i`.execute(db);
    await sql`
      insert into apple_registrations (device_library_id, card_id)
      select 'device-' || lpad(i::text, 8, '0'), md5('card-' || i)::uuid from generate_series(1, ${cards}::int) i`.execute(db);
    await sql`analyze`.execute(db);
    const seedSeconds = (performance.now() - t) / 1000;

    /** CPU seconds used so far by the PostgreSQL backends serving this benchmark's database. */
    const pgLocal = ['127.0.0.1', 'localhost', '[::1]', '::1'].includes(dbUrl.hostname) && process.platform === 'linux';
    const pgBackendCpu = async (): Promise<Map<number, number> | undefined> => {
      if (!pgLocal) return undefined;
      const { rows: pids } = await admin.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1', [dbName]);
      const out = new Map<number, number>();
      for (const { pid } of pids) {
        try {
          if (!(await readFile(`/proc/${pid}/comm`, 'utf8')).startsWith('postgres')) return undefined; // another pid namespace
          const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
          const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          out.set(pid, (Number(f[11]) + Number(f[12])) / 100); // utime + stime in USER_HZ (100)
        } catch {
          // the backend just exited
        }
      }
      return out;
    };

    interface Drained {
      row: Row;
      elu: number;
      machineBusy: number;
      lookupMs: number;
      pushMs: number;
      batches: number;
      claimMs: number;
    }

    /**
     * Drains the queue with `runners` JobRunners sharing one APNs client and checks at the fake
     * that every token got exactly one push. JobQueue, RegistrationService and the client are
     * the real ones, subclassed/wrapped only to time each step.
     */
    const drain = async (
      label: string,
      expected: number,
      run: { runners: number; batchSize?: number; coalesce?: boolean },
      database: Db,
      client: ApnsClient,
    ): Promise<Drained> => {
      // Per batch (meaningful with one runner): claim, until the last token lookup returned,
      // until the last push was answered, and the delete of the finished jobs.
      const phase = { batches: 0, claim: 0, lookups: 0, pushes: 0, complete: 0, lookupMs: 0, lookupN: 0, pushMs: 0, pushN: 0, largestClaim: 0 };
      let claimedAt = 0;
      let lastLookup = 0;
      let lastPush = 0;
      class TimedQueue extends JobQueue {
        override async claim(kinds: JobKind[], limit: number, leaseMs: number) {
          if (aborting) return [];
          const t0 = performance.now();
          const jobs = await super.claim(kinds, limit, leaseMs);
          claimedAt = lastLookup = lastPush = performance.now();
          if (jobs.length) phase.claim += claimedAt - t0;
          phase.largestClaim = Math.max(phase.largestClaim, jobs.length);
          return jobs;
        }
        override async complete(ids: number[]) {
          const t0 = performance.now();
          await super.complete(ids);
          phase.batches += 1;
          phase.lookups += lastLookup - claimedAt;
          phase.pushes += Math.max(0, lastPush - lastLookup);
          phase.complete += performance.now() - t0;
        }
      }
      class TimedRegistrations extends RegistrationService {
        override async pushTokensForCards(cardIds: string[]) {
          const t0 = performance.now();
          const tokens = await super.pushTokensForCards(cardIds);
          lastLookup = performance.now();
          phase.lookupMs += lastLookup - t0;
          phase.lookupN += 1;
          return tokens;
        }
      }
      const sender = {
        async send(token: string, topic: string) {
          const t0 = performance.now();
          const result = await client.send(token, topic);
          lastPush = performance.now();
          phase.pushMs += lastPush - t0;
          phase.pushN += 1;
          return result;
        },
      };
      const handlers = new ApplePushHandlers(database, new TimedRegistrations(database), sender, IDS.passTypeIdentifier, new ApnsHealth(logger), logger);
      const queue = new TimedQueue(database);
      const runners = Array.from({ length: run.runners }, () => {
        // As the service builds it (pollMs = JOB_POLL_MS's default; it only matters when idle).
        const runner = new JobRunner(queue, logger, { pollMs: 500, ...(run.batchSize !== undefined && { batchSize: run.batchSize }) });
        return runner.handle({ 'apple.card-changed': handlers.cardChanged, 'apple.push': handlers.retryPush });
      });
      const pg0 = await pgBackendCpu();
      const fake0 = (await fakeApns.stats()).cpuMs;
      const elu0 = performance.eventLoopUtilization();
      const cpu0 = process.cpuUsage();
      const m0 = cpuSample();
      const t0 = performance.now();
      // drain() is the runner's own loop (claim a batch, run its handlers at once, delete the
      // done jobs, repeat) without the idle sleep: what start() does while there is a backlog.
      draining = Promise.all(runners.map((r) => r.drain()));
      await draining;
      if (aborting) throw new Error('interrupted');
      const seconds = (performance.now() - t0) / 1000;
      const elu = performance.eventLoopUtilization(elu0).utilization;
      const cpu = process.cpuUsage(cpu0);
      const m1 = cpuSample();
      const pg1 = await pgBackendCpu();
      const stats = await fakeApns.stats();
      const left = Number((await sql<{ n: string }>`select count(*) as n from jobs`.execute(database)).rows[0]!.n);
      const problems: string[] = [];
      if (left !== 0) problems.push(`${left} jobs left`);
      if (stats.campaign.distinct !== expected) problems.push(`${stats.campaign.distinct} of ${expected} tokens pushed`);
      if (stats.campaign.repeats !== 0) problems.push(`${stats.campaign.repeats} repeated pushes`);
      if (stats.campaign.outOfRange !== 0) problems.push(`${stats.campaign.outOfRange} stray pushes`);
      if (stats.badRequests !== 0) problems.push(`${stats.badRequests} malformed requests`);
      let pgCores: number | undefined;
      if (pg0 && pg1) {
        let used = 0;
        for (const [pid, after] of pg1) used += after - (pg0.get(pid) ?? 0);
        pgCores = used / seconds;
      }
      const n = Math.max(1, phase.batches);
      const ms = (x: number) => (x / n >= 10 ? (x / n).toFixed(0) : (x / n).toFixed(1));
      const cores = (x: number | undefined) => (x === undefined ? '?' : x.toFixed(2));
      return {
        row: {
          label,
          pushes: stats.campaign.requests,
          seconds,
          peakStreams: stats.peakConcurrentStreams,
          sessions: stats.sessions,
          perBatch: run.runners === 1 ? `${ms(phase.claim)} + ${ms(phase.lookups)} + ${ms(phase.pushes)} + ${ms(phase.complete)}` : `${ms(phase.claim)} + …`,
          largestClaim: phase.largestClaim,
          cpu: `${cores((cpu.user + cpu.system) / 1e6 / seconds)} / ${cores(pgCores)} / ${cores((stats.cpuMs - fake0) / 1000 / seconds)}`,
          check: problems.length ? `FAILED: ${problems.join(', ')}` : 'each token once',
        },
        elu,
        machineBusy: (m1.busy - m0.busy) / Math.max(1, m1.total - m0.total),
        lookupMs: phase.lookupMs / Math.max(1, phase.lookupN),
        pushMs: phase.pushMs / Math.max(1, phase.pushN),
        batches: phase.batches,
        claimMs: phase.claim / n,
      };
    };

    /** Puts `count` of the campaign's jobs in the (empty) queue and drains them with `run`. */
    const rerun = async (
      label: string,
      count: number,
      run: { runners: number; batchSize: number; pool: number; coalesce?: boolean },
      statistics: 'current' | 'before-insert',
    ): Promise<Drained> => {
      const h = await openPool(run.pool);
      // Statistics of the queue as it stands before the insert (empty); 'current' refreshes
      // them after the insert, as autovacuum's analyze does eventually.
      await sql`analyze jobs`.execute(h.db);
      await sql`
        insert into jobs (kind, dedupe_key, payload)
        select 'apple.card-changed', md5('card-' || i)::uuid::text, jsonb_build_object('cardId', md5('card-' || i)::uuid)
        from generate_series(1, ${count}::int) i`.execute(h.db);
      if (statistics === 'current') await sql`analyze jobs`.execute(h.db);
      const c = newClient(await startFake(count, 0));
      const result = await drain(label, count, run, h.db, c);
      await c.close();
      await h.close();
      return result;
    };

    // The jobs table's statistics before autovacuum has analyzed a bulk insert, on samples and
    // before the campaign: first as a fresh install leaves them (never analyzed with rows, no
    // pages), then emptied (pages left by the first sample's jobs, analyzed while empty, as
    // autovacuum does when an outbox happens to be empty: 0 rows and no column statistics).
    const stale: Drained[] = [];
    if (staleCards > 0) {
      const defaults = { runners: 1, batchSize: 200, pool: SERVICE_POOL_SIZE };
      stale.push(await rerun('   defaults, stats of a never-used table', staleCards, defaults, 'before-insert'));
      stale.push(await rerun('   defaults, stats of an emptied table', staleCards, defaults, 'before-insert'));
    }

    // The campaign: every card's message changes in one transaction, with the outbox's program-wide
    // pass-version bump and its fan-out (one apple.card-changed job per card, the dedupe key its id).
    const outbox = new WalletOutbox({ card: ['apple.card-changed'], program: [], coalesceMs: 0 });
    t = performance.now();
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('cards').set({ message: CAMPAIGN_TEXT }).where('program_id', '=', programId).where('status', '!=', 'voided').execute();
      await outbox.programChanged(trx, programId);
      // What the 'program.changed' handler does, in this transaction; its own job is then done.
      await outbox.expandProgramChange(trx, programId);
      await trx.deleteFrom('jobs').where('kind', '=', 'program.changed').execute();
    });
    const campaignSeconds = (performance.now() - t) / 1000;
    const queued = await new JobQueue(db).countWaiting(['apple.card-changed']);
    if (queued !== cards) throw new Error(`expected ${cards} jobs, found ${queued}`);
    // Current statistics, as autovacuum's analyze gives them after such an insert (within its
    // naptime); the "statistics from before the insert" rows show what the claim does until then.
    await sql`analyze jobs`.execute(db);

    console.log(
      `PostgreSQL ${settings[0]!.version} (autovacuum ${settings[0]!.autovacuum}), a database of its own; ${fmtInt(cards)} cards × 1 device seeded in ${seedSeconds.toFixed(1)} s; ` +
        `campaign (messages, pass versions, ${fmtInt(queued)} jobs in one transaction) ${campaignSeconds.toFixed(1)} s`,
    );
    console.log(
      `fake APNs in its own process: HTTP/2 + TLS, client certificate required, ${APNS_STREAM_LIMIT} streams/session, 200 after ` +
        `${delay.min === delay.max ? `${delay.min}` : `${delay.min}–${delay.max}`} ms; ${os.cpus().length} cores, Node ${process.version}`,
    );

    // A: the service's path with its defaults (JobRunner batch 200, DATABASE_POOL_SIZE 10).
    const client = newClient(await startFake(cards, baselineMax));
    const a = await drain(`A  service defaults: batch 200, pool ${SERVICE_POOL_SIZE}`, cards, { runners: 1 }, db, client);

    // B: the same client, one push at a time (await each), on the same warm session.
    let sent = 0;
    let non200 = 0;
    const tB = performance.now();
    while (sent < baselineMax && performance.now() - tB < baselineMs) {
      if ((await client.send(baselineToken(sent), IDS.passTypeIdentifier)).status !== 200) non200 += 1;
      sent += 1;
    }
    const bSeconds = (performance.now() - tB) / 1000;
    const bSeen = (await fakeApns.stats()).baseline.requests;
    const b: Row = {
      label: 'B  same client, one push at a time',
      pushes: sent,
      seconds: bSeconds,
      peakStreams: 1,
      sessions: 1,
      check: non200 || bSeen !== sent ? `FAILED: ${non200} not 200, fake saw ${bSeen}` : 'all 200 (extrapolated)',
    };

    const sample: Drained[] = [];
    const sampleRuns: Array<{ label: string; runners: number; batchSize: number; pool: number; coalesce?: boolean }> = [
      { label: 'batch 200, pool 10 (defaults)', runners: 1, batchSize: 200, pool: 10 },
      { label: 'batch 1000, pool 10', runners: 1, batchSize: 1000, pool: 10 },
      { label: 'batch 200, pool 20', runners: 1, batchSize: 200, pool: 20 },
      { label: '4 runners × batch 200, pool 20', runners: 4, batchSize: 200, pool: 20 },
    ];
    if (sampleCards > 0) for (const r of sampleRuns) sample.push(await rerun(`   ${r.label}`, sampleCards, r, 'current'));

    // The table.
    const head = [
      '',
      'pushes',
      'seconds',
      'pushes/s',
      'peak streams',
      'sessions',
      `${fmtInt(100_000)} take`,
      'ms per batch*',
      'largest claim',
      'cores**',
      'check',
    ];
    const cells = (r: Row) => [
      r.label,
      fmtInt(r.pushes),
      r.seconds.toFixed(2),
      fmtInt(r.pushes / r.seconds),
      r.peakStreams === undefined ? '' : String(r.peakStreams),
      r.sessions === undefined ? '' : String(r.sessions),
      fmtDuration((100_000 * r.seconds) / r.pushes),
      r.perBatch ?? '',
      r.largestClaim === undefined ? '' : fmtInt(r.largestClaim),
      r.cpu ?? '',
      r.check,
    ];
    const groups: Array<[string | undefined, Row[]]> = [
      [undefined, [a.row, b]],
      [`runner and pool options, ${fmtInt(sampleCards)} jobs each, statistics current:`, sample.map((d) => d.row)],
      [`jobs statistics from before the insert (what the claim sees until autovacuum analyzes), ${fmtInt(staleCards)} jobs each:`, stale.map((d) => d.row)],
    ];
    const all = groups.flatMap(([, rows]) => rows.map(cells));
    const widths = head.map((hd, i) => Math.max(hd.length, ...all.map((c) => c[i]!.length)));
    const line = (c: string[]) =>
      c
        .map((x, i) => (i === 0 || i === c.length - 1 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!)))
        .join('  ')
        .trimEnd();
    console.log(line(head));
    console.log(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const [title, rows] of groups) {
      if (rows.length === 0) continue;
      if (title) console.log(title);
      for (const r of rows) console.log(line(cells(r)));
    }
    console.log('*  claim + token lookups (one query per batch) + until the last push was answered + delete of the batch; one runner');
    console.log('** service process / its PostgreSQL backends / fake APNs process');
    if (sample.some((d) => d.row.label.includes('†')))
      console.log("†  not the service's code: RegistrationService subclassed so one batch's lookups are one query");

    const rate = (r: Row) => r.pushes / r.seconds;
    const aRate = rate(a.row);
    const bRate = rate(b);
    console.log(
      `A: ${fmtInt(aRate)} pushes/s = ${(aRate / bRate).toFixed(1)}× the one-at-a-time rate (${fmtInt(bRate)}/s, an APNs round trip ${((bSeconds * 1000) / sent).toFixed(1)} ms); ` +
        `${fmtInt(100_000)} pushes take ${fmtDuration(100_000 / aRate)} instead of ${fmtDuration(100_000 / bRate)}`,
    );
    console.log(
      `during A: ${fmtInt(a.batches)} batches; a token lookup took ${a.lookupMs.toFixed(1)} ms and a push ${a.pushMs.toFixed(1)} ms as the handler saw them; ` +
        `service event loop ${Math.round(a.elu * 100)} % busy; machine ${Math.round(a.machineBusy * 100)} % of ${os.cpus().length} cores (all processes)`,
    );
    if (sample.length === sampleRuns.length) {
      const base = rate(sample[0]!.row);
      console.log(
        `vs the defaults on the same sample: ${sampleRuns
          .slice(1)
          .map((r, i) => `${r.label.replace(/†$/, '')} ${(rate(sample[i + 1]!.row) / base).toFixed(2)}×`)
          .join('; ')}`,
      );
    }
    if (stale.length === 2) {
      const [never, emptied] = stale as [Drained, Drained];
      const claimed = emptied.row.largestClaim ?? 0;
      console.log(
        `stale jobs statistics: emptied table ${fmtInt(rate(emptied.row))}/s, largest claim ${fmtInt(claimed)} jobs (limit 200), ` +
          `${emptied.claimMs >= 1000 ? `${(emptied.claimMs / 1000).toFixed(1)} s` : `${emptied.claimMs.toFixed(1)} ms`} per claim` +
          (claimed > 200 ? ' (a nested-loop semi join re-ran the LIMIT … SKIP LOCKED subquery per row: time grows with the square of the backlog)' : '') +
          `; never-used table ${fmtInt(rate(never.row))}/s, ${never.claimMs.toFixed(1)} ms per claim`,
      );
    }
  } finally {
    await cleanUp();
  }
}
