import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { notFound } from '../shared/errors.js';

/** Hooks run inside the erasure transaction (e.g. queue a voided pass for the wallets). */
export type ErasureHook = (trx: Db, cardIds: string[]) => Promise<void>;

/**
 * Right to erasure (152-FZ / GDPR): the customer's personal data is removed, the card voided,
 * and the ledger kept — it references the card, never the person, so it stays as anonymised
 * accounting history.
 */
export class ErasureService {
  readonly #hooks: ErasureHook[] = [];

  constructor(private readonly db: Db) {}

  onErased(hook: ErasureHook): void {
    this.#hooks.push(hook);
  }

  async erase(customerId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const customer = await trx.selectFrom('customers').select(['id', 'erased_at']).where('id', '=', customerId).forUpdate().executeTakeFirst();
      if (!customer) throw notFound('Customer');
      if (customer.erased_at) return; // already erased: erasure is idempotent
      await trx
        .updateTable('customers')
        .set({ name: null, phone: null, email: null, birthday: null, home_store_id: null, marketing_consent: false, erased_at: new Date(), updated_at: new Date() })
        .where('id', '=', customerId)
        .execute();
      const cards = await trx
        .updateTable('cards')
        .set({
          status: 'voided',
          message: null,
          pass_version: sql<number>`nextval('card_pass_version_seq')`,
          pass_updated_at: new Date(),
          updated_at: new Date(),
        })
        .where('customer_id', '=', customerId)
        .returning('id')
        .execute();
      for (const hook of this.#hooks) await hook(trx, cards.map((c) => c.id));
    });
  }
}
