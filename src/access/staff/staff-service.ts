import { randomBytes } from 'node:crypto';
import { hashToken } from '../token-hash.js';
import { hash, verify } from '@node-rs/argon2';
import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { isUniqueViolation } from '../../platform/db/errors.js';
import type { Role, StaffRole } from '../../platform/db/schema.js';
import type { Principal } from '../../platform/http/operation.js';
import { AppError, invalidField, notFound } from '../../platform/shared/errors.js';
import { isUuid, type ScopeGuard } from '../scope/scope-guard.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Mailer } from '../../platform/email/mailer.js';
import type { Logger } from '../../platform/log/logger.js';

/** What each person's role may do in the API: the same roles keys have. */
export const API_ROLE: Record<StaffRole, Role> = { brand_admin: 'admin', marketer: 'marketer', store_manager: 'pos', cashier: 'pos' };

const INVITE_TTL_MS = 7 * 86_400_000;
const RESET_TTL_MS = 86_400_000;
/** Idle and absolute session lifetimes. */
export const SESSION_IDLE_MS = 30 * 60_000;
const SESSION_MAX_MS = 12 * 3_600_000;
/** Failed sign-ins before the account rests, and for how long. */
const MAX_FAILURES = 5;
const LOCK_MS = 15 * 60_000;
export const MIN_PASSWORD = 10;

const duplicate = (email: string) => new AppError(409, 'Conflict', `${email} already has an account in this brand`);
const secret = () => randomBytes(32).toString('base64url');
/** Verified against when the e-mail is unknown, so the answer takes as long as for a wrong password. */
const DUMMY_HASH = hash('not a password: timing filler');

export interface StaffInput {
  email: string;
  name: string;
  role: StaffRole;
  programs?: string[] | undefined;
  storeId?: string | undefined;
  brand?: string | undefined;
}

/**
 * Staff accounts: invited by an admin within its scope (a one-time link to set a password),
 * signing in with an argon2id-hashed password into a database session, revoked at once.
 */
export class StaffService {
  constructor(
    private readonly db: Db,
    private readonly guard: ScopeGuard,
    private readonly audit: AuditLog,
    private readonly publicUrl: string,
    /** With SMTP configured, links are e-mailed as well as handed to the inviter. */
    private readonly mailer?: Mailer,
    private readonly logger?: Logger,
  ) {}

