import type { Db } from '../../platform/db/database.js';
import type { CardChanges } from '../../wallets/outbox/card-changes.js';
import { notFound } from '../../platform/shared/errors.js';

/**
 * Right to erasure (152-FZ / GDPR): the customer's personal data is removed, the card voided,
 * and the ledger kept — it references the card, never the person, so it stays as anonymised
 * accounting history.
 */
export class ErasureService {
  constructor(
    private readonly db: Db,
    private readonly changes: CardChanges,
  ) {}

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
      const cards = await trx.selectFrom('cards').select('id').where('customer_id', '=', customerId).execute();
      // The wallets get a voided pass without personal data and stop updating it.
      await this.changes.markChanged(trx, cards.map((c) => c.id), { status: 'voided', message: null });
    });
    this.changes.committed();
  }
}
