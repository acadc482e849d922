import type { Operation } from '../platform/http/operation.js';
import { apiKeyOperations } from '../access/api-keys/api-key-operations.js';
import { brandOperations } from '../access/brands/brand-operations.js';
import { auditOperations } from '../access/audit/audit-operations.js';
import { staffOperations } from '../access/staff/staff-operations.js';
import { tillDeviceOperations } from '../access/till-devices/till-device-operations.js';
import { programOperations } from '../loyalty/programs/program-operations.js';
import { storeOperations } from '../loyalty/stores/store-operations.js';
import { cardOperations } from '../loyalty/cards/card-operations.js';
import { pointsOperations } from '../loyalty/ledger/points-operations.js';
import { customerOperations } from '../loyalty/customers/customer-operations.js';
import { tillOperations } from '../loyalty/pos/till-operations.js';
import { campaignOperations } from '../engagement/campaigns/campaign-operations.js';
import { restockOperations } from '../engagement/restock/restock-operations.js';
import { qrOperations } from '../pages/qr/qr-operations.js';
import { appleIdentityOperations } from '../wallets/apple/apple-identity-operations.js';
import { googleIssuerOperations } from '../wallets/google/google-issuer-operations.js';
import { analyticsOperations } from '../analytics/analytics-operations.js';
import type { Services } from './services.js';

export const API_BASE = '/api/v1';

/** The route table: every /api/v1 operation, each declared once in its capability's *-operations.ts. */
export function apiOperations(s: Services): Operation[] {
  return [
    ...brandOperations(s.brands),
    ...appleIdentityOperations(s.apple?.identities, async (slug) => (await s.brands.get(slug)).id),
    ...googleIssuerOperations(s.google.issuers, async (slug) => (await s.brands.get(slug)).id),
    ...auditOperations(s.audit),
    ...staffOperations(s.staff),
    ...tillDeviceOperations(s.tillDevices, s.staff),
    ...apiKeyOperations(s.apiKeys),
    ...programOperations(s.programs, s.scope),
    ...qrOperations(s.programs, s.config.publicUrl, s.stores),
    ...storeOperations(s.stores),
    ...cardOperations(s.cards, s.messages, s.cardLinks, s.cardLinkSms),
    ...pointsOperations(s.cards, s.points),
    ...customerOperations(s.erasure, s.uow),
    ...tillOperations(s.till, s.tillEnrolment),
    ...campaignOperations(s.campaigns, s.birthdays, s.reminders, s.programs),
    ...analyticsOperations(s.db, s.programs),
    ...restockOperations(s.restock, s.config.publicUrl),
  ];
}
