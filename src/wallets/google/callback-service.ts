import type { Db } from '../../platform/db/database.js';
import type { Logger } from '../../platform/log/logger.js';
import { AppError } from '../../platform/shared/errors.js';
import { enqueueJobs } from '../../platform/jobs/job-queue.js';
import type { CallbackKeys } from './callback-keys.js';
import {
  CallbackVerificationError,
  GOOGLE_PAY_PASSES_SENDER_ID,
  GOOGLE_WALLET_PASSES_SENDER_ID,
  verifyCallback,
  type VerifiedCallback,
} from './callback-verifier.js';

/**
 * Save/delete events from Google: the only way to know whether a card is in Google Wallet. Google
 * delivers at least once, so a repeated nonce is answered 200 and changes nothing; and both sender
 * ids Google documents (GooglePayPasses, newer GoogleWalletPasses) are accepted, the configured one first.
 */
export class GoogleCallbackService {
  constructor(
    private readonly db: Db,
    private readonly keys: CallbackKeys,
    private readonly options: { issuerId: string; senderId: string },
    private readonly logger: Logger,
  ) {}

  async handle(body: unknown): Promise<{ eventType: 'save' | 'del'; objectId: string; duplicate: boolean }> {
    let verified: VerifiedCallback;
    try {
      verified = this.#verify(body, await this.keys.get());
    } catch (err) {
      if (!(err instanceof CallbackVerificationError)) throw err;
      // Keys may have rotated since we fetched them: one refetch before refusing a signature.
      if (err.code !== 'bad-intermediate-signature') throw refused(err);
      try {
        verified = this.#verify(body, await this.keys.get(true));
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
      const serial = verified.objectId.startsWith(`${this.options.issuerId}.`) ? verified.objectId.slice(this.options.issuerId.length + 1) : undefined;
      const card = serial ? await trx.selectFrom('cards').select('id').where('serial_number', '=', serial).executeTakeFirst() : undefined;
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

  /** Tries the configured sender id, then the other one Google documents. */
  #verify(body: unknown, rootKeys: Awaited<ReturnType<CallbackKeys['get']>>): VerifiedCallback {
    const senders = [...new Set([this.options.senderId, GOOGLE_PAY_PASSES_SENDER_ID, GOOGLE_WALLET_PASSES_SENDER_ID])];
    let failure: unknown;
    for (const senderId of senders) {
      try {
        return verifyCallback(body, { ...this.options, senderId, rootKeys });
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