  async invite(input: StaffInput, issuer: Principal) {
    const needsStore = input.role === 'store_manager' || input.role === 'cashier';
    if (needsStore && !input.storeId) throw invalidField('storeId', `is required for a ${input.role} (they work for one store)`);
    if (!needsStore && input.storeId) throw invalidField('storeId', 'applies only to store managers and cashiers');
    const scope = await this.guard.grant(issuer, input);
    const email = input.email.trim().toLowerCase();
    const existing = await this.db.selectFrom('staff').select('id').where('brand_id', '=', scope.brandId).where('email', '=', email).executeTakeFirst();
    if (existing) throw duplicate(email);
    const staff = await this.db
      .insertInto('staff')
      .values({
        brand_id: scope.brandId,
        email,
        name: input.name,
        role: input.role,
        program_ids: scope.programIds,
        store_id: scope.storeId,
        created_by: issuer.keyId,
      })
      .returningAll()
      .executeTakeFirstOrThrow()
      .catch((err: unknown) => {
        if (isUniqueViolation(err)) throw duplicate(email); // invited twice at the same moment
        throw err;
      });
    return { staff: await this.#view(staff), invitation: await this.#link(staff, 'invite') };
  }

  /** A new one-time link to set a password (the old ones stop working). */
  async resetLink(id: string, issuer: Principal) {
    const staff = await this.#within(id, issuer);
    if (staff.disabled_at) throw new AppError(409, 'Conflict', 'This account is revoked');
    return { link: await this.#link(staff, 'reset') };
  }

  async list(issuer: Principal) {
    let q = this.db.selectFrom('staff').selectAll().orderBy('created_at').orderBy('id');
    if (issuer.brandId !== null) q = q.where('brand_id', '=', issuer.brandId);
    const visible = [];
    for (const s of await q.execute()) if (await this.guard.keyWithin(issuer, s)) visible.push(await this.#view(s));
    return visible;
  }

  /** Revoked at once: no more sign-in, every session ends. */
  /** By an admin within its scope, or by a store's manager for a cashier of that store. */
  async revoke(id: string, issuer: Principal): Promise<void> {
    const staff = await this.#within(id, issuer);
    if (issuer.role !== 'admin') {
      const ownCashier = issuer.staffRole === 'store_manager' && !issuer.deviceId && staff.role === 'cashier' && staff.store_id === issuer.storeId;
      if (!ownCashier) throw new AppError(403, 'Forbidden', 'A store manager revokes the cashiers of their own store; anyone else needs an admin');
    }
    await this.db.updateTable('staff').set({ disabled_at: new Date() }).where('id', '=', staff.id).where('disabled_at', 'is', null).execute();
    await this.endSessions(staff.id);
  }

  async endSessions(staffId: string): Promise<void> {
    await this.db.updateTable('staff_sessions').set({ revoked_at: new Date() }).where('staff_id', '=', staffId).where('revoked_at', 'is', null).execute();
  }

  /** Whose link this is, if it is still good (unused, unexpired, its account not revoked). */
  async linkHolder(token: string) {
    const row = await this.db
      .selectFrom('staff_tokens as t')
      .innerJoin('staff as s', 's.id', 't.staff_id')
      .select(['s.id', 's.name', 's.email', 't.kind'])
      .where('t.token_hash', '=', hashToken(token))
      .where('t.used_at', 'is', null)
      .where('t.expires_at', '>', new Date())
      .where('s.disabled_at', 'is', null)
      .executeTakeFirst();
    return row;
  }

  /** Sets the password through a one-time link; the link is spent, every earlier session ends. */
  async setPassword(token: string, password: string, ip: string | undefined): Promise<void> {
    if (password.length < MIN_PASSWORD || password.length > 200) throw invalidField('password', `must be ${MIN_PASSWORD}–200 characters`);
    const holder = await this.linkHolder(token);
    if (!holder) throw new AppError(410, 'Gone', 'This link has expired or was used already');
    const passwordHash = await hash(password);
    const spent = await this.db
      .updateTable('staff_tokens')
      .set({ used_at: new Date() })
      .where('token_hash', '=', hashToken(token))
      .where('used_at', 'is', null)
      .executeTakeFirst();
    if (spent.numUpdatedRows === 0n) throw new AppError(410, 'Gone', 'This link has expired or was used already');
    await this.db.updateTable('staff').set({ password_hash: passwordHash, failed_logins: 0, locked_until: null }).where('id', '=', holder.id).execute();
    await this.endSessions(holder.id);
    await this.#audit(holder.id, holder.kind === 'invite' ? 'staff.acceptInvitation' : 'staff.resetPassword', ip);
  }

  /**
   * A session for the right e-mail and password. The same answer (undefined) for an unknown e-mail,
   * a wrong password, a revoked or a resting account, taking about as long each time.
   */
  async signIn(email: string, password: string, ip: string | undefined): Promise<{ sessionId: string; maxAgeMs: number } | undefined> {
    // One person may have an account in more than one brand, each with its own password.
    const candidates = await this.db
      .selectFrom('staff')
      .select('id')
      .where('email', '=', email.trim().toLowerCase())
      .where('disabled_at', 'is', null)
      .where('password_hash', 'is not', null)
      .limit(5)
      .execute();
    let signedIn: string | undefined;
    for (const c of candidates) {
      const hashToCheck = await this.#reserveAttempt(c.id, 'failed_logins', 'locked_until', 'password_hash');
      if (hashToCheck && (await verify(hashToCheck, password).catch(() => false))) {
        signedIn = c.id;
        break;
      }
    }
    // The same work for an unknown e-mail as for a wrong password.
    if (candidates.length === 0) await verify(await DUMMY_HASH, password).catch(() => false);
    if (!signedIn) return undefined;
    await this.db.updateTable('staff').set({ failed_logins: 0, locked_until: null }).where('id', '=', signedIn).execute();
    const sessionId = secret();
    await this.db
      .insertInto('staff_sessions')
      .values({ id_hash: hashToken(sessionId), staff_id: signedIn, expires_at: new Date(Date.now() + SESSION_MAX_MS), ip: ip ?? null })
      .execute();
    await this.#audit(signedIn, 'staff.signIn', ip);
    return { sessionId, maxAgeMs: SESSION_MAX_MS };
  }

  /**
   * Counts an attempt before it is checked, in one statement, so parallel guesses cannot all read
   * the same count: the fifth in a row rests the account. Returns the hash to check against, or
   * undefined when the account is resting (the attempt is then not checked at all).
   */
  async #reserveAttempt(
    staffId: string,
    counter: 'failed_logins' | 'pin_failures',
    lock: 'locked_until' | 'pin_locked_until',
    secretColumn: 'password_hash' | 'pin_hash',
  ): Promise<string | undefined> {
    const rows = await sql<{ hash: string | null; locked: boolean }>`
      update staff set
        ${sql.ref(counter)} = case when ${sql.ref(counter)} + 1 >= ${MAX_FAILURES} then 0 else ${sql.ref(counter)} + 1 end,
        ${sql.ref(lock)} = case when ${sql.ref(counter)} + 1 >= ${MAX_FAILURES} then now() + ${`${LOCK_MS} milliseconds`}::interval else ${sql.ref(lock)} end
      where id = ${staffId} and (${sql.ref(lock)} is null or ${sql.ref(lock)} <= now())
      returning ${sql.ref(secretColumn)} as hash`.execute(this.db);
    const hash = rows.rows[0]?.hash;
    if (!hash) return undefined;
    return hash;
  }

  async signOut(sessionId: string, ip: string | undefined): Promise<void> {
    const ended = await this.db
      .updateTable('staff_sessions')
      .set({ revoked_at: new Date() })
      .where('id_hash', '=', hashToken(sessionId))
      .where('revoked_at', 'is', null)
      .returning('staff_id')
      .executeTakeFirst();
    if (ended) await this.#audit(ended.staff_id, 'staff.signOut', ip);
  }

  /** The person behind a session cookie, as a principal of their scope and role; null when it is over. */
  readonly authenticateSession = async (sessionId: string): Promise<Principal | null> => {
    const now = new Date();
    const row = await this.db
      .updateTable('staff_sessions as x')
      .set({ last_seen_at: now })
      .from('staff as s')
      .whereRef('s.id', '=', 'x.staff_id')
      .where('x.id_hash', '=', hashToken(sessionId))
      .where('x.revoked_at', 'is', null)
      .where('x.expires_at', '>', now)
      .where('x.last_seen_at', '>', new Date(now.getTime() - SESSION_IDLE_MS))
      .where('s.disabled_at', 'is', null)
      .returning(['s.id', 's.name', 's.role', 's.brand_id', 's.program_ids', 's.store_id', 'x.device_id'])
      .executeTakeFirst();
    if (!row) return null;
    const principal = await this.#principal(row);
    return row.device_id ? { ...principal, deviceId: row.device_id } : principal;
  };

  /**
   * A session for a cashier (or manager) switching in on a paired till device by PIN: the same
   * kind of session as a sign-in, tied to the device (it ends with the device), for this store only.
   */
  async openDeviceSession(staffId: string, deviceId: string, ip: string | undefined): Promise<{ token: string; expiresAt: string }> {
    const token = `wls_${secret()}`;
    const expiresAt = new Date(Date.now() + SESSION_MAX_MS);
    await this.db
      .insertInto('staff_sessions')
      .values({ id_hash: hashToken(token), staff_id: staffId, expires_at: expiresAt, ip: ip ?? null, device_id: deviceId })
      .execute();
    await this.#audit(staffId, 'staff.switchIn', ip, { tillDevice: deviceId });
    return { token, expiresAt: expiresAt.toISOString() };
  }

  async #principal(s: {
    id: string;
    name: string;
    role: StaffRole;
    brand_id: string;
    program_ids: string[] | null;
    store_id: string | null;
  }): Promise<Principal> {
    let programIds = s.program_ids;
    if (s.store_id) {
      const store = await this.db.selectFrom('stores').select('program_id').where('id', '=', s.store_id).executeTakeFirstOrThrow();
      programIds = [store.program_id];
    }
    return { keyId: `staff:${s.id}`, name: s.name, role: API_ROLE[s.role], staffRole: s.role, brandId: s.brand_id, programIds, storeId: s.store_id };
  }

