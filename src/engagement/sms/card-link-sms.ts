import type { Card, Customer, Program } from '../../platform/db/schema.js';
import type { Principal } from '../../platform/http/operation.js';
import { conflict } from '../../platform/shared/errors.js';
import type { Lang } from '../../platform/web/lang.js';
import type { CardService } from '../../loyalty/cards/card-service.js';
import { cardPageUrl } from '../../loyalty/cards/card-view.js';
import type { SmsService, SentSms } from './sms-service.js';
import { composeCardLinkText, fillCustomText } from './sms-text.js';

export interface CardLinkRequest {
  card: Card;
  customer: Pick<Customer, 'phone'>;
  program: Program;
  lang: Lang;
  keyId: string;
}

/** Texts a customer their card's personal link: at enrolment, from the join page, or on request. */
export class CardLinkSms {
  constructor(
    private readonly sms: SmsService,
    private readonly cards: CardService,
    private readonly publicUrl: string,
    /** The brand's own sender and signature, if it has them. */
    private readonly senderOf: (brandId: string) => Promise<{ from: string | null; signature: string | null }>,
  ) {}

  /** The default text; nothing is sent for a card that is not active or a customer without a phone. */
  async send(input: CardLinkRequest): Promise<SentSms | undefined> {
    if (!input.customer.phone || input.card.status !== 'active') return undefined;
    const link = cardPageUrl(this.publicUrl, input.card);
    const sender = await this.senderOf(input.program.brand_id);
    return this.sms.sendCardLink({
      cardId: input.card.id,
      phone: input.customer.phone,
      text: composeCardLinkText(input.lang, input.program.name, link, sender.signature).text,
      keyId: input.keyId,
      from: sender.from ?? undefined,
    });
  }

  /**
   * POST /cards/{n}/sms: a custom text ({link}, {program}) or the default one. A till sees only
   * cards of its own program; an erased customer or an inactive card is a conflict, not a silence.
   */
  async sendOnRequest(cardNumber: string, input: { text?: string | undefined; lang: Lang }, principal: Principal): Promise<SentSms> {
    const { card, customer, program } = await this.cards.getByNumber(cardNumber);
    await this.sms.assertTillProgram(principal.storeId, program.id, cardNumber);
    if (customer.erased_at || !customer.phone) throw conflict(`The customer of card ${cardNumber} has been erased; there is no phone to send to`);
    if (card.status !== 'active') throw conflict(`Card ${cardNumber} is ${card.status}; its link is not sent`);
    const link = cardPageUrl(this.publicUrl, card);
    const sender = await this.senderOf(program.brand_id);
    const text = input.text
      ? fillCustomText(input.text, program.name, link, sender.signature)
      : composeCardLinkText(input.lang, program.name, link, sender.signature).text;
    return this.sms.sendCardLink({ cardId: card.id, phone: customer.phone, text, keyId: principal.keyId, from: sender.from ?? undefined });
  }
}
