import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';

export interface PushTarget {
  pushToken: string;
  /** The APNs topic: the pass type id the token was registered for. */
  topic: string;
  /** The card is voided (its customer erased): after this push its devices are forgotten. */
  voided?: boolean;
}

/** Devices one pass may be registered on. */
export const MAX_DEVICES_PER_PASS = 10;

/**
 * Apple Wallet device registrations: which device (and push token) wants updates of which card. A
 * device's push token belongs to one pass type id (its APNs topic), so devices are kept per pass type.
 */
export class RegistrationService {
  constructor(private readonly db: Db) {}

  /**
   * Returns true when the registration is new (201), false when it existed (200). Register and
   * unregister both lock the device row first, so an unregister that finds no other pass never
   * deletes a device a concurrent register is adding a pass to.
   */
  async register(deviceLibraryId: string, passTypeId: string, pushToken: string, cardId: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      // A re-registration may carry a new push token: always keep the latest. The upsert locks the row.
      await trx
        .insertInto('apple_devices')
        .values({ device_library_id: deviceLibraryId, pass_type_id: passTypeId, push_token: pushToken })
        .onConflict((oc) => oc.columns(['device_library_id', 'pass_type_id']).doUpdateSet({ push_token: pushToken, updated_at: new Date() }))
        .execute();
      const inserted = await trx
        .insertInto('apple_registrations')
        .values({ device_library_id: deviceLibraryId, pass_type_id: passTypeId, card_id: cardId })
        .onConflict((oc) => oc.columns(['device_library_id', 'card_id']).doNothing())
        .returning('card_id')
        .executeTakeFirst();
      // A pass is one customer's: a few phones and watches, never hundreds. Past the limit the
      // oldest registration gives way, so a leaked token cannot make every change a push storm.
      if (inserted) {
        await sql`
          delete from apple_registrations r using (
            select device_library_id from apple_registrations where card_id = ${cardId}
            order by created_at desc, device_library_id offset ${MAX_DEVICES_PER_PASS}
          ) old
          where r.card_id = ${cardId} and r.device_library_id = old.device_library_id`.execute(trx);
      }
      return inserted !== undefined;
    });
  }

  async unregister(deviceLibraryId: string, passTypeId: string, cardId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const device = await trx
        .selectFrom('apple_devices')
        .select('device_library_id')
        .where('device_library_id', '=', deviceLibraryId)
        .where('pass_type_id', '=', passTypeId)
        .forUpdate()
        .executeTakeFirst();
      if (!device) return;
      await trx.deleteFrom('apple_registrations').where('device_library_id', '=', deviceLibraryId).where('card_id', '=', cardId).execute();
      const left = await trx
        .selectFrom('apple_registrations')
        .select('card_id')
        .where('device_library_id', '=', deviceLibraryId)
        .where('pass_type_id', '=', passTypeId)
        .limit(1)
        .executeTakeFirst();
      if (!left) await trx.deleteFrom('apple_devices').where('device_library_id', '=', deviceLibraryId).where('pass_type_id', '=', passTypeId).execute();
    });
  }

  /**
   * Serials of this device's passes changed at or after `since`, with the next tag. The tag is the
   * snapshot horizon "x<xmin>": every transaction below it had finished when the query ran, so a
   * pass written by any later commit has pass_xid ≥ the tag and is returned next time, whatever the
   * order its version number was drawn in. At worst a serial is sent twice (the phone gets a 304).
   * A tag of the old numeric form (a pass version), or one past this database's transactions (a
   * restore into a new cluster), answers every serial once.
   */
  async changedSince(deviceLibraryId: string, passTypeId: string, since: string | undefined): Promise<{ serialNumbers: string[]; lastUpdated: string } | null> {
    // xid8 is unsigned 64-bit; anything longer is no tag of ours.
    const horizon = since !== undefined && /^x\d{1,19}$/.test(since) ? since.slice(1) : undefined;
    const rows = await this.db
      .selectFrom('apple_registrations as r')
      .innerJoin('cards as c', 'c.id', 'r.card_id')
      .select(['c.serial_number', sql<string>`pg_snapshot_xmin(pg_current_snapshot())::text`.as('horizon')])
      .where('r.device_library_id', '=', deviceLibraryId)
      .where('r.pass_type_id', '=', passTypeId)
      .$if(horizon !== undefined, (q) => q.where(sql<boolean>`(c.pass_xid >= ${horizon}::xid8 or ${horizon}::xid8 > pg_snapshot_xmax(pg_current_snapshot()))`))
      .orderBy('c.pass_version')
      .execute();
    if (rows.length === 0) return null;
    return { serialNumbers: rows.map((r) => r.serial_number), lastUpdated: `x${rows[0]!.horizon}` };
  }

  /** Push tokens (with their topic, the pass type id) of the devices registered for each card, in one query. */
  async pushTokensForCards(cardIds: string[]): Promise<Map<string, PushTarget[]>> {
    const tokens = new Map<string, PushTarget[]>(cardIds.map((id) => [id, []]));
    if (cardIds.length === 0) return tokens;
    const rows = await this.db
      .selectFrom('apple_registrations as r')
      .innerJoin('apple_devices as d', (join) => join.onRef('d.device_library_id', '=', 'r.device_library_id').onRef('d.pass_type_id', '=', 'r.pass_type_id'))
      .innerJoin('cards as c', 'c.id', 'r.card_id')
      .select(['r.card_id', 'd.push_token', 'd.pass_type_id', 'c.status'])
      .where('r.card_id', 'in', cardIds)
      .execute();
    for (const row of rows) {
      const list = tokens.get(row.card_id)!;
      if (!list.some((t) => t.pushToken === row.push_token))
        list.push({ pushToken: row.push_token, topic: row.pass_type_id, ...(row.status === 'voided' && { voided: true }) });
    }
    return tokens;
  }

  /** Forgets every device registration of these cards (revoked or erased), and devices left with none. */
  async forgetCards(trx: Db, cardIds: string[]): Promise<void> {
    if (cardIds.length === 0) return;
    const gone = await trx.deleteFrom('apple_registrations').where('card_id', 'in', cardIds).returning(['device_library_id', 'pass_type_id']).execute();
    for (const d of gone) {
      await sql`
        delete from apple_devices d where d.device_library_id = ${d.device_library_id} and d.pass_type_id = ${d.pass_type_id}
          and not exists (select 1 from apple_registrations r where r.device_library_id = d.device_library_id and r.pass_type_id = d.pass_type_id)`.execute(
        trx,
      );
    }
  }

  /**
   * APNs said the token is dead: forget the device. With APNs' timestamp of when it learnt that,
   * a device that registered (or refreshed its token) after it is kept.
   */
  async forgetPushToken(pushToken: string, invalidSince?: Date): Promise<number> {
    const deleted = await this.db
      .deleteFrom('apple_devices')
      .where('push_token', '=', pushToken)
      .$if(invalidSince !== undefined, (q) => q.where('updated_at', '<=', invalidSince!))
      .executeTakeFirst();
    return Number(deleted.numDeletedRows);
  }
}
