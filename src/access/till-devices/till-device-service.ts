import { randomBytes } from 'node:crypto';
import { hashToken } from '../token-hash.js';
import type { Db } from '../../platform/db/database.js';
import type { Principal } from '../../platform/http/operation.js';
import { AppError } from '../../platform/shared/errors.js';
import { RateLimiter } from '../../platform/http/rate-limiter.js';
import type { StaffService } from '../staff/staff-service.js';

export const DEVICE_TOKEN_PREFIX = 'wld_';

/**
 * Shared till devices: a store manager (or an admin) pairs one with the store once; the device's
 * token alone only lists the store's cashiers and lets one switch in by PIN, so every till
 * operation is done, and recorded, as a person. Revoking a device ends its cashiers' sessions.
 */
export class TillDeviceService {
  constructor(
    private readonly db: Db,
    private readonly staff: StaffService,
  ) {}

  async pair(input: { storeId: string; name: string }, principal: Principal) {
    this.#mayManage(principal, input.storeId);
    const token = DEVICE_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const device = await this.db
      .insertInto('till_devices')
      .values({ store_id: input.storeId, name: input.name, token_hash: hashToken(token), paired_by: principal.keyId })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { device: view(device), token };
  }

  async list(storeId: string, principal: Principal) {
    this.#mayManage(principal, storeId);
    const rows = await this.db.selectFrom('till_devices').selectAll().where('store_id', '=', storeId).orderBy('created_at').execute();
    return rows.map(view);
  }

  async revoke(id: string, principal: Principal): Promise<void> {
    const device = await this.db.selectFrom('till_devices').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    this.#mayManage(principal, device.store_id);
    await this.db.updateTable('till_devices').set({ revoked_at: new Date() }).where('id', '=', id).where('revoked_at', 'is', null).execute();
    await this.db.updateTable('staff_sessions').set({ revoked_at: new Date() }).where('device_id', '=', id).where('revoked_at', 'is', null).execute();
  }

  /** The route table's authenticator for a device token: a principal that may only switch people in. */
  readonly authenticate = async (token: string): Promise<Principal | null> => {
    const row = await this.db
      .updateTable('till_devices as d')
      .set({ last_seen_at: new Date() })
      .from('stores as s')
      .innerJoin('programs as p', 'p.id', 's.program_id')
      .whereRef('s.id', '=', 'd.store_id')
      .where('d.token_hash', '=', hashToken(token))
      .where('d.revoked_at', 'is', null)
      .returning(['d.id', 'd.name', 'd.store_id', 's.program_id', 'p.brand_id'])
      .executeTakeFirst();
    if (!row) return null;
    return {
      keyId: `device:${row.id}`,
      name: row.name,
      role: 'device',
      brandId: row.brand_id,
      programIds: [row.program_id],
      storeId: row.store_id,
      deviceId: row.id,
    };
  };

  /** Who may switch in here: the store's cashiers and managers who have set a PIN (names only). */
  async cashiers(device: Principal) {
    const rows = await this.db
      .selectFrom('staff')
      .select(['id', 'name', 'role'])
      .where('store_id', '=', device.storeId!)
      .where('disabled_at', 'is', null)
      .where('pin_hash', 'is not', null)
      .orderBy('name')
      .execute();
    return rows.map((r) => ({ id: r.id, name: r.name, role: r.role }));
  }

  readonly #attempts = new RateLimiter(10, 60_000);

  async switchIn(device: Principal, input: { staffId: string; pin: string }, ip: string | undefined) {
    // A stolen tablet must not guess its way through a store's PINs.
    if (!this.#attempts.take(device.deviceId!)) throw new AppError(429, 'Too many requests', 'At most 10 PIN tries a minute per device');
    if (!(await this.staff.checkPin(input.staffId, device.storeId!, input.pin))) {
      throw new AppError(401, 'Unauthorized', 'Wrong PIN, or this person cannot switch in here now');
    }
    return this.staff.openDeviceSession(input.staffId, device.deviceId!, ip);
  }

  /** Admins of the store's program (the guard checked that), or the store's own manager. */
  #mayManage(principal: Principal, storeId: string): void {
    if (principal.role === 'admin') return;
    if (principal.staffRole === 'store_manager' && principal.storeId === storeId && !principal.deviceId) return;
    throw new AppError(403, 'Forbidden', 'Till devices are managed by the store’s manager or an admin');
  }
}

function view(d: { id: string; store_id: string; name: string; created_at: Date; last_seen_at: Date | null; revoked_at: Date | null }) {
  return {
    id: d.id,
    storeId: d.store_id,
    name: d.name,
    createdAt: d.created_at.toISOString(),
    lastSeenAt: d.last_seen_at?.toISOString() ?? null,
    revokedAt: d.revoked_at?.toISOString() ?? null,
  };
}
