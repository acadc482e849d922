import { createHash } from 'node:crypto';
import type { Db } from '../../platform/db/database.js';
import type { Card, Program, Store } from '../../platform/db/schema.js';
import { JobError, type JobHandler } from '../../platform/jobs/job-runner.js';
import { balanceFields, buildLoyaltyClass, buildLoyaltyObject, classIdFor, objectIdFor } from './loyalty-resources.js';
import { isGoogleApiError, type GoogleWalletApi, type LoyaltyObjectInput } from './wallet-api.js';

/** Google allows 3 notifying messages or updates per object per 24 h (beyond: QuotaExceeded). */
export const NOTIFICATIONS_PER_DAY = 3;
/** Objects hold at most 10 messages; older ones are cleared before that. */
const MAX_OBJECT_MESSAGES = 10;

/** The slice of the REST client this module uses. */
export type GoogleWalletCalls = Pick<GoogleWalletApi, 'upsertClass' | 'upsertObject' | 'patchObject' | 'addObjectMessage' | 'addClassMessage'>;

export interface GoogleSyncOptions {
  issuerId: string;
  logoUrl: (program: Program) => string;
  callbackUrl: string;
  backgroundColor: (program: Program) => Promise<string>;
}

/**
 * Keeps Google's loyalty classes and objects in step with programs and cards, from outbox jobs:
 * an object is inserted the first time its card changes (enrolment included); afterwards a balance
 * or tier change is a PATCH with NOTIFY_ON_UPDATE and a new card message an addMessage with
 * TEXT_AND_NOTIFY — while the object's 3-per-24-h budget lasts, silently (TEXT / no notify) after.
 */
export class GoogleSync {
  constructor(
    private readonly db: Db,
    private readonly api: GoogleWalletCalls,
    private readonly options: GoogleSyncOptions,
  ) {}

  readonly classSync: JobHandler<'google.class-sync'> = async ({ payload }) => {
    await this.#syncClass(payload.programId);
  };

