import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import type { CardUpdate } from '../../platform/db/schema.js';
import { enqueueJobs } from '../../platform/jobs/job-queue.js';

export const PROGRAM_CHANGED = 'program.changed';

/**
 * The one way to say "what this card's wallet pass shows has changed" (balance, tier, message,
 * stores, status). Inside the caller's transaction it moves the pass version forward and writes
 * one outbox job per wallet channel (Apple push, Google patch), so a committed change always
 * reaches the phones and a rolled-back one never does.
 */
export class CardChanges {
  readonly #channels: string[] = [];
  readonly #programChannels: string[] = [];
  #onCommitted: () => void = () => {};

  /** A wallet channel's job kind; its handler receives `{ cardId }`. */
  addChannel(kind: string): void {
    if (!this.#channels.includes(kind)) this.#channels.push(kind);
  }

  /** A job kind run once per program-wide change, with `{ programId }` (e.g. Google's class). */
  addProgramChannel(kind: string): void {
    if (!this.#programChannels.includes(kind)) this.#programChannels.push(kind);
  }

  /** Called after commit by whoever changed cards, so workers look at once. */
  setCommitListener(listener: () => void): void {
    this.#onCommitted = listener;
  }

  committed(): void {
    this.#onCommitted();
  }

  /** `columns`: what changed on the cards, written in the same statement as the version bump. */
  async markChanged(trx: Db, cardIds: string[], columns: CardUpdate = {}): Promise<void> {
    if (cardIds.length === 0) return;
    await trx.updateTable('cards').set({ ...columns, ...this.passVersionBump() }).where('id', 'in', cardIds).execute();
    await this.enqueue(trx, cardIds);
  }

  /**
   * The columns that mark a pass changed, for callers that update the card row anyway (the
   * ledger writes balance, tier and this in one statement) and then call enqueue().
   */
  passVersionBump() {
    return {
      pass_version: sql<number>`nextval('card_pass_version_seq')`,
      // Last-Modified has one-second resolution: every change must move it at least a second,
      // or a phone that fetched within the same second would be told "304 not modified".
      pass_updated_at: sql<Date>`greatest(date_trunc('second', now()), date_trunc('second', pass_updated_at) + interval '1 second')`,
      updated_at: new Date(),
    };
  }

  /** Writes the wallet channels' jobs for cards whose pass version was bumped in this transaction. */
  async enqueue(trx: Db, cardIds: string[]): Promise<void> {
    await enqueueJobs(
      trx,
      this.#channels.flatMap((kind) => cardIds.map((cardId) => ({ kind, dedupeKey: cardId, payload: { cardId } }))),
    );
  }

  /** Program-wide changes (terms, name, design) touch every card; the fan-out runs in a job. */
  async markProgramChanged(trx: Db, programId: string): Promise<void> {
    await trx
      .updateTable('cards')
      .set(this.passVersionBump())
      .where('program_id', '=', programId)
      .where('status', '!=', 'voided')
      .execute();
    await enqueueJobs(trx, [PROGRAM_CHANGED, ...this.#programChannels].map((kind) => ({ kind, dedupeKey: programId, payload: { programId } })));
  }

  /** Handler for PROGRAM_CHANGED: one job per card and channel, written in one statement. */
  async expandProgramChange(db: Db, programId: string): Promise<void> {
    for (const kind of this.#channels) {
      await sql`
        insert into jobs (kind, dedupe_key, payload)
        select ${kind}, id::text, jsonb_build_object('cardId', id) from cards
        where program_id = ${programId} and status != 'voided'
        on conflict (kind, dedupe_key) where dedupe_key is not null and locked_until is null and failed_at is null do nothing`.execute(db);
    }
    // A bulk insert can leave the planner's idea of the queue far off until autovacuum runs.
    await sql`analyze jobs`.execute(db);
  }
}
