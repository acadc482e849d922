import { sql } from 'kysely';
import type { KeyedHash } from '../../platform/secrets/keyed-hash.js';
import type { Db } from '../../platform/db/database.js';
import { maskPhone, type Logger } from '../../platform/log/logger.js';
import { AppError, notFound } from '../../platform/shared/errors.js';
import type { SmsLimits } from '../../platform/config/sms-config.js';
import { scrubPhone, SmsSendError, type SmsProvider } from './sms-provider.js';
import { segmentsOf } from './sms-text.js';

export interface SendCardLinkInput {
  /** The card the text is about; null for a code sent before there is one. */
  cardId: string | null;
  /** E.164. */
  phone: string;
  text: string;
  /** Who asked: the principal's key id. */
  keyId: string;
  /** The brand's sender id or number (absent: the gateway's configured one). */
  from?: string | undefined;
  /** This sender's hourly limit instead of SMS_MAX_PER_KEY_PER_HOUR (a program's join texts). */
  keyLimitPerHour?: number | undefined;
}

export interface SentSms {
  id: number;
  status: 'sent';
  segments: number;
  providerMessageId: string | null;
}

/** Limits, by what they count, how far back, and which setting raises them. */
const WINDOWS = {
  phone: { column: 'phone_hash', hours: 24, setting: 'SMS_MAX_PER_PHONE_PER_DAY', what: 'to this phone number in 24 hours', counted: ['pending', 'sent'] },
  key: { column: 'key_id', hours: 1, setting: 'SMS_MAX_PER_KEY_PER_HOUR', what: 'with this API key in an hour', counted: ['pending', 'sent', 'failed'] },
} as const;

/**
 * Sends customers their card link by SMS, within two limits counted from `sms_messages`: per phone
 * number in any 24 hours (messages that may have reached it) and per API key in any hour (every
 * attempt). The check and the row that claims a slot are written under advisory locks on the phone
 * and the key, so concurrent requests cannot both take the last slot; the gateway is called after
 * that short transaction, never inside it.
 */
export class SmsService {
  readonly #db: Db;

  constructor(
    db: Db,
    private readonly provider: SmsProvider,
    private readonly limits: SmsLimits,
    private readonly logger: Logger,
    /** Phones are counted by an HMAC, never stored or hashed bare. */
    private readonly phoneHash: KeyedHash,
  ) {
    this.#db = db;
  }

  /** A till (pos key) reaches only the cards of its own store's program; others get a 404. */
  async assertTillProgram(storeId: string | null, programId: string, cardNumber: string): Promise<void> {
    if (!storeId) return;
    const store = await this.#db.selectFrom('stores').select('program_id').where('id', '=', storeId).executeTakeFirst();
    if (store?.program_id !== programId) throw notFound(`Card ${cardNumber}`);
  }

