import { sql, type Expression } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import type { Program } from '../../platform/db/schema.js';
import type { UnitOfWork } from '../../platform/db/unit-of-work.js';
import { classIdFor } from './loyalty-resources.js';
import { isGoogleApiError } from './wallet-api.js';
import { NOTIFICATIONS_PER_DAY } from './google-sync.js';
import type { IssuerRuntime } from './issuer-runtimes.js';

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
    /** The program's brand's current issuer: its class is the one messaged. */
    private readonly runtimeFor: (program: Program) => Promise<IssuerRuntime | undefined>,
    private readonly ensureClass: (program: Program, rt: IssuerRuntime) => Promise<void>,
  ) {}

  /**
   * 'sent'; 'ineligible' (some card of the program may not receive it, or no object is in a wallet:
   * nothing was sent); 'refused' (Google rejected the request: nothing shows). Throws when the
   * outcome is unknown (no answer, 5xx): it may show, so the caller must not send it again.
   */
  async send(program: Program, text: string, recipients: (db: Db) => Recipients): Promise<'sent' | 'ineligible' | 'refused'> {
    const rt = await this.runtimeFor(program);
    if (!rt) return 'ineligible';
    const ref = Date.now() * 1000 + Math.floor(Math.random() * 1000);
    const booked = await this.uow.run(async (trx) => {
      // Holds off every per-object budget decision (they take ROW EXCLUSIVE first) while this one
      // counts and books: one lock, however many objects the class has.
      await sql`lock table google_notifications in share row exclusive mode`.execute(trx);
      const inWallet = await trx
        .selectFrom('google_objects as g')
        .innerJoin('cards as c', 'c.id', 'g.card_id')
        .select('g.card_id')
        .where('c.program_id', '=', program.id)
        .where('g.saved', '=', true)
        .limit(1)
        .executeTakeFirst();
      // In nobody's wallet: per object, which costs nothing for objects not saved.
      if (!inWallet) return false;
      // Every card of the program, with an object or not yet (its save link would join the class
      // while the message shows), must be one this campaign may message, with budget left, and
      // its object in this class (one under an earlier issuer of the brand would miss it).
      const refused = await trx
        .selectFrom('cards as c')
        .select('c.id')
        .where('c.program_id', '=', program.id)
        .where((eb) =>
          eb.or([
            sql<boolean>`c.id not in (${recipients(trx)})`,
            sql<boolean>`exists (select 1 from google_objects o where o.card_id = c.id and o.object_id not like ${`${rt.issuer.issuerId}.%`})`,
            eb(
              (eb) =>
                eb
                  .selectFrom('google_notifications as n')
                  .select(sql<number>`count(*)`.as('n'))
                  .whereRef('n.card_id', '=', 'c.id')
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
    if (!booked) return 'ineligible';
    try {
      await this.ensureClass(program, rt);
      const start = new Date();
      await rt.api.addClassMessage(classIdFor(rt.issuer.issuerId, program), {
        id: `c${ref}`,
        header: program.name,
        body: text,
        messageType: 'TEXT_AND_NOTIFY',
        displayInterval: { start: { date: start.toISOString() }, end: { date: new Date(start.getTime() + CLASS_MESSAGE_HOURS * 3_600_000).toISOString() } },
      });
      return 'sent';
    } catch (err) {
      if (!isGoogleApiError(err) || err.retryable) throw err; // it may have landed: the budget stays spent
      // Rejected: nothing shows, the budget was not spent.
      await this.db.deleteFrom('google_notifications').where('kind', '=', 'class').where('ref', '=', ref).execute();
      return 'refused';
    }
  }
}
