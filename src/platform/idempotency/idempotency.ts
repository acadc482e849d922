import { createHash } from 'node:crypto';
import type { Db } from '../db/database.js';
import type { UnitOfWork } from '../db/unit-of-work.js';
import { unprocessable } from '../shared/errors.js';

export interface StoredResponse {
  status: number;
  body: unknown;
}

/**
 * Runs `work` in a transaction that also records its response under (scope, key). A repeat of the
 * same key returns the first response and changes nothing; a concurrent repeat waits for the first
 * to commit (the primary key row is locked until then). A failed attempt rolls back its key with
 * everything else, so the client may simply retry. The same key with a different request is refused.
 */
export async function runIdempotent(
  uow: UnitOfWork,
  scope: string,
  key: string | undefined,
  request: unknown,
  work: (trx: Db) => Promise<StoredResponse>,
): Promise<StoredResponse & { replayed: boolean }> {
  if (!key) return { ...(await uow.run(work)), replayed: false };
  const requestHash = createHash('sha256').update(JSON.stringify(request)).digest('hex');
  return uow.run(async (trx) => {
    const claimed = await trx
      .insertInto('idempotency_keys')
      .values({ scope, key, request_hash: requestHash, status: 0, response: 'null' })
      .onConflict((oc) => oc.columns(['scope', 'key']).doNothing())
      .returning('key')
      .executeTakeFirst();
    if (!claimed) {
      const first = await trx
        .selectFrom('idempotency_keys')
        .select(['request_hash', 'status', 'response'])
        .where('scope', '=', scope)
        .where('key', '=', key)
        .executeTakeFirstOrThrow();
      if (first.request_hash !== requestHash) throw unprocessable('This Idempotency-Key was already used for a different request');
      return { status: first.status, body: first.response, replayed: true };
    }
    const result = await work(trx);
    await trx
      .updateTable('idempotency_keys')
      .set({ status: result.status, response: JSON.stringify(result.body) })
      .where('scope', '=', scope)
      .where('key', '=', key)
      .execute();
    return { ...result, replayed: false };
  });
}

export const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{8,200}$/;