  async sendCardLink(input: SendCardLinkInput): Promise<SentSms> {
    const phoneHash = this.phoneHash.hex(input.phone);
    const segments = segmentsOf(input.text);
    const claim = await this.#db.transaction().execute(async (trx) => {
      // Always phone first, then key: two requests never wait on each other in opposite order.
      await sql`select pg_advisory_xact_lock(hashtextextended(${`sms:phone:${phoneHash}`}, 0))`.execute(trx);
      await sql`select pg_advisory_xact_lock(hashtextextended(${`sms:key:${input.keyId}`}, 0))`.execute(trx);
      const refusal =
        (await this.#refusal(trx, 'phone', phoneHash, this.limits.perPhonePerDay)) ??
        (await this.#refusal(trx, 'key', input.keyId, input.keyLimitPerHour ?? this.limits.perKeyPerHour));
      const row = await trx
        .insertInto('sms_messages')
        .values({
          card_id: input.cardId,
          phone_hash: phoneHash,
          key_id: input.keyId,
          provider: this.provider.name,
          status: refusal ? 'rate_limited' : 'pending',
          segments,
          error: refusal ? `${refusal.setting}=${refusal.max} reached` : null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return { id: row.id, refusal };
    });

    const log = { smsId: claim.id, cardId: input.cardId, to: maskPhone(input.phone), provider: this.provider.name, segments };
    if (claim.refusal) {
      const { setting, max, what, retryAfterSeconds } = claim.refusal;
      this.logger.info({ ...log, limit: setting }, 'SMS refused: rate limit');
      throw new AppError(429, 'Too many SMS', `At most ${max} SMS may be sent ${what} (${setting}); try again in ${formatWait(retryAfterSeconds)}`, {
        limit: setting,
        max,
        retryAfterSeconds,
      });
    }

    try {
      const result = await this.provider.send(input.phone, input.text, ...(input.from ? [input.from] : []));
      // (A gateway's error may echo the message: its text, with the card link or code, is scrubbed below.)
      const providerMessageId = result.providerMessageId ?? null;
      await this.#db.updateTable('sms_messages').set({ status: 'sent', provider_message_id: providerMessageId }).where('id', '=', claim.id).execute();
      this.logger.info({ ...log, providerMessageId }, 'SMS sent');
      return { id: claim.id, status: 'sent', segments, providerMessageId };
    } catch (err) {
      const retryable = err instanceof SmsSendError ? err.retryable : false;
      const message = scrubText(scrubPhone(err instanceof Error ? err.message : String(err), input.phone), input.text).slice(0, 1000);
      await this.#db.updateTable('sms_messages').set({ status: 'failed', error: message }).where('id', '=', claim.id).execute();
      this.logger.warn({ ...log, retryable, status: err instanceof SmsSendError ? err.status : undefined, error: message }, 'SMS not sent');
      if (!(err instanceof SmsSendError)) throw err;
      throw new AppError(502, 'SMS not sent', `The SMS gateway did not take the message${retryable ? ' (temporary; try again later)' : ''}: ${message}`, {
        retryable,
      });
    }
  }

  /** Erasure: the log keeps that a text went out, not to whom (the HMAC and any error text go). */
  async forget(trx: Db, cardIds: string[], phone: string | null): Promise<void> {
    const hash = phone ? this.phoneHash.hex(phone) : undefined;
    if (cardIds.length === 0 && !hash) return;
    await trx
      .updateTable('sms_messages')
      .set({ phone_hash: null, error: null })
      .where((eb) => eb.or([...(cardIds.length ? [eb('card_id', 'in', cardIds)] : []), ...(hash ? [eb('phone_hash', '=', hash)] : [])]))
      .execute();
  }

  /** null when another message fits in the window; otherwise the limit and when a slot frees up. */
  async #refusal(trx: Db, which: keyof typeof WINDOWS, value: string, max: number) {
    const w = WINDOWS[which];
    // The newest `max` counted messages in the window: when there are `max`, the oldest of them
    // leaving the window is what frees a slot.
    const rows = await trx
      .selectFrom('sms_messages')
      .select('created_at')
      .where(w.column, '=', value)
      .where('status', 'in', [...w.counted])
      .where('created_at', '>', sql<Date>`now() - make_interval(hours => ${w.hours})`)
      .orderBy('created_at', 'desc')
      .limit(max)
      .execute();
    if (rows.length < max) return null;
    const freesAt = rows[max - 1]!.created_at.getTime() + w.hours * 3_600_000;
    return { setting: w.setting, what: w.what, max, retryAfterSeconds: Math.max(1, Math.ceil((freesAt - Date.now()) / 1000)) };
  }
}

/** A gateway that echoes the message would put its link or code in logs and answers: cut it out. */
function scrubText(error: string, text: string): string {
  let out = error.split(text).join('[message]');
  for (const token of [...text.matchAll(/\/c\/[A-Za-z0-9_-]+|\b\d{6}\b/g)].map((m) => m[0])) out = out.split(token).join('[redacted]');
  return out;
}

function formatWait(seconds: number): string {
  if (seconds < 90) return `${seconds} s`;
  if (seconds < 5400) return `${Math.ceil(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}
