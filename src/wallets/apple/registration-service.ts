import type { Db } from '../../platform/db/database.js';

/** Apple Wallet device registrations: which device (and push token) wants updates of which card. */
export class RegistrationService {
  constructor(private readonly db: Db) {}

  /** Returns true when the registration is new (201), false when it existed (200). */
  async register(deviceLibraryId: string, pushToken: string, cardId: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      // A re-registration may carry a new push token: always keep the latest.
      await trx
        .insertInto('apple_devices')
        .values({ device_library_id: deviceLibraryId, push_token: pushToken })
        .onConflict((oc) => oc.column('device_library_id').doUpdateSet({ push_token: pushToken, updated_at: new Date() }))
        .execute();
      const inserted = await trx
        .insertInto('apple_registrations')
        .values({ device_library_id: deviceLibraryId, card_id: cardId })
        .onConflict((oc) => oc.columns(['device_library_id', 'card_id']).doNothing())
        .returning('card_id')
        .executeTakeFirst();
      return inserted !== undefined;
    });
  }

  async unregister(deviceLibraryId: string, cardId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('apple_registrations').where('device_library_id', '=', deviceLibraryId).where('card_id', '=', cardId).execute();
      const left = await trx.selectFrom('apple_registrations').select('card_id').where('device_library_id', '=', deviceLibraryId).limit(1).executeTakeFirst();
      if (!left) await trx.deleteFrom('apple_devices').where('device_library_id', '=', deviceLibraryId).execute();
    });
  }

  /**
   * Serials of this device's passes changed after `since` (a pass version; absent → all), with the
   * newest version as the next tag. Versions only grow, so the tag orders without any clock.
   */
  async changedSince(deviceLibraryId: string, since: number | undefined): Promise<{ serialNumbers: string[]; lastUpdated: number } | null> {
    let q = this.db
      .selectFrom('apple_registrations as r')
      .innerJoin('cards as c', 'c.id', 'r.card_id')
      .select(['c.serial_number', 'c.pass_version'])
      .where('r.device_library_id', '=', deviceLibraryId);
    if (since !== undefined) q = q.where('c.pass_version', '>', since);
    const rows = await q.orderBy('c.pass_version').execute();
    if (rows.length === 0) return null;
    return { serialNumbers: rows.map((r) => r.serial_number), lastUpdated: Math.max(...rows.map((r) => r.pass_version)) };
  }

  /** Push tokens of the devices registered for each card, in one query. */
  async pushTokensForCards(cardIds: string[]): Promise<Map<string, string[]>> {
    const tokens = new Map<string, string[]>(cardIds.map((id) => [id, []]));
    if (cardIds.length === 0) return tokens;
    const rows = await this.db
      .selectFrom('apple_registrations as r')
      .innerJoin('apple_devices as d', 'd.device_library_id', 'r.device_library_id')
      .select(['r.card_id', 'd.push_token'])
      .where('r.card_id', 'in', cardIds)
      .execute();
    for (const row of rows) {
      const list = tokens.get(row.card_id)!;
      if (!list.includes(row.push_token)) list.push(row.push_token);
    }
    return tokens;
  }

  /** APNs said the token is dead (410 Unregistered / BadDeviceToken): forget the device entirely. */
  async forgetPushToken(pushToken: string): Promise<number> {
    const deleted = await this.db.deleteFrom('apple_devices').where('push_token', '=', pushToken).executeTakeFirst();
    return Number(deleted.numDeletedRows);
  }
}
