import type { Logger } from '../log/logger.js';
import type { JobPayloads, PayloadMap } from './job-kinds.js';
import type { ClaimedJob, JobQueue } from './job-queue.js';

/** Thrown by a handler to steer what happens to the job. */
export class JobError extends Error {
  constructor(
    message: string,
    /**
     * defer: not a failure, the job is not ready (its resource is busy, its channel paused, its
     * quota booked): it runs again after retryAfterMs, and the attempt is not counted.
     */
    readonly options: { permanent?: boolean; retryAfterMs?: number; defer?: boolean } = {},
  ) {
    super(message);
    this.name = 'JobError';
  }
}

/** A handler of one kind of the service's jobs: `JobHandler<'apple.push'>`. */
export type JobHandler<K extends keyof M & string, M extends PayloadMap = JobPayloads> = (job: ClaimedJob<M, K>) => Promise<void>;

/** A handler for every kind (or, for a runner that runs only some, for those). */
export type JobHandlers<M extends PayloadMap = JobPayloads> = { [K in keyof M & string]?: JobHandler<K, M> };

export interface JobRunnerOptions {
  batchSize?: number;
  pollMs?: number;
  leaseMs?: number;
  maxAttempts?: number;
  /** Base of the exponential back-off between attempts. */
  backoffBaseMs?: number;
  maxBackoffMs?: number;
}

/**
 * Claims batches of due jobs and runs their handlers concurrently (a batch of pushes goes out as
 * many multiplexed HTTP/2 streams at once). Success deletes the job; failure schedules a retry with
 * exponential back-off and jitter, or gives up after maxAttempts and keeps the row for inspection.
 */
export class JobRunner<M extends PayloadMap = JobPayloads> {
  readonly #handlers = new Map<string, JobHandler<never, M>>();
  readonly #opts: Required<JobRunnerOptions>;
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #nudged = false;

  constructor(
    private readonly queue: JobQueue<M>,
    private readonly logger: Logger,
    options: JobRunnerOptions = {},
  ) {
    this.#opts = { batchSize: 200, pollMs: 1000, leaseMs: 60_000, maxAttempts: 12, backoffBaseMs: 1000, maxBackoffMs: 3_600_000, ...options };
  }

  /** Binds kinds to their handlers; a runner claims only the kinds it can handle. */
  handle(handlers: JobHandlers<M>): this {
    for (const [kind, handler] of Object.entries(handlers)) if (handler) this.#handlers.set(kind, handler as JobHandler<never, M>);
    return this;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    await this.#loop;
  }

  /** Work was just committed: look now instead of at the next poll. */
  nudge(): void {
    this.#nudged = true;
    this.#wake?.();
  }

  /** Runs one batch; returns how many jobs it handled. */
  async runOnce(): Promise<number> {
    const jobs = await this.queue.claim([...this.#handlers.keys()] as (keyof M & string)[], this.#opts.batchSize, this.#opts.leaseMs);
    if (jobs.length === 0) return 0;
    const done: number[] = [];
    await Promise.all(
      jobs.map(async (job) => {
        try {
          await this.#handlers.get(job.kind)!(job as never);
          done.push(job.id);
        } catch (err) {
          await this.#settleFailure(job, err);
        }
      }),
    );
    await this.queue.complete(done);
    return jobs.length;
  }

  /** Runs until no job is due (tests, scripts). */
  async drain(): Promise<void> {
    while ((await this.runOnce()) > 0);
  }

  async #settleFailure(job: ClaimedJob<M>, err: unknown): Promise<void> {
    const message = err instanceof Error ? err.message : String(err);
    const options = err instanceof JobError ? err.options : {};
    if (options.defer) {
      this.logger.debug({ jobId: job.id, kind: job.kind, delayMs: options.retryAfterMs, reason: message }, 'job deferred');
      await this.queue.retry(job, message, options.retryAfterMs ?? 0, { countAttempt: false });
      return;
    }
    if (options.permanent || job.attempts >= this.#opts.maxAttempts) {
      this.logger.warn({ jobId: job.id, kind: job.kind, attempts: job.attempts, error: message }, 'job failed permanently');
      await this.queue.fail(job, message);
      return;
    }
    const exp = Math.min(this.#opts.maxBackoffMs, this.#opts.backoffBaseMs * 2 ** (job.attempts - 1));
    const delay = Math.max(options.retryAfterMs ?? 0, exp / 2 + Math.random() * (exp / 2));
    this.logger.info({ jobId: job.id, kind: job.kind, attempts: job.attempts, delayMs: Math.round(delay), error: message }, 'job will be retried');
    await this.queue.retry(job, message, delay);
  }

  async #run(): Promise<void> {
    while (this.#running) {
      let handled = 0;
      try {
        this.#nudged = false;
        handled = await this.runOnce();
      } catch (err) {
        this.logger.error({ err }, 'job runner batch failed');
      }
      if (handled > 0 || this.#nudged || !this.#running) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.#opts.pollMs);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }
}
