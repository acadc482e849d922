import type { Card, Customer, Program } from '../../platform/db/schema.js';
import { cardPageUrl } from '../../loyalty/cards/card-view.js';
import type { SmsService, SentSms } from './sms-service.js';
import type { Lang } from '../../platform/web/lang.js';
import { composeCardLinkText } from './sms-text.js';

/** Texts a customer their personal card link (join page, enrolment through the API). */
export async function textCardLink(
  sms: SmsService,
  publicUrl: string,
  input: { card: Card; customer: Pick<Customer, 'phone'>; program: Program; lang: Lang; keyId: string },
): Promise<SentSms | undefined> {
  if (!input.customer.phone || input.card.status !== 'active') return undefined;
  const link = cardPageUrl(publicUrl, input.card);
  return sms.sendCardLink({ cardId: input.card.id, phone: input.customer.phone, text: composeCardLinkText(input.lang, input.program.name, link).text, keyId: input.keyId });
}
