import { sql } from 'kysely';
import type { Db } from '../db/database.js';

export interface Budget {
  /** What is counted, e.g. "join:ip:203.0.113.7"; never a phone number in clear. */
  bucket: string;
  limit: number;
  windowSeconds: number;
}

export type BudgetAnswer = { ok: true } | { ok: false; bucket: string; retryAfterSeconds: number };

class Exhausted extends Error {
  constructor(readonly budget: Budget) {
    super(budget.bucket);
  }
}

/**
 * Counters of what anonymous callers may spend (texts, tries), in the database so every process
 * shares them: fixed windows per bucket. `take` spends one of every budget named, or none at all.
 */
export class AbuseBudgets {
  constructor(private readonly db: Db) {}

  async take(budgets: Budget[]): Promise<BudgetAnswer> {
    try {
      await this.db.transaction().execute(async (trx) => {
        for (const b of budgets) {
          // The conflict locks the counter's row, so concurrent takers count one after the other.
          const row = await sql<{ count: number }>`
            insert into abuse_counters (bucket, window_start, count)
            values (${b.bucket}, to_timestamp(floor(extract(epoch from now()) / ${b.windowSeconds}) * ${b.windowSeconds}), 1)
            on conflict (bucket, window_start) do update set count = abuse_counters.count + 1
              where abuse_counters.count < ${b.limit}
            returning count`.execute(trx);
          if (row.rows.length === 0 || b.limit < 1) throw new Exhausted(b);
        }
      });
      return { ok: true };
    } catch (err) {
      if (!(err instanceof Exhausted)) throw err;
      const w = err.budget.windowSeconds;
      const now = Date.now() / 1000;
      return { ok: false, bucket: err.budget.bucket, retryAfterSeconds: Math.max(1, Math.ceil(Math.floor(now / w) * w + w - now)) };
    }
  }

  /** Windows that ended more than a day ago are of no use. */
  async purge(): Promise<number> {
    const r = await this.db
      .deleteFrom('abuse_counters')
      .where('window_start', '<', sql<Date>`now() - interval '2 days'`)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