  async #audit(staffId: string, action: string, ip: string | undefined, also?: Record<string, string>): Promise<void> {
    const s = await this.db.selectFrom('staff').selectAll().where('id', '=', staffId).executeTakeFirstOrThrow();
    await this.audit.record({ principal: await this.#principal(s), action, targets: [{ staff: s.id }, ...(also ? [also] : [])], ip, brandId: s.brand_id });
  }

  /** A personal PIN (4–8 digits) for switching in on the store's till devices; only its owner sets it. */
  async setPin(principal: Principal, pin: string): Promise<void> {
    if (!principal.keyId.startsWith('staff:')) throw new AppError(403, 'Forbidden', 'Only a person sets their own PIN (sign in first)');
    if (!/^\d{4,8}$/.test(pin)) throw invalidField('pin', 'must be 4–8 digits');
    const staffId = principal.keyId.slice('staff:'.length);
    await this.db
      .updateTable('staff')
      .set({ pin_hash: await hash(pin), pin_failures: 0, pin_locked_until: null })
      .where('id', '=', staffId)
      .execute();
    await this.#audit(staffId, 'staff.setPin', undefined);
  }

  /** Store managers of a store who can approve at its till (they have a PIN). */
  async managersAt(storeId: string): Promise<{ id: string; name: string }[]> {
    return this.db
      .selectFrom('staff')
      .select(['id', 'name'])
      .where('store_id', '=', storeId)
      .where('role', '=', 'store_manager')
      .where('disabled_at', 'is', null)
      .where('pin_hash', 'is not', null)
      .orderBy('name')
      .execute();
  }

  /** A store manager's approval at the till: their PIN (with its attempt limit); `staff:<id>`, or null. */
  async approveAtStore(storeId: string, staffId: string, pin: string): Promise<string | null> {
    const manager = await this.db.selectFrom('staff').select('role').where('id', '=', staffId).executeTakeFirst();
    if (manager?.role !== 'store_manager') return null;
    if (!(await this.checkPin(staffId, storeId, pin))) return null;
    await this.#audit(staffId, 'staff.approveRefund', undefined, { store: storeId });
    return `staff:${staffId}`;
  }

  /** The staff member's PIN checks out (5 wrong ones in a row rest it for 15 minutes); false for any refusal. */
  async checkPin(staffId: string, storeId: string, pin: string): Promise<boolean> {
    const s = await this.db
      .selectFrom('staff')
      .select('id')
      .where('id', '=', staffId)
      .where('store_id', '=', storeId)
      .where('disabled_at', 'is', null)
      .executeTakeFirst();
    const hashToCheck = s ? await this.#reserveAttempt(s.id, 'pin_failures', 'pin_locked_until', 'pin_hash') : undefined;
    const ok = await verify(hashToCheck ?? (await DUMMY_HASH), pin).catch(() => false);
    if (!s || !hashToCheck || !ok) return false;
    await this.db.updateTable('staff').set({ pin_failures: 0 }).where('id', '=', s.id).execute();
    return true;
  }

  async #within(id: string, issuer: Principal) {
    const staff = isUuid(id) ? await this.db.selectFrom('staff').selectAll().where('id', '=', id).executeTakeFirst() : undefined;
    if (!staff || !(await this.guard.keyWithin(issuer, staff))) throw notFound('Staff member');
    return staff;
  }

