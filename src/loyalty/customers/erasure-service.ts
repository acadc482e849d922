import type { Db } from '../../platform/db/database.js';
import type { UnitOfWork } from '../../platform/db/unit-of-work.js';
import type { WalletOutbox } from '../../wallets/outbox/wallet-outbox.js';
import { notFound } from '../../platform/shared/errors.js';

/** What one capability forgets of an erased customer, inside the erasure's transaction. */
export type Forget = (trx: Db, who: { customerId: string; cardIds: string[]; phone: string | null }) => Promise<void>;

/**
 * Right to erasure (152-FZ / GDPR): the customer's personal data is removed, the card voided,
 * and the ledger kept — it references the card, never the person, so it stays as anonymised
 * accounting history (its free-text reasons, which may name the person, are cleared). Every other
 * capability that keeps something of the person forgets it in the same transaction (`forgetters`:
 * devices, subscriptions, SMS log hashes, pending codes, message texts).
 */
export class ErasureService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: WalletOutbox,
    private readonly forgetters: Forget[] = [],
  ) {}
  private get db() {
    return this.uow.db;
  }

  async erase(customerId: string): Promise<void> {
    await this.uow.run(async (trx) => {
      const customer = await trx.selectFrom('customers').select(['id', 'erased_at', 'phone']).where('id', '=', customerId).forUpdate().executeTakeFirst();
      if (!customer) throw notFound('Customer');
      if (customer.erased_at) return; // already erased: erasure is idempotent
      await trx
        .updateTable('customers')
        .set({
          name: null,
          phone: null,
          email: null,
          birthday: null,
          home_store_id: null,
          marketing_consent: false,
          erased_at: new Date(),
          updated_at: new Date(),
        })
        .where('id', '=', customerId)
        .execute();
      const cards = await trx.selectFrom('cards').select('id').where('customer_id', '=', customerId).execute();
      const cardIds = cards.map((c) => c.id);
      if (cardIds.length) await trx.updateTable('ledger_entries').set({ reason: null }).where('card_id', 'in', cardIds).execute();
      for (const forget of this.forgetters) await forget(trx, { customerId, cardIds, phone: customer.phone });
      // The wallets get a voided pass without personal data and stop updating it.
      await this.outbox.cardChanged(trx, cardIds, { status: 'voided', message: null });
    });
  }
}
