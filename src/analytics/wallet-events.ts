import { sql } from 'kysely';
import type { Db } from '../platform/db/database.js';
import type { WalletChannel, WalletEventKind } from '../platform/db/schema.js';

/**
 * The wallet event log (wallet_events). Installs and removals are written by the database's own
 * triggers in the statement that makes them (migrations/0022_analytics.ts); the rest — pass
 * fetched, push sent or failed, message shown or silent — by the code that does it, here.
 */
/** One event per element of `cardIds` (a card twice: two events, e.g. two devices reached). */
export async function recordWalletEvents(db: Db, channel: WalletChannel, event: WalletEventKind, cardIds: string[]): Promise<void> {
  if (cardIds.length === 0) return;
  await sql`
    insert into wallet_events (program_id, card_id, channel, event)
    select c.program_id, c.id, ${channel}, ${event} from unnest(${cardIds}::uuid[]) as u(id) join cards c on c.id = u.id`.execute(db);
}
