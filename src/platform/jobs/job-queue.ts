import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { Job } from '../db/schema.js';
import { isUniqueViolation } from '../db/errors.js';
import type { JobPayloads, PayloadMap } from './job-kinds.js';

/** A job to enqueue; the payload is typed by its kind (and may be left out when it has no fields). */
export type NewJob<M extends PayloadMap = JobPayloads> = {
  [K in keyof M & string]: {
    kind: K;
    /** Jobs with the same kind and key that are still waiting collapse into one. */
    dedupeKey?: string;
    runAt?: Date;
  } & (Record<string, never> extends M[K] ? { payload?: M[K] } : { payload: M[K] });
}[keyof M & string];

/** A claimed job, its payload typed by its kind. */
export type ClaimedJob<M extends PayloadMap = JobPayloads, K extends keyof M & string = keyof M & string> = Omit<Job, 'kind' | 'payload'> & {
  kind: K;
  payload: M[K];
};

/**
 * Enqueues inside the caller's transaction (the outbox pattern): the job exists if and only if
 * the change it announces was committed.
 */
export async function enqueueJobs<M extends PayloadMap = JobPayloads>(
  trx: Db,
  jobs: NewJob<M>[],
  /** liftPayload: a waiting job with the same key takes this payload (e.g. a faster lane) and the earlier run_at. */
  options: { liftPayload?: boolean } = {},
): Promise<void> {
  if (jobs.length === 0) return;
  const seen = new Set<string>();
  const rows = [];
  for (const job of jobs) {
    if (job.dedupeKey) {
      const k = `${job.kind}\u0000${job.dedupeKey}`;
      if (seen.has(k)) continue;
      seen.add(k);
    }
    rows.push({
      kind: job.kind,
      dedupe_key: job.dedupeKey ?? null,
      payload: JSON.stringify(job.payload ?? {}),
      ...(job.runAt && { run_at: job.runAt }),
    });
  }
  for (let i = 0; i < rows.length; i += 1000) {
    await trx
      .insertInto('jobs')
      .values(rows.slice(i, i + 1000))
      .onConflict((oc) => {
        const waiting = oc.columns(['kind', 'dedupe_key']).where('dedupe_key', 'is not', null).where('locked_until', 'is', null).where('failed_at', 'is', null);
        return options.liftPayload
          ? waiting
              .doUpdateSet({ payload: sql<string>`excluded.payload`, run_at: sql<Date>`least(jobs.run_at, excluded.run_at)` })
              .where(sql<boolean>`jobs.payload is distinct from excluded.payload`)
          : waiting.doNothing();
      })
      .execute();
  }
}

export class JobQueue<M extends PayloadMap = JobPayloads> {
  constructor(private readonly db: Db) {}

  /**
   * Claims up to `limit` due jobs for `leaseMs`. A worker that dies leaves its lease to expire and
   * the jobs are claimed again (at-least-once); SKIP LOCKED lets many workers claim side by side.
   */
  async claim(kinds: (keyof M & string)[], limit: number, leaseMs: number): Promise<ClaimedJob<M>[]> {
    // `id = any(array(...))` runs the LIMIT … SKIP LOCKED subquery exactly once; as `id in (…)`
    // PostgreSQL may re-run it per row (nested-loop semi join) and claim the whole backlog at once.
    const rows = await sql<Job>`
      update jobs set locked_until = now() + ${`${leaseMs} milliseconds`}::interval, attempts = attempts + 1
      where id = any(array(
        select id from jobs
        where kind = any(${kinds}::text[]) and failed_at is null and run_at <= now()
          and (locked_until is null or locked_until < now())
        order by run_at, id
        limit ${limit}
        for update skip locked
      ))
      returning *`.execute(this.db);
    return (rows.rows as ClaimedJob<M>[]).sort((a, b) => a.id - b.id);
  }

  async complete(ids: number[]): Promise<void> {
    if (ids.length) await this.db.deleteFrom('jobs').where('id', 'in', ids).execute();
  }

  /** countAttempt false: a deferral, which must not use up the job's attempts. */
  async retry(job: Pick<Job, 'id'>, error: string, delayMs: number, options: { countAttempt?: boolean } = {}): Promise<void> {
    try {
      await this.db
        .updateTable('jobs')
        .set({
          locked_until: null,
          run_at: new Date(Date.now() + delayMs),
          last_error: error.slice(0, 1000),
          ...(options.countAttempt === false && { attempts: sql<number>`greatest(attempts - 1, 0)` }),
        })
        .where('id', '=', job.id)
        .execute();
    } catch (err) {
      // A newer waiting job with the same key already covers this one.
      if (isUniqueViolation(err)) await this.complete([job.id]);
      else throw err;
    }
  }

  async fail(job: Pick<Job, 'id'>, error: string): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set({ locked_until: null, failed_at: new Date(), last_error: error.slice(0, 1000) })
      .where('id', '=', job.id)
      .execute();
  }

  async countWaiting(kinds?: (keyof M & string)[]): Promise<number> {
    let q = this.db
      .selectFrom('jobs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('failed_at', 'is', null);
    if (kinds) q = q.where('kind', 'in', kinds);
    return Number((await q.executeTakeFirstOrThrow()).n);
  }
}
