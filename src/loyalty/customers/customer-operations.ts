import { z } from 'zod';
import type { UnitOfWork } from '../../platform/db/unit-of-work.js';
import { operation } from '../../platform/http/operation.js';
import type { ErasureService } from './erasure-service.js';
import { preferencesInput, updatePreferences } from './customer-preferences.js';

const idParams = z.object({ id: z.uuid() });

export const customerOperations = (erasure: ErasureService, uow: UnitOfWork) => [
  operation({
    operationId: 'updateCustomerPreferences',
    method: 'patch',
    path: '/customers/{id}',
    tag: 'Customers',
    summary: "Change a customer's marketing consent (recorded with time and source) or weekly message limit",
    roles: ['admin', 'marketer'],
    params: idParams,
    body: preferencesInput,
    responses: {
      200: {
        description: 'The preferences',
        schema: z.object({ id: z.uuid(), marketingConsent: z.boolean(), maxMessagesPerWeek: z.number().int().nullable() }),
      },
    },
    errors: [404, 409],
    targets: ({ params }) => [{ customer: params.id }],
    handler: async ({ params, body, principal }) => {
      const updated = await updatePreferences(uow, params.id, body, principal.keyId);
      return { status: 200, body: { id: updated.id, marketingConsent: updated.marketing_consent, maxMessagesPerWeek: updated.max_messages_per_week } };
    },
  }),
  operation({
    operationId: 'eraseCustomer',
    method: 'delete',
    path: '/customers/{id}',
    tag: 'Customers',
    summary: 'Erase a customer: personal data removed, card voided, ledger kept anonymised',
    roles: ['admin'],
    params: idParams,
    responses: { 204: { description: 'Erased (erasing again changes nothing)' } },
    errors: [404],
    targets: ({ params }) => [{ customer: params.id }],
    handler: async ({ params }) => {
      await erasure.erase(params.id);
      return { status: 204 };
    },
  }),
];
