import { sql, type Expression } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import type { Program } from '../../platform/db/schema.js';
import type { UnitOfWork } from '../../platform/db/unit-of-work.js';
import { classIdFor } from './loyalty-resources.js';
import { NOTIFICATIONS_PER_DAY } from './google-sync.js';
import type { GoogleWalletCalls } from './google-sync.js';

/** How long a class message shows: it reaches whoever holds the class's pass meanwhile. */
const CLASS_MESSAGE_HOURS = 24;

/** Card ids allowed to receive a message (consent, caps, status: the caller's rules). */
export type Recipients = Expression<{ card_id: string }>;

/**
 * One message on the loyalty class instead of one per object — but a class message reaches every
 * object of the class, whatever its card's consent, caps or status, so it is used only when every
 * object of the program may receive it and still has notification budget; it then counts in every
 * object's budget and shows for a bounded time (displayInterval). Otherwise the caller sends per
 * object.
 */
export class ClassBroadcast {
  constructor(
    private readonly db: Db,
    private readonly uow: UnitOfWork,
    private readonly api: GoogleWalletCalls,
    private readonly issuerId: string,
    private readonly ensureClass: (programId: string) => Promise<void>,
  ) {}

  async send(program: Program, text: string, recipients: (db: Db) => Recipients): Promise<boolean> {
    const ref = Date.now();
    const booked = await this.uow.run(async (trx) => {
      // Locks the class's objects: no per-object budget decision interleaves with this one.
      const objects = await trx
        .selectFrom('google_objects')
        .innerJoin('cards', 'cards.id', 'google_objects.card_id')
        .select(['google_objects.card_id', 'google_objects.saved'])
        .where('cards.program_id', '=', program.id)
        .forUpdate()
        .execute();
      // In nobody's wallet: per object, which costs nothing for objects not saved.
      if (!objects.some((o) => o.saved)) return false;
      const refused = await trx
        .selectFrom('google_objects as g')
        .innerJoin('cards as c', 'c.id', 'g.card_id')
        .select('g.card_id')
        .where('c.program_id', '=', program.id)
        .where((eb) =>
          eb.or([
            sql<boolean>`g.card_id not in (${recipients(trx)})`,
            eb(
              (eb) =>
                eb
                  .selectFrom('google_notifications as n')
                  .select(sql<number>`count(*)`.as('n'))
                  .whereRef('n.card_id', '=', 'g.card_id')
                  .where('n.notified', '=', true)
                  .where('n.created_at', '>', new Date(Date.now() - 86_400_000)),
              '>=',
              NOTIFICATIONS_PER_DAY,
            ),
          ]),
        )
        .limit(1)
        .executeTakeFirst();
      if (refused) return false;
      await sql`
        insert into google_notifications (card_id, kind, notified, ref)
        select g.card_id, 'class', true, ${ref} from google_objects g join cards c on c.id = g.card_id
        where c.program_id = ${program.id}`.execute(trx);
      return true;
    });
    if (!booked) return false;
    try {
      await this.ensureClass(program.id);
      const start = new Date();
      await this.api.addClassMessage(classIdFor(this.issuerId, program), {
        id: `c${ref}`,
        header: program.name,
        body: text,
        messageType: 'TEXT_AND_NOTIFY',
        displayInterval: { start: { date: start.toISOString() }, end: { date: new Date(start.getTime() + CLASS_MESSAGE_HOURS * 3_600_000).toISOString() } },
      });
      return true;
    } catch (err) {
      // Not sent: the budget was not spent.
      await this.db.deleteFrom('google_notifications').where('kind', '=', 'class').where('ref', '=', ref).execute();
      throw err;
    }
  }
}
