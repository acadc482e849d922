import type { Db } from '../../platform/db/database.js';
import type { Logger } from '../../platform/log/logger.js';
import { AppError } from '../../platform/shared/errors.js';
import { enqueueJobs } from '../../platform/jobs/job-queue.js';
import type { CallbackKeys } from './callback-keys.js';
import {
  CallbackVerificationError,
  GOOGLE_PAY_PASSES_SENDER_ID,
  GOOGLE_WALLET_PASSES_SENDER_ID,
  unverifiedObjectId,
  verifyCallback,
  type VerifiedCallback,
} from './callback-verifier.js';
import { issuerOfId, type GoogleIssuers } from './google-issuers.js';

/**
 * Save/delete events from Google: the only way to know whether a card is in Google Wallet. Google
 * delivers at least once, so a repeated nonce is answered 200 and changes nothing; and both sender
 * ids Google documents (GooglePayPasses, newer GoogleWalletPasses) are accepted, the configured one first.
 *
 * One URL serves every issuer: the object id in the message names the issuer, and the signature
 * must verify with that issuer as its recipient, so a message signed for one brand's issuer cannot
 * be passed off as another's. Only an object of the card's own issuer moves the card.
 */
export class GoogleCallbackService {
  constructor(
    private readonly db: Db,
    private readonly keys: CallbackKeys,
    private readonly issuers: GoogleIssuers,
    private readonly options: { senderId: string },
    private readonly logger: Logger,
  ) {}

  async handle(body: unknown): Promise<{ eventType: 'save' | 'del'; objectId: string; duplicate: boolean }> {
    let verified: VerifiedCallback;
    let issuerId: string;
    try {
      issuerId = issuerOfId(unverifiedObjectId(body));
      if (!(await this.issuers.byId(issuerId))) throw new CallbackVerificationError('malformed', 'the object is not under an issuer of this service');
      verified = this.#verify(body, issuerId, await this.keys.get());
    } catch (err) {
      if (!(err instanceof CallbackVerificationError)) throw err;
      // Keys may have rotated since we fetched them: one refetch before refusing a signature.
      if (err.code !== 'bad-intermediate-signature') throw refused(err);
      try {
        verified = this.#verify(body, issuerId!, await this.keys.get(true));
      } catch (again) {
        if (again instanceof CallbackVerificationError) throw refused(again);
        throw again;
      }
    }
    const duplicate = await this.db.transaction().execute(async (trx) => {
      const fresh = await trx
        .insertInto('google_callback_nonces')
        .values({ nonce: verified.nonce })
        .onConflict((oc) => oc.column('nonce').doNothing())
        .returning('nonce')
        .executeTakeFirst();
      if (!fresh) return true; // delivered again: already recorded
      const saved = verified.eventType === 'save';
      // Updates skip objects in nobody's wallet: a save asks for one full, silent sync. The save may
      // come before our row exists (the link carries the object; our insert may not have run yet).
      const card = await this.#cardOf(trx, verified.objectId, issuerId);
      if (!card) {
        this.logger.warn({ objectId: verified.objectId, eventType: verified.eventType }, 'Google callback for an object we do not know');
        return false;
      }
      const now = new Date();
      await trx
        .insertInto('google_objects')
        .values({ card_id: card.id, object_id: verified.objectId, saved, ...(saved ? { saved_at: now, full_sync_due: true } : { removed_at: now }) })
        .onConflict((oc) =>
          oc
            .column('card_id')
            .doUpdateSet(saved ? { saved: true, saved_at: now, full_sync_due: true, updated_at: now } : { saved: false, removed_at: now, updated_at: now }),
        )
        .execute();
      if (saved) await enqueueJobs(trx, [{ kind: 'google.card-changed', dedupeKey: card.id, payload: { cardId: card.id } }], { liftPayload: true });
      return false;
    });
    this.logger.info({ objectId: verified.objectId, eventType: verified.eventType, duplicate }, 'Google Wallet callback');
    return { eventType: verified.eventType, objectId: verified.objectId, duplicate };
  }

  /**
   * The card of a verified object id: its serial, under the issuer its object was made with, or
   * (not made yet: the save link carried it) under its brand's current issuer.
   */
  async #cardOf(trx: Db, objectId: string, issuerId: string): Promise<{ id: string } | undefined> {
    const serial = objectId.slice(issuerId.length + 1);
    const card = await trx
      .selectFrom('cards as c')
      .innerJoin('programs as p', 'p.id', 'c.program_id')
      .leftJoin('google_objects as g', 'g.card_id', 'c.id')
      .select(['c.id', 'p.brand_id', 'g.object_id'])
      .where('c.serial_number', '=', serial)
      .executeTakeFirst();
    if (!card) return undefined;
    if (card.object_id) return card.object_id === objectId ? card : undefined;
    // No object yet: the link was signed under the brand's issuer at the time (its own, or the
    // deployment's), which may have changed since; another brand's issuer never moves this card.
    const owner = await this.issuers.brandOf(issuerId);
    return owner === null || owner === card.brand_id ? card : undefined;
  }

  /** Tries the configured sender id, then the other one Google documents. */
  #verify(body: unknown, issuerId: string, rootKeys: Awaited<ReturnType<CallbackKeys['get']>>): VerifiedCallback {
    const senders = [...new Set([this.options.senderId, GOOGLE_PAY_PASSES_SENDER_ID, GOOGLE_WALLET_PASSES_SENDER_ID])];
    let failure: unknown;
    for (const senderId of senders) {
      try {
        return verifyCallback(body, { issuerId, senderId, rootKeys });
      } catch (err) {
        if (!(err instanceof CallbackVerificationError) || (err.code !== 'bad-intermediate-signature' && err.code !== 'bad-message-signature')) throw err;
        failure ??= err;
      }
    }
    throw failure;
  }
}

function refused(err: CallbackVerificationError): AppError {
  return new AppError(err.code === 'expired' ? 400 : 401, 'Callback refused', `${err.code}: ${err.message}`);
}
