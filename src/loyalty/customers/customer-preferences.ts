import { z } from 'zod';
import { line } from '../../platform/shared/text.js';
import type { UnitOfWork } from '../../platform/db/unit-of-work.js';
import { notFound, conflict } from '../../platform/shared/errors.js';

export const preferencesInput = z
  .strictObject({
    marketingConsent: z.boolean(),
    /** The customer's own limit on marketing messages per week (null: the program's caps). */
    maxMessagesPerWeek: z.number().int().min(0).max(50).nullable(),
    source: line().trim().min(1).max(40).default('api'),
  })
  .partial({ marketingConsent: true, maxMessagesPerWeek: true });

/** A customer's marketing choices; a consent change is recorded with time and source. */
export async function updatePreferences(uow: UnitOfWork, customerId: string, input: z.infer<typeof preferencesInput>, recordedBy: string) {
  return uow.run(async (trx) => {
    const customer = await trx.selectFrom('customers').selectAll().where('id', '=', customerId).forUpdate().executeTakeFirst();
    if (!customer) throw notFound('Customer');
    if (customer.erased_at) throw conflict('This customer has been erased');
    if (input.marketingConsent !== undefined && input.marketingConsent !== customer.marketing_consent) {
      await trx
        .insertInto('consents')
        .values({
          customer_id: customerId,
          kind: 'marketing',
          granted: input.marketingConsent,
          source: input.source ?? 'api',
          store_id: null,
          recorded_by: recordedBy,
        })
        .execute();
    }
    return trx
      .updateTable('customers')
      .set({
        ...(input.marketingConsent !== undefined && { marketing_consent: input.marketingConsent }),
        ...(input.maxMessagesPerWeek !== undefined && { max_messages_per_week: input.maxMessagesPerWeek }),
        updated_at: new Date(),
      })
      .where('id', '=', customerId)
      .returning(['id', 'marketing_consent', 'max_messages_per_week'])
      .executeTakeFirstOrThrow();
  });
}
