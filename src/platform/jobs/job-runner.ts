import type { Job } from '../db/schema.js';
import type { Logger } from '../log/logger.js';
import type { JobQueue } from './job-queue.js';

/** Thrown by a handler to steer what happens to the job. */
export class JobError extends Error {
  constructor(
    message: string,
    readonly options: { permanent?: boolean; retryAfterMs?: number } = {},
  ) {
    super(message);
    this.name = 'JobError';
  }
}

export type JobHandler = (job: Job) => Promise<void>;

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
export class JobRunner {
  readonly #handlers = new Map<string, JobHandler>();
  readonly #opts: Required<JobRunnerOptions>;
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #nudged = false;

  constructor(
    private readonly queue: JobQueue,
    private readonly logger: Logger,
    options: JobRunnerOptions = {},
  ) {
    this.#opts = { batchSize: 200, pollMs: 1000, leaseMs: 60_000, maxAttempts: 12, backoffBaseMs: 1000, maxBackoffMs: 3_600_000, ...options };
  }

  register(kind: string, handler: JobHandler): void {
    this.#handlers.set(kind, handler);
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
    const jobs = await this.queue.claim([...this.#handlers.keys()], this.#opts.batchSize, this.#opts.leaseMs);
    if (jobs.length === 0) return 0;
    const done: number[] = [];
    await Promise.all(
      jobs.map(async (job) => {
        try {
          await this.#handlers.get(job.kind)!(job);
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

  async #settleFailure(job: Job, err: unknown): Promise<void> {
    const message = err instanceof Error ? err.message : String(err);
    const options = err instanceof JobError ? err.options : {};
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
