import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import type { CardUpdate } from '../../platform/db/schema.js';
import { enqueueJobs } from '../../platform/jobs/job-queue.js';
import type { CardJobKind, ProgramJobKind } from '../../platform/jobs/job-kinds.js';

/** The wallet channels that are on in this deployment (Apple, Google), as their job kinds. */
export interface WalletChannels {
  /** Run once per changed card, with `{ cardId }`. */
  card: CardJobKind[];
  /** Run once per program-wide change, with `{ programId }` (Google's loyalty class). */
  program: ProgramJobKind[];
  /** Card jobs wait this long: the changes of a burst fold into the one waiting job (one push). */
  coalesceMs: number;
  /**
   * A channel that delivers every message, not only the latest (Google keeps a list): called in
   * the transaction that set the cards' messages, to record them one by one. `deliveredByClass`:
   * the campaign already reached these cards through one class-wide message.
   */
  messagesSet?: (trx: Db, cardIds: string[], deliveredByClass: boolean) => Promise<void>;
}

export interface CardChangeOptions {
  /** Campaign or program-wide traffic: yields to a till's change where a quota binds (Google). */
  bulk?: boolean;
  /** The message already reached Google through a class message. */
  deliveredByClass?: boolean;
}

/** What /healthz reports of a wallet channel: healthy is false when it cannot sign or deliver. */
export type ChannelHealth = { healthy: boolean } & Record<string, unknown>;

/** The field a pass version announces on the lock screen (its changeMessage); null: silent. */
export type Announce = 'balance' | 'message' | null;
/** What a change says of the announcement: a field, 'silent' (none), or undefined (keep the last). */
type AnnounceChange = 'balance' | 'message' | 'silent' | undefined;

/**
 * The one way to say "what this card's wallet pass shows has changed" (balance, tier, message,
 * stores, status). Inside the caller's unit of work it moves the pass version forward and writes
 * one outbox job per wallet channel, so a committed change always reaches the phones and a
 * rolled-back one never does. The unit of work wakes the workers after commit.
 */
export class WalletOutbox {
  constructor(private readonly channels: WalletChannels) {}

  /**
   * `columns`: what changed on the cards, written in the same statement as the version bump. A new
   * message announces itself; `announce` names the field otherwise ('balance' for points moved).
   */
  async cardChanged(trx: Db, cardIds: string[], columns: CardUpdate = {}, announce?: 'balance' | 'message', options: CardChangeOptions = {}): Promise<void> {
    if (cardIds.length === 0) return;
    // A new text announces itself; a cleared one (erasure) must not announce "no message".
    const announced: AnnounceChange = typeof columns.message === 'string' ? 'message' : columns.message === null ? 'silent' : announce;
    await trx
      .updateTable('cards')
      .set({
        ...columns,
        ...passVersionBump(announced),
        // The same text again must still be a change of the field's value, or Wallet shows nothing.
        ...(announced === 'message' && { message_seq: sql<number>`message_seq + 1` }),
      })
      .where('id', 'in', cardIds)
      .execute();
    if (announced === 'message') await this.channels.messagesSet?.(trx, cardIds, options.deliveredByClass ?? false);
    await this.#enqueue(trx, cardIds, options.bulk ?? false);
  }

  /**
   * A card just inserted in this unit of work: its row already holds its first pass version (no
   * bump, which would date Last-Modified a second ahead); the channels create what they keep per
   * card (Google inserts its object at issuance).
   */
  async cardIssued(trx: Db, cardId: string): Promise<void> {
    await this.#enqueue(trx, [cardId], false);
  }

  async #enqueue(trx: Db, cardIds: string[], bulk: boolean): Promise<void> {
    const runAt = new Date(Date.now() + this.channels.coalesceMs);
    const payload = (cardId: string) => (bulk ? { cardId, bulk } : { cardId });
    // A till's change folds into a waiting bulk job for the card and lifts it to the till's lane.
    await enqueueJobs(
      trx,
      this.channels.card.flatMap((kind) => cardIds.map((cardId) => ({ kind, dedupeKey: cardId, payload: payload(cardId), runAt }))),
      bulk ? {} : { liftPayload: true },
    );
  }

  /** Program-wide changes (terms, name, design, stores) touch every card; the fan-out runs in a job. */
  async programChanged(trx: Db, programId: string): Promise<void> {
    await trx.updateTable('cards').set(passVersionBump(undefined)).where('program_id', '=', programId).where('status', '!=', 'voided').execute();
    await enqueueJobs(
      trx,
      (['program.changed', ...this.channels.program] as const).map((kind) => ({
        kind,
        dedupeKey: programId,
        payload: { programId },
        runAt: new Date(Date.now() + this.channels.coalesceMs),
      })),
    );
  }

  /** Runs the 'program.changed' job: one job per card and channel, one statement per channel. */
  async expandProgramChange(db: Db, programId: string): Promise<void> {
    for (const kind of this.channels.card) {
      await sql`
        insert into jobs (kind, dedupe_key, payload)
        select ${kind}, id::text, jsonb_build_object('cardId', id, 'bulk', true) from cards
        where program_id = ${programId} and status != 'voided'
        on conflict (kind, dedupe_key) where dedupe_key is not null and locked_until is null and failed_at is null do nothing`.execute(db);
    }
    // A bulk insert can leave the planner's idea of the queue far off until autovacuum runs.
    await sql`analyze jobs`.execute(db);
  }
}

/**
 * The columns that mark a pass changed. Last-Modified has one-second resolution: every change must
 * move it at least a second, or a phone that fetched within the same second would be told "304".
 * pass_xid records the writing transaction for the Wallet list endpoint's commit-ordered tag.
 */
function passVersionBump(announce: AnnounceChange) {
  return {
    pass_version: sql<number>`nextval('card_pass_version_seq')`,
    pass_updated_at: sql<Date>`greatest(date_trunc('second', now()), date_trunc('second', pass_updated_at) + interval '1 second')`,
    pass_xid: sql<string>`pg_current_xact_id()`,
    // Phones see only a transaction's last version: a message announced earlier in it stays announced
    // (a campaign's bonus points and its text reach the lock screen as the text). A silent change
    // keeps the last announcement: coalescing may fold it into the same push as that change, and
    // iOS shows a changeMessage only when the field's value differs from the phone's copy anyway.
    announce:
      announce === 'message'
        ? sql<Announce>`'message'`
        : announce === undefined
          ? sql<Announce>`announce`
          : announce === 'silent'
            ? sql<Announce>`null`
            : sql<Announce>`case when pass_xid = pg_current_xact_id() and announce = 'message' then 'message' else 'balance' end`,
    updated_at: new Date(),
  };
}
