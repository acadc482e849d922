import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueJobs, JobQueue } from '../src/platform/jobs/job-queue.js';
import { JobError, JobRunner } from '../src/platform/jobs/job-runner.js';
import { startTestService, type TestService } from './support/test-service.js';

/** The queue is generic over its kinds: these tests bring kinds of their own. */
type TestJobs = { [kind: `test.${string}`]: { i?: number } };
let svc: TestService;
let queue: JobQueue<TestJobs>;

beforeAll(async () => {
  svc = await startTestService({ WORKERS: 'false' });
  queue = new JobQueue<TestJobs>(svc.services.db);
});
afterAll(() => svc?.stop());

const kind = (name: string) => `test.${name}` as const;

describe('the job queue', () => {
  it('claims at most the limit, and concurrent claims never overlap', async () => {
    await enqueueJobs<TestJobs>(
      svc.services.db,
      Array.from({ length: 60 }, (_, i) => ({ kind: kind('claim'), payload: { i } })),
    );
    // An emptied-and-refilled table is where a planner could re-run the LIMIT subquery per row.
    await sql`analyze jobs`.execute(svc.services.db);
    const [a, b, c] = await Promise.all([
      queue.claim([kind('claim')], 20, 60_000),
      queue.claim([kind('claim')], 20, 60_000),
      queue.claim([kind('claim')], 20, 60_000),
    ]);
    for (const batch of [a!, b!, c!]) expect(batch.length).toBeLessThanOrEqual(20);
    const ids = [...a!, ...b!, ...c!].map((j) => j.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(60);
    expect(await queue.claim([kind('claim')], 20, 60_000)).toEqual([]); // all leased
  });

  it('collapses waiting jobs with the same key, but not one already claimed', async () => {
    await enqueueJobs<TestJobs>(svc.services.db, [
      { kind: kind('dedupe'), dedupeKey: 'card-1' },
      { kind: kind('dedupe'), dedupeKey: 'card-1' },
    ]);
    await enqueueJobs<TestJobs>(svc.services.db, [{ kind: kind('dedupe'), dedupeKey: 'card-1' }]);
    const claimed = await queue.claim([kind('dedupe')], 10, 60_000);
    expect(claimed).toHaveLength(1);
    await enqueueJobs<TestJobs>(svc.services.db, [{ kind: kind('dedupe'), dedupeKey: 'card-1' }]); // a change after the claim
    await svc.services.db
      .updateTable('jobs')
      .set({ locked_until: new Date(Date.now() + 60_000) })
      .where('id', '=', claimed[0]!.id)
      .execute();
    const waiting = await svc.services.db.selectFrom('jobs').select('id').where('kind', '=', kind('dedupe')).execute();
    expect(waiting).toHaveLength(2);
  });

  it('retries with back-off, then keeps the failed job with its error', async () => {
    const runner = new JobRunner<TestJobs>(queue, svc.services.logger, { maxAttempts: 3, backoffBaseMs: 1 });
    let calls = 0;
    runner.handle({
      [kind('flaky')]: async () => {
        calls++;
        throw new JobError('remote said 503');
      },
    });
    await enqueueJobs<TestJobs>(svc.services.db, [{ kind: kind('flaky') }]);
    for (let i = 0; i < 20 && calls < 3; i++) {
      await runner.runOnce();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(calls).toBe(3);
    const job = await svc.services.db.selectFrom('jobs').selectAll().where('kind', '=', kind('flaky')).executeTakeFirstOrThrow();
    expect(job.failed_at).not.toBeNull();
    expect(job.last_error).toBe('remote said 503');
    await runner.runOnce();
    expect(calls).toBe(3); // not retried forever
  });

  it('gives a permanent error up at once and re-claims a job whose worker died', async () => {
    const runner = new JobRunner<TestJobs>(queue, svc.services.logger);
    runner.handle({
      [kind('bad')]: async () => {
        throw new JobError('400 bad request', { permanent: true });
      },
    });
    await enqueueJobs<TestJobs>(svc.services.db, [{ kind: kind('bad') }]);
    await runner.runOnce();
    const bad = await svc.services.db.selectFrom('jobs').selectAll().where('kind', '=', kind('bad')).executeTakeFirstOrThrow();
    expect(bad.attempts).toBe(1);
    expect(bad.failed_at).not.toBeNull();

    await enqueueJobs<TestJobs>(svc.services.db, [{ kind: kind('orphan') }]);
    const [orphan] = await queue.claim([kind('orphan')], 1, 1); // its worker dies holding a 1 ms lease
    await new Promise((r) => setTimeout(r, 20));
    const again = await queue.claim([kind('orphan')], 1, 60_000);
    expect(again.map((j) => j.id)).toEqual([orphan!.id]);
    expect(again[0]!.attempts).toBe(2);
  });
});
