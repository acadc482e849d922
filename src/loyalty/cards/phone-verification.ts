import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { Db } from '../../platform/db/database.js';
import type { PendingEnrolment, PhoneVerificationsTable, Program } from '../../platform/db/schema.js';
import type { Selectable } from 'kysely';
import type { KeyedHash } from '../../platform/secrets/keyed-hash.js';
import type { AbuseBudgets, Budget } from '../../platform/budgets/abuse-budgets.js';
import type { Lang } from '../../platform/web/lang.js';

/** How a code may be spent: it is short-lived, and guessed only a few times. */
export const VERIFICATION = { ttlMs: 10 * 60_000, maxAttempts: 5, maxSends: 3, resendAfterMs: 30_000 } as const;

/** Who pays for a code text: the sender's address, the phone, its number range and the program. */
export interface JoinBudgets {
  perIpPer10Min: number;
  perIpPerDay: number;
  perPhonePerDay: number;
  perPrefixPerHour: number;
  perProgramPerHour: number;
}
export const DEFAULT_JOIN_BUDGETS: JoinBudgets = { perIpPer10Min: 10, perIpPerDay: 300, perPhonePerDay: 5, perPrefixPerHour: 30, perProgramPerHour: 500 };

export type Sender = (input: { phone: string; text: string; program: Program; keyLimitPerHour: number }) => Promise<void>;

export type StartResult =
  | { kind: 'sent'; id: string }
  /** The budgets or the gateway said no: the same for a member's phone as for anyone's. */
  | { kind: 'not_sent'; retryAfterSeconds: number };

export type ConfirmResult = { kind: 'confirmed'; phone: string; enrolment: PendingEnrolment } | { kind: 'wrong'; attemptsLeft: number } | { kind: 'expired' };

/**
 * The join form's proof that the phone is the joiner's: a six-digit code texted to it. The next
 * page is the same for every phone, member or not, so the form tells nobody who is a member; the
 * card opens only with the code. Codes are kept as HMACs, live ten minutes, and allow five tries.
 */
export class PhoneVerification {
  constructor(
    private readonly db: Db,
    private readonly hash: KeyedHash,
    private readonly budgets: AbuseBudgets,
    private readonly send: Sender,
    private readonly limits: JoinBudgets = DEFAULT_JOIN_BUDGETS,
  ) {}

  /** The countries whose numbers may join the program (default: the deployment's region). */
  static regionAllowed(program: Program, phone: string, defaultRegion: string): boolean {
    const country = parsePhoneNumberFromString(phone)?.country;
    const allowed = program.phone_regions?.length ? program.phone_regions : [defaultRegion];
    return country !== undefined && allowed.includes(country as CountryCode);
  }

