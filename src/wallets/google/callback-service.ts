import type { Db } from '../../platform/db/database.js';
import type { Logger } from '../../platform/log/logger.js';
import { AppError } from '../../platform/shared/errors.js';
import type { CallbackKeys } from './callback-keys.js';
import { CallbackVerificationError, verifyCallback } from './callback-verifier.js';

/** Save/delete events from Google: the only way to know whether a card is in Google Wallet. */
export class GoogleCallbackService {
  constructor(
    private readonly db: Db,
    private readonly keys: CallbackKeys,
    private readonly options: { issuerId: string; senderId: string },
    private readonly logger: Logger,
  ) {}

  async handle(body: unknown): Promise<{ eventType: 'save' | 'del'; objectId: string }> {
    let event;
    try {
      event = verifyCallback(body, { ...this.options, rootKeys: await this.keys.get() });
    } catch (err) {
      if (!(err instanceof CallbackVerificationError)) throw err;
      // Keys may have rotated since we fetched them: one refetch before refusing a signature.
      if (err.code === 'bad-intermediate-signature') {
        try {
          event = verifyCallback(body, { ...this.options, rootKeys: await this.keys.get(true) });
        } catch (again) {
          if (again instanceof CallbackVerificationError) throw refused(again);
          throw again;
        }
      } else {
        throw refused(err);
      }
    }
    const verified = event;
    await this.db.transaction().execute(async (trx) => {
      const fresh = await trx
        .insertInto('google_callback_nonces')
        .values({ nonce: verified.nonce })
        .onConflict((oc) => oc.column('nonce').doNothing())
        .returning('nonce')
        .executeTakeFirst();
      if (!fresh) throw new AppError(409, 'Replayed callback', 'This callback (nonce) was already received');
      const saved = verified.eventType === 'save';
      const updated = await trx
        .updateTable('google_objects')
        .set(saved ? { saved: true, saved_at: new Date(), updated_at: new Date() } : { saved: false, removed_at: new Date(), updated_at: new Date() })
        .where('object_id', '=', verified.objectId)
        .executeTakeFirst();
      if (updated.numUpdatedRows === 0n)
        this.logger.warn({ objectId: verified.objectId, eventType: verified.eventType }, 'Google callback for an object we do not know');
    });
    this.logger.info({ objectId: verified.objectId, eventType: verified.eventType }, 'Google Wallet callback');
    return { eventType: verified.eventType, objectId: verified.objectId };
  }
}

function refused(err: CallbackVerificationError): AppError {
  return new AppError(err.code === 'expired' ? 400 : 401, 'Callback refused', `${err.code}: ${err.message}`);
}
