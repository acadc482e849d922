import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import type { ChannelHealth } from '../outbox/wallet-outbox.js';

/**
 * One issuer's Google channel, shared by every process through its google_channel row: while
 * Google answers PERMISSION_DENIED (the service account is not, or no longer, authorised for the
 * issuer), every job of that issuer waits instead of failing one by one; after the pause the next
 * job probes, and its success reopens the channel. Other brands' issuers are not affected.
 */
export class GoogleChannel {
  constructor(
    private readonly db: Db,
    /** How long the channel rests after Google refused the service account, before one job probes it. */
    private readonly pauseMs: number,
    readonly issuerId: string,
  ) {}

  /** The issuer's row (quota bucket and pause), made on first use. */
  static async ensureRow(db: Db, issuerId: string): Promise<void> {
    await sql`insert into google_channel (issuer_id) values (${issuerId}) on conflict (issuer_id) do nothing`.execute(db);
  }

  /** Milliseconds left of a pause (0: open), and whether the caller is the probe after one. */
  async state(): Promise<{ pausedForMs: number; probing: boolean }> {
    const row = await sql<{ left_ms: number | null; reason: string | null }>`
      select extract(epoch from paused_until - clock_timestamp())::float8 * 1000 as left_ms, pause_reason as reason
      from google_channel where issuer_id = ${this.issuerId}`.execute(this.db);
    const r = row.rows[0];
    const left = Math.max(0, Number(r?.left_ms ?? 0));
    return { pausedForMs: left, probing: left === 0 && r?.reason != null };
  }

  async pause(reason: string): Promise<void> {
    await sql`
      update google_channel set paused_until = clock_timestamp() + ${`${this.pauseMs} milliseconds`}::interval, pause_reason = ${reason.slice(0, 500)}
      where issuer_id = ${this.issuerId}`.execute(this.db);
  }

  /** A call went through: the pause (if any) is over. */
  async reopen(): Promise<void> {
    await sql`update google_channel set paused_until = null, pause_reason = null where issuer_id = ${this.issuerId} and pause_reason is not null`.execute(
      this.db,
    );
  }

  async health(): Promise<ChannelHealth> {
    const row = await this.db
      .selectFrom('google_channel')
      .select(['paused_until', 'pause_reason', 'rate'])
      .where('issuer_id', '=', this.issuerId)
      .executeTakeFirst();
    const paused = row?.pause_reason != null;
    return {
      healthy: !paused,
      state: paused ? 'paused' : 'ok',
      issuerId: this.issuerId,
      ...(paused && { reason: row.pause_reason, pausedUntil: row.paused_until }),
      throttled: row?.rate != null,
    };
  }
}