  async #link(staff: { id: string; email: string; name: string; brand_id: string }, kind: 'invite' | 'reset') {
    const staffId = staff.id;
    const token = secret();
    const expiresAt = new Date(Date.now() + (kind === 'invite' ? INVITE_TTL_MS : RESET_TTL_MS));
    // One good link at a time: a new one replaces those not yet used.
    await this.db.deleteFrom('staff_tokens').where('staff_id', '=', staffId).where('used_at', 'is', null).execute();
    await this.db
      .insertInto('staff_tokens')
      .values({ token_hash: hashToken(token), staff_id: staffId, kind, expires_at: expiresAt })
      .execute();
    const url = `${this.publicUrl}/staff/welcome/${token}`;
    return { url, expiresAt: expiresAt.toISOString(), emailed: await this.#mail(staff, url, kind) };
  }

  /** The link by e-mail, in Russian and English; a refusal is logged (without the link) and reported, never thrown. */
  async #mail(staff: { email: string; name: string; brand_id: string }, url: string, kind: 'invite' | 'reset'): Promise<boolean> {
    if (!this.mailer) return false;
    const brand = (await this.db.selectFrom('brands').select('name').where('id', '=', staff.brand_id).executeTakeFirst())?.name ?? '';
    const invite = kind === 'invite';
    try {
      await this.mailer.send({
        to: staff.email,
        subject: invite ? `${brand}: приглашение / invitation` : `${brand}: новый пароль / password reset`,
        text: [
          `${staff.name},`,
          invite
            ? `вас пригласили в ${brand}. Задайте пароль по ссылке (действует 7 дней, один раз):`
            : `задайте новый пароль по ссылке (действует сутки, один раз):`,
          url,
          '',
          invite ? `you have been invited to ${brand}. Set your password here (valid 7 days, once):` : `set a new password here (valid one day, once):`,
          url,
        ].join('\n'),
      });
      return true;
    } catch (err) {
      this.logger?.warn({ kind, err: err instanceof Error ? err.message.replaceAll(url, '[link]') : String(err) }, 'staff link not e-mailed');
      return false;
    }
  }

  async #view(s: {
    id: string;
    email: string;
    name: string;
    role: StaffRole;
    store_id: string | null;
    program_ids: string[] | null;
    password_hash: string | null;
    created_at: Date;
    disabled_at: Date | null;
  }) {
    return {
      id: s.id,
      email: s.email,
      name: s.name,
      role: s.role,
      programs: await this.guard.programSlugs(s.program_ids),
      storeId: s.store_id,
      status: s.disabled_at ? ('revoked' as const) : s.password_hash ? ('active' as const) : ('invited' as const),
      createdAt: s.created_at.toISOString(),
    };
  }
}
