import { createHash, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import type { Card, GoogleMessageStatus, Program, Store } from '../../platform/db/schema.js';
import { recordWalletEvents } from '../../analytics/wallet-events.js';
import { JobError, type JobHandler } from '../../platform/jobs/job-runner.js';
import { cardPageUrl } from '../../loyalty/cards/card-view.js';
import { openSubscriptionsForPass } from '../../engagement/restock/restock-service.js';
import { balanceFields, buildLoyaltyClass, buildLoyaltyObject, classIdFor, objectIdFor } from './loyalty-resources.js';
import { isGoogleApiError, isRateLimitReason, type GoogleWalletApi, type LoyaltyObjectInput, type LoyaltyObjectPatch } from './wallet-api.js';
import { QuotaWait, type Lane } from './quota-governor.js';
import type { GoogleChannel } from './google-channel.js';
import type { IssuerRuntime, IssuerRuntimes } from './issuer-runtimes.js';

/** Google allows 3 notifying messages or updates per object per 24 h (beyond: quotaExceeded). */
export const NOTIFICATIONS_PER_DAY = 3;
/** Objects hold at most 10 messages; older ones are cleared before that. */
const MAX_OBJECT_MESSAGES = 10;
/** Longer than any one sync (a few calls of at most 30 s each would be far beyond it anyway). */
const LEASE_MS = 120_000;
/** A job finding the object leased by another worker tries again this soon. */
const BUSY_RETRY_MS = 250;
/** A card that keeps changing while its sync runs is left to the next job after this many rounds. */
const MAX_ROUNDS = 5;

/** The slice of the REST client this module uses. */
export type GoogleWalletCalls = Pick<
  GoogleWalletApi,
  'upsertClass' | 'getClass' | 'upsertObject' | 'patchObject' | 'addObjectMessage' | 'addClassMessage' | 'inLane'
>;

export interface GoogleSyncOptions {
  publicUrl: string;
  logoUrl: (program: Program) => string;
  heroUrl: (program: Program) => string;
  callbackUrl: string;
  backgroundColor: (program: Program) => Promise<string>;
}

type ObjectRow = {
  card_id: string;
  object_id: string;
  synced_balance: number | null;
  synced_tier: string | null;
  synced_version: number | null;
  synced_hash: string | null;
  synced_message_seq: number;
  messages_sent: number;
  saved: boolean;
  saved_at: Date | null;
  full_sync_due: boolean;
};

/**
 * Keeps each Google loyalty object in step with its card, as a small state machine per object:
 *
 * - One writer at a time: a job takes the object's lease (google_objects.lease_until) for its whole
 *   run; a second job for the same card steps aside and runs after it.
 * - A job sends what differs from what Google last acknowledged, marks it synced only where
 *   synced_version < the version it sent, and when the card moved on meanwhile, runs another round.
 * - Not inserted yet → insert. Not in a wallet (never saved, or removed) → no calls: a campaign
 *   costs calls only for real holders; a save callback asks for one silent full update. Voided →
 *   INACTIVE, no messages.
 * - Balance or tier → one PATCH, notifying while the object's 3-per-24-h budget lasts; each card
 *   message (the google_messages outbox) → one addMessage with its own id, in order, none skipped
 *   and none sent twice; anything else that changed (stores, name, links) rides the same PATCH.
 */
export class GoogleSync {
  constructor(
    private readonly db: Db,
    private readonly runtimes: IssuerRuntimes,
    private readonly options: GoogleSyncOptions,
  ) {}

  /** The program's class under each issuer its objects live under (one issuer's refusal does not stop another's). */
  readonly classSync: JobHandler<'google.class-sync'> = async ({ payload }) => {
    const program = await this.db.selectFrom('programs').select(['id', 'brand_id']).where('id', '=', payload.programId).executeTakeFirst();
    if (!program) return;
    const failures: unknown[] = [];
    for (const rt of await this.runtimes.forProgram(program)) {
      await this.#guarded(rt.channel, () => this.#syncClass(program.id, rt)).catch((err: unknown) => failures.push(err));
    }
    if (failures.length) throw failures[0];
  };

  readonly cardChanged: JobHandler<'google.card-changed'> = async ({ payload }) => {
    if (await this.#settleOutOfWallet(payload.cardId)) return;
    const lane: Lane = payload.bulk ? 'bulk' : 'till';
    const card = await this.db.selectFrom('cards').select(['id', 'serial_number', 'program_id']).where('id', '=', payload.cardId).executeTakeFirst();
    if (!card) return;
    // No issuer for the card's brand (Google is off for it): nothing to keep in step.
    const rt = await this.runtimes.forCard(card);
    if (!rt) return;
    await this.#guarded(rt.channel, async () => {
      const lease = randomUUID();
      if (!(await this.#lease(card.id, objectIdFor(rt.issuer.issuerId, card), lease))) {
        throw new JobError('the object is being synced by another job', { defer: true, retryAfterMs: BUSY_RETRY_MS });
      }
      try {
        for (let round = 0; round < MAX_ROUNDS; round++) {
          if (round > 0) await this.#renewLease(card.id, lease);
          if (!(await this.#syncRound(card.id, rt, rt.api.inLane(lane)))) return;
        }
        throw new JobError('the card kept changing during its sync', { retryAfterMs: BUSY_RETRY_MS });
      } catch (err) {
        // Waiting for the quota is not a failure of the object.
        if (err instanceof JobError || err instanceof QuotaWait) throw err;
        await this.#setError(card.id, err);
        // One object refused while its class is not: this object's problem (another issuer's id …),
        // not the channel's; it must not pause the deployment.
        if (isPermissionDenied(err) && !(await this.#classRefused(card.program_id, rt))) throw new JobError(errorText(err), { permanent: true });
        throw err;
      } finally {
        await this.db
          .updateTable('google_objects')
          .set({ lease_until: null, lease_token: null })
          .where('card_id', '=', card.id)
          .where('lease_token', '=', lease)
          .execute();
      }
    });
  };

  /** A cheap probe after a 403 on an object: does Google refuse the class (the whole account) too? */
  async #classRefused(programId: string, rt: IssuerRuntime): Promise<boolean> {
    const program = await this.db.selectFrom('programs').select('slug').where('id', '=', programId).executeTakeFirstOrThrow();
    try {
      await rt.api.getClass(classIdFor(rt.issuer.issuerId, program));
      return false;
    } catch (err) {
      return isPermissionDenied(err);
    }
  }

  /**
   * The channel's rules around every job: wait out a pause, reopen it after a successful probe,
   * pause it on PERMISSION_DENIED; quota waits and busy objects defer the job, other errors retry.
   */
  async #guarded(channel: GoogleChannel, run: () => Promise<void>): Promise<void> {
    const { pausedForMs, probing } = await channel.state();
    if (pausedForMs > 0) throw new JobError('Google Wallet is paused: the service account is not authorised', { defer: true, retryAfterMs: pausedForMs });
    try {
      await run();
      if (probing) await channel.reopen();
    } catch (err) {
      if (err instanceof QuotaWait) throw new JobError(err.message, { defer: true, retryAfterMs: err.waitMs });
      if (isPermissionDenied(err)) {
        await channel.pause(errorText(err));
        throw new JobError(`Google Wallet paused: ${errorText(err)}`, { defer: true, retryAfterMs: 1000 });
      }
      if (probing && isGoogleApiError(err)) await channel.reopen(); // Google answered: authorised again
      throw asJobError(err);
    }
  }

  /**
   * The common case of a campaign to many cards: the object exists but is in nobody's wallet, so
   * nothing is sent. One statement marks it synced and its pending messages skipped; true when it
   * did (otherwise the full sync runs).
   */
  async #settleOutOfWallet(cardId: string): Promise<boolean> {
    const settled = await sql<{ card_id: string }>`
      with settled as (
        update google_objects g set synced_version = greatest(g.synced_version, c.pass_version), synced_message_seq = c.message_seq,
          last_error = null, updated_at = now()
        from cards c
        where g.card_id = ${cardId} and c.id = g.card_id and g.synced_version is not null and not g.saved and not g.full_sync_due
          and c.status != 'voided' and (g.lease_until is null or g.lease_until < now())
        returning g.card_id
      ), skipped as (
        update google_messages set status = 'skipped', sent_at = now()
        where card_id in (select card_id from settled) and status = 'pending'
      )
      select card_id from settled`.execute(this.db);
    return settled.rows.length > 0;
  }

  /** Takes the object's lease, creating its row on first sight. False: another job holds it. */
  async #lease(cardId: string, objectId: string, token: string): Promise<boolean> {
    const leased = await sql<{ object_id: string }>`
      insert into google_objects (card_id, object_id, lease_until, lease_token)
      values (${cardId}, ${objectId}, now() + ${`${LEASE_MS} milliseconds`}::interval, ${token})
      on conflict (card_id) do update set lease_until = excluded.lease_until, lease_token = excluded.lease_token
        where google_objects.lease_until is null or google_objects.lease_until < now()
      returning object_id`.execute(this.db);
    const row = leased.rows[0];
    if (row && row.object_id !== objectId) {
      // A save callback made the row under another issuer since this job chose one: run again with it.
      await this.db
        .updateTable('google_objects')
        .set({ lease_until: null, lease_token: null })
        .where('card_id', '=', cardId)
        .where('lease_token', '=', token)
        .execute();
      throw new JobError('the object was made under another issuer meanwhile', { defer: true, retryAfterMs: BUSY_RETRY_MS });
    }
    return row !== undefined;
  }

  /** Each round extends the lease, so a long sync keeps it; a job whose lease was lost stops. */
  async #renewLease(cardId: string, token: string): Promise<void> {
    const renewed = await this.db
      .updateTable('google_objects')
      .set({ lease_until: sql<Date>`now() + ${`${LEASE_MS} milliseconds`}::interval` })
      .where('card_id', '=', cardId)
      .where('lease_token', '=', token)
      .executeTakeFirst();
    if (renewed.numUpdatedRows === 0n) throw new JobError('the object lease expired and was taken over', { defer: true, retryAfterMs: BUSY_RETRY_MS });
  }

  /** One pass over the object; true when the card changed while it ran (another round is due). */
  async #syncRound(cardId: string, rt: IssuerRuntime, api: GoogleWalletCalls): Promise<boolean> {
    const card = await this.db.selectFrom('cards').selectAll().where('id', '=', cardId).executeTakeFirstOrThrow();
    const object = (await this.db.selectFrom('google_objects').selectAll().where('card_id', '=', cardId).executeTakeFirstOrThrow()) as ObjectRow;
    const pending = await this.db
      .selectFrom('google_messages')
      .select(['seq', 'text'])
      .where('card_id', '=', cardId)
      .where('status', '=', 'pending')
      .orderBy('seq')
      .execute();
    const version = card.pass_version;
    if (object.synced_version !== null && object.synced_version >= version && pending.length === 0 && !object.full_sync_due) return false;

    const [customer, program] = await Promise.all([
      this.db.selectFrom('customers').selectAll().where('id', '=', card.customer_id).executeTakeFirstOrThrow(),
      this.db.selectFrom('programs').selectAll().where('id', '=', card.program_id).executeTakeFirstOrThrow(),
    ]);
    await this.ensureClass(program, rt);
    const full = await this.#fullObject(rt.issuer.issuerId, card, customer, program);
    const hash = contentHash(full);
    const synced: Partial<ObjectRow> = { synced_balance: card.balance, synced_tier: card.tier, synced_hash: hash, full_sync_due: false };

    if (card.status === 'voided') {
      // Erased or voided: the texts it was sent are personal ("Happy birthday, Dmitry!"); keep none.
      await this.#patchOrInsert(api, full, full, false);
      await this.db.updateTable('google_messages').set({ text: null }).where('card_id', '=', card.id).execute();
      await this.#settleMessages(card.id, 'skipped');
    } else if (object.synced_version === null) {
      await api.upsertObject(full);
      // Inserted now: messages from before it existed went to nobody's wallet.
      await this.#settleMessages(card.id, 'skipped');
    } else if (!object.saved) {
      // In nobody's wallet (never saved, or removed): no calls. A save callback asks for a full sync.
      await this.#settleMessages(card.id, 'skipped');
      await this.#markSynced(card.id, version, {});
      return this.#moved(card.id, version);
    } else if (object.full_sync_due) {
      // Just saved: bring it up to date without a notification the customer did not ask for.
      await this.#patchOrInsert(api, full, full, false);
      await this.#settleMessages(card.id, 'skipped');
    } else {
      const balanceChanged = object.synced_balance !== card.balance || object.synced_tier !== card.tier;
      if (balanceChanged || hash !== object.synced_hash) {
        // One PATCH: the balance (notifying, within budget) and whatever else changed, silently.
        const patch: LoyaltyObjectPatch = hash !== object.synced_hash ? full : balanceFields(card);
        const notify = balanceChanged && (await this.#takeNotification(card.id, 'update', version));
        await this.#silentOnQuota(card.id, 'update', version, notify, (n) => this.#patchOrInsert(api, patch, full, n));
        // Recorded at once: a later failure in this round must not send (and notify) it again.
        await this.#markFields(card.id, { synced_balance: card.balance, synced_tier: card.tier, synced_hash: hash });
      }
      let sent = object.messages_sent;
      if (pending.length && sent + pending.length > MAX_OBJECT_MESSAGES - 1) {
        // Room for this round's messages: Google keeps at most 10 on an object.
        await this.#patchOrInsert(api, { messages: [] }, full, false);
        sent = 0;
        await this.#markFields(card.id, { messages_sent: 0 });
      }
      for (const message of pending) {
        await this.#sendMessage(api, card, program, full, message);
        await this.#markFields(card.id, { messages_sent: ++sent });
      }
    }
    await this.#markSynced(card.id, version, { ...synced, synced_message_seq: card.message_seq });
    return this.#moved(card.id, version);
  }

  async #fullObject(
    issuerId: string,
    card: Card,
    customer: Parameters<typeof buildLoyaltyObject>[0]['customer'],
    program: Program,
  ): Promise<LoyaltyObjectInput> {
    const [stores, waiting] = await Promise.all([this.#stores(program.id), openSubscriptionsForPass(this.db, this.options.publicUrl, card.id)]);
    return buildLoyaltyObject({
      issuerId,
      program,
      card,
      customer,
      stores,
      ...(card.status !== 'voided' && {
        cardPageUrl: cardPageUrl(this.options.publicUrl, card),
        restockSubscriptions: waiting,
      }),
    });
  }

  async #sendMessage(api: GoogleWalletCalls, card: Card, program: Program, full: LoyaltyObjectInput, message: { seq: number; text: string | null }) {
    if (message.text === null) return this.#settleMessages(card.id, 'skipped', message.seq);
    const text = message.text;
    const notify = await this.#takeNotification(card.id, 'message', message.seq);
    const send = (n: boolean) =>
      api.addObjectMessage(full.id, { id: `m${message.seq}`, header: program.name, body: text, messageType: n ? 'TEXT_AND_NOTIFY' : 'TEXT' });
    const notified = await this.#silentOnQuota(card.id, 'message', message.seq, notify, async (n) => {
      try {
        await send(n);
      } catch (err) {
        // The object is gone at Google (deleted, another issuer): insert it again, then add.
        if (!isGoogleApiError(err) || err.status !== 404) throw err;
        await api.upsertObject(full);
        await send(n);
      }
      return n;
    });
    await this.#settleMessages(card.id, notified ? 'sent' : 'silent', message.seq);
  }

  /** Pending messages (all, or the one with `seq`) are done: sent, silent or skipped. */
  async #settleMessages(cardId: string, status: GoogleMessageStatus, seq?: number): Promise<void> {
    let q = this.db.updateTable('google_messages').set({ status, sent_at: new Date() }).where('card_id', '=', cardId).where('status', '=', 'pending');
    if (seq !== undefined) q = q.where('seq', '=', seq);
    const settled = await q.returning('seq').execute();
    // Shown (notified) or silent (the day's budget was spent): the wallet event log's message events.
    if (status !== 'skipped' && settled.length)
      await recordWalletEvents(
        this.db,
        'google',
        status === 'sent' ? 'message_shown' : 'message_silent',
        settled.map(() => cardId),
      );
  }

  /**
   * Records a notification for the object and says whether it may notify: beyond 3 within 24 h it
   * is recorded as silent. Keyed by what it announces (the update's version, the message's seq), so
   * a retried job gets the decision it got the first time instead of spending the budget twice.
   */
  async #takeNotification(cardId: string, kind: 'message' | 'update', ref: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      // Serialises budget decisions for the card, and waits for a class broadcast booking its budget.
      await sql`lock table google_notifications in row exclusive mode`.execute(trx);
      await trx.selectFrom('google_objects').select('card_id').where('card_id', '=', cardId).forUpdate().execute();
      const earlier = await trx
        .selectFrom('google_notifications')
        .select('notified')
        .where('card_id', '=', cardId)
        .where('kind', '=', kind)
        .where('ref', '=', ref)
        .executeTakeFirst();
      if (earlier) return earlier.notified;
      const notified = (await notificationsToday(trx, cardId)) < NOTIFICATIONS_PER_DAY;
      await trx.insertInto('google_notifications').values({ card_id: cardId, kind, notified, ref }).execute();
      return notified;
    });
  }

  /**
   * Google's own count decides in the end: a notifying call answered 403 quotaExceeded is sent
   * again silently, and the notification is recorded as silent (it did not notify).
   */
  async #silentOnQuota<T>(cardId: string, kind: 'message' | 'update', ref: number, notify: boolean, send: (notify: boolean) => Promise<T>): Promise<T> {
    try {
      return await send(notify);
    } catch (err) {
      if (!notify || !isQuotaExceeded(err)) throw err;
      await this.db
        .updateTable('google_notifications')
        .set({ notified: false })
        .where('card_id', '=', cardId)
        .where('kind', '=', kind)
        .where('ref', '=', ref)
        .execute();
      return send(false);
    }
  }

  /** A PATCH of an object Google no longer has (a 404: deleted, another issuer) inserts it whole. */
  async #patchOrInsert(api: GoogleWalletCalls, patch: LoyaltyObjectPatch, full: LoyaltyObjectInput, notify: boolean): Promise<unknown> {
    try {
      return await api.patchObject(full.id, patch, { notify });
    } catch (err) {
      if (!isGoogleApiError(err) || err.status !== 404) throw err;
      return api.upsertObject(full, { notify });
    }
  }

  /** What reached Google, recorded as soon as it did (the version is marked at the round's end). */
  async #markFields(cardId: string, values: Partial<ObjectRow>): Promise<void> {
    await this.db
      .updateTable('google_objects')
      .set({ ...values, updated_at: new Date() })
      .where('card_id', '=', cardId)
      .execute();
  }

  /** Only forward: a slower job that sent an older version never overwrites a newer mark. */
  async #markSynced(cardId: string, version: number, values: Partial<ObjectRow>): Promise<void> {
    await this.db
      .updateTable('google_objects')
      .set({ ...values, synced_version: version, last_error: null, updated_at: new Date() })
      .where('card_id', '=', cardId)
      .where((eb) => eb.or([eb('synced_version', 'is', null), eb('synced_version', '<', version), eb('full_sync_due', '=', true)]))
      .execute();
  }

  async #moved(cardId: string, version: number): Promise<boolean> {
    const now = await this.db.selectFrom('cards').select('pass_version').where('id', '=', cardId).executeTakeFirstOrThrow();
    const pending = await this.db
      .selectFrom('google_messages')
      .select('seq')
      .where('card_id', '=', cardId)
      .where('status', '=', 'pending')
      .limit(1)
      .executeTakeFirst();
    return now.pass_version > version || pending !== undefined;
  }

  async #setError(cardId: string, err: unknown): Promise<void> {
    await this.db
      .updateTable('google_objects')
      .set({ last_error: errorText(err), updated_at: new Date() })
      .where('card_id', '=', cardId)
      .execute();
  }

  async #syncClass(programId: string, rt: IssuerRuntime): Promise<void> {
    const program = await this.db.selectFrom('programs').selectAll().where('id', '=', programId).executeTakeFirst();
    if (!program) return;
    const issuerId = rt.issuer.issuerId;
    const classId = classIdFor(issuerId, program);
    const cls = buildLoyaltyClass({
      issuerId,
      program,
      stores: await this.#stores(programId),
      logoUrl: this.options.logoUrl(program),
      heroUrl: this.options.heroUrl(program),
      callbackUrl: this.options.callbackUrl,
      backgroundColor: await this.options.backgroundColor(program),
    });
    try {
      await rt.api.upsertClass(cls);
    } catch (err) {
      await this.db
        .insertInto('google_classes')
        .values({ program_id: programId, class_id: classId, last_error: errorText(err) })
        .onConflict((oc) => oc.columns(['program_id', 'class_id']).doUpdateSet({ last_error: errorText(err) }))
        .execute();
      throw err;
    }
    await this.db
      .insertInto('google_classes')
      .values({ program_id: programId, class_id: classId, synced_at: new Date(), last_error: null })
      .onConflict((oc) => oc.columns(['program_id', 'class_id']).doUpdateSet({ synced_at: new Date(), last_error: null }))
      .execute();
  }

  /** The program's class under this issuer exists (created if need be) before an object or message uses it. */
  async ensureClass(program: Pick<Program, 'id' | 'slug'>, rt: IssuerRuntime): Promise<void> {
    const klass = await this.db
      .selectFrom('google_classes')
      .select('synced_at')
      .where('program_id', '=', program.id)
      .where('class_id', '=', classIdFor(rt.issuer.issuerId, program))
      .executeTakeFirst();
    if (!klass?.synced_at) await this.#syncClass(program.id, rt);
  }

  #stores(programId: string): Promise<Store[]> {
    return this.db.selectFrom('stores').selectAll().where('program_id', '=', programId).orderBy('created_at').orderBy('id').execute();
  }
}

