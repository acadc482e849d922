import type { Db } from '../db/database.js';
import type { Logger } from '../log/logger.js';
import { enqueueJobs } from './job-queue.js';
import type { JobPayloads } from './job-kinds.js';

/** Housekeeping kinds: payload-free, one waiting job each. */
type PeriodicKind = { [K in keyof JobPayloads]: Record<string, never> extends JobPayloads[K] ? K : never }[keyof JobPayloads];

/**
 * Enqueues housekeeping jobs (points expiry, automations) on a timer. Every worker process may
 * run this; the dedupe key keeps one waiting job per kind, so N processes still run it once.
 */
export class PeriodicJobs {
  readonly #timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
  ) {}

  every(kind: PeriodicKind, intervalMs: number): void {
    const tick = () =>
      enqueueJobs(this.db, [{ kind, dedupeKey: kind }]).catch((err: unknown) => this.logger.warn({ err, kind }, 'could not schedule periodic job'));
    void tick();
    const timer = setInterval(tick, intervalMs);
    timer.unref();
    this.#timers.push(timer);
  }

  stop(): void {
    for (const t of this.#timers) clearInterval(t);
  }
}
