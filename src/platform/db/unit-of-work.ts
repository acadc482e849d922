import type { Db } from './database.js';

/**
 * The one way to run a transaction. Whatever the work wrote to the outbox (jobs) is committed with
 * it; once the commit is through, `afterCommit` wakes this process's job workers, so a change
 * reaches the phones at once instead of at the next poll. Callers never have to remember that.
 */
export class UnitOfWork {
  constructor(
    readonly db: Db,
    private readonly afterCommit: () => void = () => {},
  ) {}

  async run<T>(work: (trx: Db) => Promise<T>): Promise<T> {
    const result = await this.db.transaction().execute(work);
    this.afterCommit();
    return result;
  }
}