/** Notifying messages and updates the object got in the last 24 h (class messages included). */
export async function notificationsToday(db: Db, cardId: string): Promise<number> {
  const row = await db
    .selectFrom('google_notifications')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('card_id', '=', cardId)
    .where('notified', '=', true)
    .where('created_at', '>', new Date(Date.now() - 86_400_000))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

const isQuotaExceeded = (err: unknown) => isGoogleApiError(err) && err.status === 403 && err.reason === 'quotaExceeded';

/** 403 other than a quota or rate limit: Google refuses the service account (not yet, or no longer authorised). */
const isPermissionDenied = (err: unknown) => isGoogleApiError(err) && err.status === 403 && err.reason !== 'quotaExceeded' && !isRateLimitReason(err.reason);

/** 429/5xx/network → retried by the job queue with back-off; other 4xx → recorded, not retried forever. */
function asJobError(err: unknown): JobError {
  if (err instanceof JobError) return err;
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
  const { loyaltyPoints: _points, secondaryLoyaltyPoints: _tier, ...rest } = obj;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex');
}

function errorText(err: unknown): string {
  if (isGoogleApiError(err)) return `${err.status}: ${err.message}`.slice(0, 1000);
  return (err instanceof Error ? err.message : String(err)).slice(0, 1000);
}