  /**
   * `ip`: the anonymous sender's address; null for a till (a key or staff), which no address budget
   * bounds, and whose code is answered only at a till. The new code replaces an open one only once it
   * has gone out: a refused text leaves the code the customer holds working.
   */
  async start(program: Program, phone: string, enrolment: PendingEnrolment, ip: string | null): Promise<StartResult> {
    const spent = await this.#spend(program, phone, ip);
    if (!spent.ok) return { kind: 'not_sent', retryAfterSeconds: spent.retryAfterSeconds };
    const id = randomBytes(18).toString('base64url');
    const code = newCode();
    if (!(await this.#text(program, phone, code, enrolment.lang))) return { kind: 'not_sent', retryAfterSeconds: 60 };
    await this.db.transaction().execute(async (trx) => {
      // One open code per phone and program: asking again replaces it.
      await trx.deleteFrom('phone_verifications').where('program_id', '=', program.id).where('phone', '=', phone).execute();
      await trx
        .insertInto('phone_verifications')
        .values({
          id,
          program_id: program.id,
          phone,
          enrolment: JSON.stringify(enrolment),
          code_hash: this.#codeHash(id, code),
          channel: ip === null ? 'till' : 'join',
          sends: 1,
          last_sent_at: new Date(),
          expires_at: new Date(Date.now() + VERIFICATION.ttlMs),
        })
        .execute();
    });
    return { kind: 'sent', id };
  }

  /** The verification behind a code page (the join form's), while it is alive. */
  async find(id: string, programId: string, channel: 'join' | 'till' = 'join'): Promise<Selectable<PhoneVerificationsTable> | undefined> {
    if (!/^[A-Za-z0-9_-]{24}$/.test(id)) return undefined;
    return this.db
      .selectFrom('phone_verifications')
      .selectAll()
      .where('id', '=', id)
      .where('program_id', '=', programId)
      .where('channel', '=', channel)
      .where('expires_at', '>', new Date())
      .executeTakeFirst();
  }

  /** A new code for the same page (the old one stops working), within the budgets. */
  async resend(program: Program, id: string, ip: string): Promise<StartResult | { kind: 'expired' } | { kind: 'wait'; retryAfterSeconds: number }> {
    const row = await this.find(id, program.id);
    if (!row || row.sends >= VERIFICATION.maxSends) return { kind: 'expired' };
    const wait = (row.last_sent_at?.getTime() ?? 0) + VERIFICATION.resendAfterMs - Date.now();
    if (wait > 0) return { kind: 'wait', retryAfterSeconds: Math.ceil(wait / 1000) };
    const spent = await this.#spend(program, row.phone, ip);
    if (!spent.ok) return { kind: 'not_sent', retryAfterSeconds: spent.retryAfterSeconds };
    const code = newCode();
    // The new code replaces the old only once it has gone out.
    if (!(await this.#text(program, row.phone, code, row.enrolment.lang))) return { kind: 'not_sent', retryAfterSeconds: 60 };
    const updated = await this.db
      .updateTable('phone_verifications')
      .set({ code_hash: this.#codeHash(id, code), sends: sql`sends + 1`, last_sent_at: new Date() })
      .where('id', '=', id)
      .where('sends', '<', VERIFICATION.maxSends)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) return { kind: 'expired' };
    return { kind: 'sent', id };
  }

  /**
   * Checks a code. The try is counted before the code is compared, in one statement, so parallel
   * guesses cannot exceed the limit; the right code deletes the verification (it works once).
   */
  async confirm(programId: string, id: string, code: string, channel: 'join' | 'till' = 'join'): Promise<ConfirmResult> {
    if (!/^[A-Za-z0-9_-]{24}$/.test(id)) return { kind: 'expired' };
    const row = await this.db
      .updateTable('phone_verifications')
      .set({ attempts: sql`attempts + 1` })
      .where('id', '=', id)
      .where('program_id', '=', programId)
      .where('channel', '=', channel)
      .where('expires_at', '>', new Date())
      .where('attempts', '<', VERIFICATION.maxAttempts)
      .returningAll()
      .executeTakeFirst();
    if (!row) return { kind: 'expired' };
    const given = Buffer.from(this.#codeHash(id, code.replace(/\s+/g, '')));
    if (!timingSafeEqual(given, Buffer.from(row.code_hash))) {
      const left = VERIFICATION.maxAttempts - row.attempts;
      return left > 0 ? { kind: 'wrong', attemptsLeft: left } : { kind: 'expired' };
    }
    const taken = await this.db.deleteFrom('phone_verifications').where('id', '=', id).returning('id').executeTakeFirst();
    if (!taken) return { kind: 'expired' }; // a parallel right answer used it first
    return { kind: 'confirmed', phone: row.phone, enrolment: row.enrolment };
  }

  /** Codes that ran out; and everything pending for a phone that is being erased. */
  async purge(phone?: string): Promise<void> {
    let q = this.db.deleteFrom('phone_verifications');
    q = phone === undefined ? q.where('expires_at', '<', new Date()) : q.where('phone', '=', phone);
    await q.execute();
  }

  /** Erasure: pending codes of the phone, and its budget counters (keyed by its HMAC), go. */
  async forget(trx: Db, phone: string | null): Promise<void> {
    if (!phone) return;
    await trx.deleteFrom('phone_verifications').where('phone', '=', phone).execute();
    await trx
      .deleteFrom('abuse_counters')
      .where('bucket', '=', `join:phone:${this.hash.hex(phone)}`)
      .execute();
  }

  #spend(program: Program, phone: string, ip: string | null) {
    const l = this.limits;
    // Numbers are counted by their HMAC; a range by its first digits (where pumping schemes live).
    if (ip !== null) ip = addressBucket(ip);
    const budgets: Budget[] = [
      ...(ip === null
        ? []
        : [
            { bucket: `join:ip:${ip}`, limit: l.perIpPer10Min, windowSeconds: 600 },
            { bucket: `join:ip-day:${ip}`, limit: l.perIpPerDay, windowSeconds: 86_400 },
          ]),
      { bucket: `join:phone:${this.hash.hex(phone)}`, limit: l.perPhonePerDay, windowSeconds: 86_400 },
      { bucket: `join:prefix:${phone.slice(0, 7)}`, limit: l.perPrefixPerHour, windowSeconds: 3600 },
      { bucket: `join:program:${program.id}`, limit: l.perProgramPerHour, windowSeconds: 3600 },
    ];
    return this.budgets.take(budgets);
  }

  async #text(program: Program, phone: string, code: string, lang: Lang): Promise<boolean> {
    const text = lang === 'en' ? `${code} is your ${program.name} card code` : `${code} — код для карты «${program.name}»`;
    try {
      await this.send({ phone, text, program, keyLimitPerHour: this.limits.perProgramPerHour });
      return true;
    } catch {
      return false; // the gateway said no: logged by the SMS service, answered honestly by the page
    }
  }

  #codeHash(id: string, code: string): string {
    return this.hash.hex(`code:${id}:${code}`);
  }
}

/** An IPv4 address as it is; an IPv6 host holds a whole /64, so its budget is the network's. */
export function addressBucket(ip: string): string {
  const v4 = ip.replace(/^::ffff:(?=\d+\.)/i, '');
  if (!v4.includes(':')) return v4;
  const groups = v4.split('::')[0]!.split(':');
  return `${groups.concat(['0', '0', '0', '0']).slice(0, 4).join(':')}::/64`;
}

function newCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}
