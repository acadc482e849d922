/**
 * Google calls per 100 000-card campaign: the service itself (HTTP API, campaign job, outbox,
 * Google sync, quota governor) on PostgreSQL, against the Google stand-in of the tests, counting
 * the requests that reach it. Measured in the same run:
 *
 * - per object: a campaign to the whole program where 1 % of customers have no marketing consent,
 *   so no class message may be used; BENCH_GOOGLE_SAVED (5 %) of the objects are in a wallet;
 * - class: the same campaign once every customer consents: one class message;
 * - the reference: one call per card, what sending to every object costs.
 *
 * Environment: BENCH_GOOGLE_CARDS (100000), BENCH_GOOGLE_SAVED (0.05), BENCH_GOOGLE_RPS (500: the
 * governor's limit here; the figure is calls, and the time at Google's 20/s is printed from it),
 * DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import type { TestService } from '../../test/support/test-service.js';

const CARDS = Number(process.env.BENCH_GOOGLE_CARDS ?? 100_000);
const SAVED = Number(process.env.BENCH_GOOGLE_SAVED ?? 0.05);
const RPS = Number(process.env.BENCH_GOOGLE_RPS ?? 500);
const ISSUER = '3388000000044444444';

type Db = TestService['services']['db'];

/** Until no job waits or runs. */
async function drained(db: Db): Promise<void> {
  for (;;) {
    const left = await db
      .selectFrom('jobs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('failed_at', 'is', null)
      .executeTakeFirstOrThrow();
    if (Number(left.n) === 0) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function benchGoogle(): Promise<void> {
  process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/test';
  const { createTestServiceAccount, fakeGoogleEnv, startFakeGoogle } = await import('../../test/support/fake-google.js');
  const { startTestService } = await import('../../test/support/test-service.js');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wl-bench-google-'));
  const account = createTestServiceAccount();
  const google = await startFakeGoogle({ serviceAccounts: [account] });
  const svc = await startTestService({
    DATA_DIR: dir,
    ...fakeGoogleEnv(google, ISSUER, dir, account),
    GOOGLE_REQUESTS_PER_SECOND: String(RPS),
    JOB_POLL_MS: '50',
  });
  try {
    const db = svc.services.db;
    const every = Math.max(1, Math.round(1 / SAVED));
    const t0 = performance.now();
    const program = await svc.api('POST', '/api/v1/programs', { slug: 'gbench', name: 'Google bench' });
    if (program.status !== 201) throw new Error(`program: ${program.status} ${JSON.stringify(program.body)}`);
    const programId: string = program.body.id;
    await sql`
      insert into customers (id, program_id, name, phone, marketing_consent)
      select md5('gcustomer-' || i)::uuid, ${programId}, 'Customer ' || i, '+7901' || lpad(i::text, 7, '0'), i % 100 != 1
      from generate_series(1, ${CARDS}::int) i`.execute(db);
    await sql`
      insert into cards (id, program_id, customer_id, card_number, serial_number, barcode_value, tier, auth_token, link_token)
      select md5('gcard-' || i)::uuid, ${programId}, md5('gcustomer-' || i)::uuid, lpad(i::text, 12, '0'), 'GBENCH-' || lpad(i::text, 8, '0'),
             lpad(i::text, 12, '0'), 'Member', md5('gauth-' || i) || md5('gauth2-' || i), md5('glink-' || i)
      from generate_series(1, ${CARDS}::int) i`.execute(db);
    // Every card's object was inserted at issuance; one in `every` is in a wallet.
    await sql`
      insert into google_objects (card_id, object_id, synced_balance, synced_tier, synced_version, synced_hash, saved, saved_at)
      select c.id, ${ISSUER} || '.' || c.serial_number, c.balance, c.tier, c.pass_version, null,
             (row_number() over (order by c.card_number)) % ${every} = 0, case when (row_number() over (order by c.card_number)) % ${every} = 0 then now() end
      from cards c where c.program_id = ${programId}`.execute(db);
    await sql`insert into google_classes (program_id, class_id, synced_at) values (${programId}, ${`${ISSUER}.gbench`}, now())`.execute(db);
    await sql`analyze`.execute(db);
    google.classes.set(`${ISSUER}.gbench`, { id: `${ISSUER}.gbench`, reviewStatus: 'APPROVED' });
    const saved = await db.selectFrom('google_objects').select(['object_id']).where('saved', '=', true).execute();
    for (const o of saved) google.objects.set(o.object_id, { id: o.object_id, classId: `${ISSUER}.gbench`, state: 'ACTIVE' });
    // Warm-up: the objects in a wallet get their one full sync (as after their save callback).
    await sql`update google_objects set full_sync_due = true where saved`.execute(db);
    await sql`
      insert into jobs (kind, dedupe_key, payload)
      select 'google.card-changed', card_id::text, jsonb_build_object('cardId', card_id) from google_objects where saved`.execute(db);
    svc.services.jobs.nudge();
    await drained(db);
    console.log(`seeded ${CARDS} cards (${saved.length} objects in a wallet, 1 % without consent) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const campaign = async (label: string, message: string) => {
      const before = google.apiRequests().length;
      const started = performance.now();
      const res = await svc.api('POST', '/api/v1/campaigns', { program: 'gbench', message });
      if (res.status !== 202) throw new Error(`campaign: ${res.status} ${JSON.stringify(res.body)}`);
      while ((await svc.api('GET', `/api/v1/campaigns/${res.body.id}`)).body.status !== 'completed') await new Promise((r) => setTimeout(r, 200));
      await drained(db);
      const seconds = (performance.now() - started) / 1000;
      const calls = google.apiRequests().slice(before);
      const failed = calls.filter((r) => (r.status ?? 0) >= 400).length;
      const classCalls = calls.filter((r) => r.path.includes('/loyaltyClass/')).length;
      console.log(
        `${label.padEnd(34)} ${String(calls.length).padStart(7)} calls (${classCalls} to the class, ${failed} refused)  ` +
          `${(calls.length / CARDS).toFixed(4)} per card  ${(CARDS / calls.length).toFixed(0).padStart(6)}× fewer than one per card  ` +
          `${seconds.toFixed(1)} s here, ${(calls.length / 20 / 60).toFixed(1)} min of Google's 20/s`,
      );
      return calls.length;
    };

    console.log(`${'reference: one call per card'.padEnd(34)} ${String(CARDS).padStart(7)} calls  ${(CARDS / 20 / 3600).toFixed(1)} h of Google's 20/s`);
    await campaign('per object (1 % without consent)', 'Spring sale');
    await sql`update customers set marketing_consent = true where program_id = ${programId}`.execute(db);
    await sql`delete from campaign_deliveries`.execute(db);
    await campaign('class message (everyone consents)', 'Summer sale');
  } finally {
    await svc.stop();
    await google.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
