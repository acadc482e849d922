import type { Db } from '../../platform/db/database.js';
import type { Principal } from '../../platform/http/operation.js';
import { AppError } from '../../platform/shared/errors.js';

export interface AuditEntry {
  principal: Principal;
  /** The operation (or the sign-in step) done. */
  action: string;
  targets: Record<string, string>[];
  status?: number;
  ip?: string | undefined;
  /** The brand it happened in: the principal's, or for the deployment key the target's. */
  brandId: string | null;
}

export interface AuditQuery {
  actor?: string | undefined;
  action?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  before?: number | undefined;
  limit: number;
}

/** The append-only record of every write by a key or a person (the table refuses updates). */
export class AuditLog {
  constructor(private readonly db: Db) {}

  async record(e: AuditEntry): Promise<void> {
    const p = e.principal;
    await this.db
      .insertInto('audit_log')
      .values({
        brand_id: e.brandId,
        actor_kind: p.keyId === 'bootstrap' ? 'deployment' : p.keyId.startsWith('staff:') ? 'staff' : 'key',
        actor_id: p.keyId,
        actor_name: p.name,
        role: p.role,
        action: e.action,
        target: JSON.stringify(e.targets),
        status: e.status ?? null,
        ip: e.ip ?? null,
      })
      .execute();
  }

  /** Newest first; a brand admin reads its brand's entries, the deployment key all of them. */
  async list(principal: Principal, q: AuditQuery) {
    if (principal.programIds !== null || principal.storeId !== null) {
      throw new AppError(403, 'Forbidden', 'The audit log is read by brand admins (a key for the whole brand)');
    }
    let query = this.db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(q.limit);
    if (principal.brandId !== null) query = query.where('brand_id', '=', principal.brandId);
    if (q.actor) query = query.where('actor_id', '=', q.actor);
    if (q.action) query = query.where('action', '=', q.action);
    if (q.from) query = query.where('at', '>=', new Date(q.from));
    if (q.to) query = query.where('at', '<', new Date(q.to));
    if (q.before !== undefined) query = query.where('id', '<', q.before);
    const rows = await query.execute();
    return rows.map((r) => ({
      id: r.id,
      at: r.at.toISOString(),
      brandId: r.brand_id,
      actor: { kind: r.actor_kind, id: r.actor_id, name: r.actor_name, role: r.role },
      action: r.action,
      target: r.target as Record<string, string>[],
      status: r.status,
      ip: r.ip,
    }));
  }

  /** Entries older than the retention go; nothing else ever does. */
  async purge(retentionDays: number): Promise<number> {
    const r = await this.db
      .deleteFrom('audit_log')
      .where('at', '<', new Date(Date.now() - retentionDays * 86_400_000))
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
