import { PGlite, types } from '@electric-sql/pglite';
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import { TYPE_PARSERS } from './type-parsers.js';

/**
 * Presents one PGlite instance as the pg-style pool that kysely's PostgresDialect expects, so the
 * embedded database goes through exactly the same dialect, SQL and migrations as PostgreSQL.
 *
 * PGlite is a single connection: a transaction must not interleave with other queries, so the
 * pool hands out its one client to one borrower at a time and queues the rest.
 */
export class PGlitePool implements PostgresPool {
  readonly #db: PGlite;
  #tail: Promise<void> = Promise.resolve();

  private constructor(db: PGlite) {
    this.#db = db;
  }

  /** `dataDir` undefined → in memory (tests); a path → file-backed. */
  static async open(dataDir?: string): Promise<PGlitePool> {
    const parsers = {
      [types.INT8]: TYPE_PARSERS.int8,
      [types.NUMERIC]: TYPE_PARSERS.numeric,
      [types.DATE]: TYPE_PARSERS.date,
    };
    const db = dataDir ? new PGlite(dataDir, { parsers }) : new PGlite({ parsers });
    await db.waitReady;
    return new PGlitePool(db);
  }

  async connect(): Promise<PostgresPoolClient> {
    let release!: () => void;
    const turn = new Promise<void>((resolve) => (release = resolve));
    const previous = this.#tail;
    this.#tail = previous.then(() => turn);
    await previous;
    const db = this.#db;
    let released = false;
    const client = {
      async query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> {
        const result = await db.query<R>(sql, parameters as unknown[]);
        return {
          command: (result.command ?? 'SELECT') as PostgresQueryResult<R>['command'],
          rowCount: result.rowCount ?? result.affectedRows ?? 0,
          rows: result.rows,
        };
      },
      release() {
        if (released) return;
        released = true;
        release();
      },
    };
    // kysely only streams through the cursor overload, which this service never uses.
    return client as PostgresPoolClient;
  }

  async end(): Promise<void> {
    await this.#tail;
    await this.#db.close();
  }
}