  readonly cardChanged: JobHandler<'google.card-changed'> = async ({ payload: { cardId } }) => {
    const card = await this.db.selectFrom('cards').selectAll().where('id', '=', cardId).executeTakeFirst();
    if (!card) return;
    const [customer, program, stores] = await Promise.all([
      this.db.selectFrom('customers').selectAll().where('id', '=', card.customer_id).executeTakeFirstOrThrow(),
      this.db.selectFrom('programs').selectAll().where('id', '=', card.program_id).executeTakeFirstOrThrow(),
      this.#stores(card.program_id),
    ]);
    const klass = await this.db.selectFrom('google_classes').select('synced_at').where('program_id', '=', program.id).executeTakeFirst();
    if (!klass?.synced_at) await this.#syncClass(program.id);

    const objectId = objectIdFor(this.options.issuerId, card);
    const synced = await this.db.selectFrom('google_objects').selectAll().where('card_id', '=', card.id).executeTakeFirst();
    const full = buildLoyaltyObject({ issuerId: this.options.issuerId, program, card, customer, stores });

    const hash = contentHash(full);
    if (card.status === 'voided') {
      // Erased or voided: the texts it was sent are personal ("Happy birthday, Dmitry!"); keep none.
      await this.db.updateTable('google_notifications').set({ text: null }).where('card_id', '=', card.id).execute();
      await this.db.updateTable('google_objects').set({ synced_message: null }).where('card_id', '=', card.id).execute();
    }
    if (!synced) {
      await this.#call(card.id, () => this.api.upsertObject(full));
      await this.db
        .insertInto('google_objects')
        .values({
          card_id: card.id,
          object_id: objectId,
          synced_balance: card.balance,
          synced_tier: card.tier,
          synced_message: card.message,
          synced_version: card.pass_version,
          synced_hash: hash,
        })
        .onConflict((oc) => oc.column('card_id').doNothing())
        .execute();
      return;
    }
    if (synced.synced_version !== null && synced.synced_version >= card.pass_version) return; // already sent

    const balanceChanged = synced.synced_balance !== card.balance || synced.synced_tier !== card.tier;
    const messageChanged = card.message !== null && card.message !== synced.synced_message;
    if (balanceChanged) {
      const notify = await this.#takeNotification(card.id, card.pass_version, 'update', null);
      await this.#call(card.id, () =>
        this.#silentOnQuota(card.id, card.pass_version, 'update', notify, (n) => this.#patchOrInsert(objectId, balanceFields(card), full, n)),
      );
      await this.#markSynced(card.id, { synced_balance: card.balance, synced_tier: card.tier });
    }
    if (messageChanged) {
      await this.#sendMessage(card, program, objectId, synced.messages_sent);
    }
    if (hash !== synced.synced_hash) {
      // Stores, state, name or barcode: a silent full update.
      await this.#call(card.id, () => this.#patchOrInsert(objectId, full, full, false));
      await this.#markSynced(card.id, { synced_hash: hash });
    }
    await this.#markSynced(card.id, { synced_version: card.pass_version, last_error: null });
  };

  async #sendMessage(card: Card, program: Program, objectId: string, messagesSent: number): Promise<void> {
    const text = card.message!;
    if (messagesSent >= MAX_OBJECT_MESSAGES - 1) {
      await this.#call(card.id, () => this.api.patchObject(objectId, { messages: [] }, { notify: false }));
      messagesSent = 0;
    }
    const notify = await this.#takeNotification(card.id, card.pass_version, 'message', text);
    await this.#call(card.id, () =>
      this.#silentOnQuota(card.id, card.pass_version, 'message', notify, (n) =>
        this.api.addObjectMessage(objectId, { id: `m${card.pass_version}`, header: program.name, body: text, messageType: n ? 'TEXT_AND_NOTIFY' : 'TEXT' }),
      ),
    );
    await this.#markSynced(card.id, { synced_message: text, messages_sent: messagesSent + 1 });
  }

  /**
   * Records a notification for the object and says whether it may notify: the 4th within 24 h is
   * recorded as silent. Keyed by the card's pass version, so a retried job gets the decision it got
   * the first time instead of spending the budget twice.
   */
  async #takeNotification(cardId: string, version: number, kind: 'message' | 'update', text: string | null): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await trx.selectFrom('cards').select('id').where('id', '=', cardId).forUpdate().execute();
      const earlier = await trx
        .selectFrom('google_notifications')
        .select('notified')
        .where('card_id', '=', cardId)
        .where('kind', '=', kind)
        .where('pass_version', '=', version)
        .executeTakeFirst();
      if (earlier) return earlier.notified;
      const since = new Date(Date.now() - 86_400_000);
      const used = await trx
        .selectFrom('google_notifications')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('card_id', '=', cardId)
        .where('notified', '=', true)
        .where('created_at', '>', since)
        .executeTakeFirstOrThrow();
      const notified = Number(used.n) < NOTIFICATIONS_PER_DAY;
      await trx.insertInto('google_notifications').values({ card_id: cardId, kind, notified, text, pass_version: version }).execute();
      return notified;
    });
  }

  async #syncClass(programId: string): Promise<void> {
    const program = await this.db.selectFrom('programs').selectAll().where('id', '=', programId).executeTakeFirst();
    if (!program) return;
    const cls = buildLoyaltyClass({
      issuerId: this.options.issuerId,
      program,
      stores: await this.#stores(programId),
      logoUrl: this.options.logoUrl(program),
      callbackUrl: this.options.callbackUrl,
      backgroundColor: await this.options.backgroundColor(program),
    });
    try {
      await this.api.upsertClass(cls);
    } catch (err) {
      await this.db
        .insertInto('google_classes')
        .values({ program_id: programId, class_id: classIdFor(this.options.issuerId, program), last_error: errorText(err) })
        .onConflict((oc) => oc.column('program_id').doUpdateSet({ last_error: errorText(err) }))
        .execute();
      throw asJobError(err);
    }
    await this.db
      .insertInto('google_classes')
      .values({ program_id: programId, class_id: classIdFor(this.options.issuerId, program), synced_at: new Date(), last_error: null })
      .onConflict((oc) => oc.column('program_id').doUpdateSet({ synced_at: new Date(), last_error: null }))
      .execute();
  }

  /**
   * Google's own count decides in the end: a notifying call answered 403 quotaExceeded is sent
   * again silently, and the notification is recorded as silent (it did not notify).
   */
  async #silentOnQuota<T>(cardId: string, version: number, kind: 'message' | 'update', notify: boolean, send: (notify: boolean) => Promise<T>): Promise<T> {
    try {
      return await send(notify);
    } catch (err) {
      if (!notify || !isGoogleApiError(err) || err.status !== 403 || err.reason !== 'quotaExceeded') throw err;
      await this.db
        .updateTable('google_notifications')
        .set({ notified: false })
        .where('card_id', '=', cardId)
        .where('kind', '=', kind)
        .where('pass_version', '=', version)
        .execute();
      return send(false);
    }
  }

  /** A PATCH of an object Google no longer has (a 404: deleted, another issuer) inserts it whole. */
  async #patchOrInsert(
    objectId: string,
    patch: Parameters<GoogleWalletCalls['patchObject']>[1],
    full: Parameters<GoogleWalletCalls['upsertObject']>[0],
    notify: boolean,
  ) {
    try {
      return await this.api.patchObject(objectId, patch, { notify });
    } catch (err) {
      if (!isGoogleApiError(err) || err.status !== 404) throw err;
      return this.api.upsertObject(full, { notify });
    }
  }

  async #call(cardId: string, call: () => Promise<unknown>): Promise<void> {
    try {
      await call();
    } catch (err) {
      await this.#markSynced(cardId, { last_error: errorText(err) });
      throw asJobError(err);
    }
  }

  /**
   * A campaign to the whole program: one message on the class reaches every holder. The objects'
   * synced message is set to it, so their own jobs do not send it again one by one.
   */
  readonly broadcastToClass = async (program: Program, text: string): Promise<boolean> => {
    const klass = await this.db.selectFrom('google_classes').select('synced_at').where('program_id', '=', program.id).executeTakeFirst();
    if (!klass?.synced_at) await this.#syncClass(program.id);
    await this.api.addClassMessage(classIdFor(this.options.issuerId, program), {
      id: `c${Date.now()}`,
      header: program.name,
      body: text,
      messageType: 'TEXT_AND_NOTIFY',
    });
    await this.db
      .updateTable('google_objects')
      .set({ synced_message: text, updated_at: new Date() })
      .where('card_id', 'in', (eb) => eb.selectFrom('cards').select('id').where('program_id', '=', program.id))
      .execute();
    return true;
  };

  async #markSynced(
    cardId: string,
    values: Partial<{
      synced_balance: number;
      synced_tier: string;
      synced_message: string;
      synced_version: number;
      synced_hash: string;
      messages_sent: number;
      last_error: string | null;
    }>,
  ) {
    await this.db
      .updateTable('google_objects')
      .set({ ...values, updated_at: new Date() })
      .where('card_id', '=', cardId)
      .execute();
  }

  #stores(programId: string): Promise<Store[]> {
    return this.db.selectFrom('stores').selectAll().where('program_id', '=', programId).orderBy('created_at').orderBy('id').execute();
  }
}

/** 429/5xx/network → retried by the job queue with back-off; other 4xx → recorded, not retried forever. */
function asJobError(err: unknown): JobError {
  if (isGoogleApiError(err)) {
    return new JobError(`Google Wallet API ${err.status}: ${err.message}`, {
      permanent: !err.retryable,
      ...(err.retryAfterMs !== undefined && { retryAfterMs: err.retryAfterMs }),
    });
  }
  return new JobError(errorText(err));
}

/** The object apart from what is sent on its own (balance and tier fields). */
function contentHash(obj: LoyaltyObjectInput): string {
  const { loyaltyPoints: _points, textModulesData: _modules, ...rest } = obj;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex');
}

function errorText(err: unknown): string {
  if (isGoogleApiError(err)) return `${err.status}: ${err.message}`.slice(0, 1000);
  return (err instanceof Error ? err.message : String(err)).slice(0, 1000);
}
