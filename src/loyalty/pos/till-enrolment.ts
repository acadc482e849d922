import type { Db } from '../../platform/db/database.js';
import type { Program } from '../../platform/db/schema.js';
import { AppError, invalidField } from '../../platform/shared/errors.js';
import { normalizePhone } from '../../platform/shared/phone.js';
import type { CardService } from '../cards/card-service.js';
import { firstName } from '../cards/card-view.js';
import { PhoneVerification } from '../cards/phone-verification.js';
import { programOfStore } from './till-service.js';

export interface TillEnrolmentInput {
  name: string;
  phone: string;
  birthday?: string | undefined;
  marketing: boolean;
  lang: 'ru' | 'en';
}

/**
 * A new customer at the counter: the cashier types the phone, the customer reads out the code texted
 * to it. Only then is there a card (a member's own for a known phone) — the same proof as the join
 * form's, so a till cannot enrol, or reach, a number its customer does not hold.
 */
export class TillEnrolment {
  constructor(
    private readonly db: Db,
    private readonly verification: PhoneVerification,
    private readonly cards: CardService,
    private readonly defaultPhoneRegion: string,
  ) {}

  async start(storeId: string, input: TillEnrolmentInput) {
    const program = await this.#programOf(storeId);
    const phone = normalizePhone(input.phone, this.defaultPhoneRegion);
    if (!phone) throw invalidField('phone', 'is not a valid phone number');
    if (!PhoneVerification.regionAllowed(program, phone, this.defaultPhoneRegion)) throw invalidField('phone', "is not a number of the program's countries");
    const started = await this.verification.start(
      program,
      phone,
      {
        name: input.name,
        ...(input.birthday && { birthday: input.birthday }),
        marketing: input.marketing,
        homeStoreId: storeId,
        source: 'till',
        lang: input.lang,
      },
      null,
    );
    if (started.kind === 'not_sent')
      throw new AppError(429, 'Code not sent', `The code could not be texted now; try again in ${Math.ceil(started.retryAfterSeconds / 60)} min`, {
        retryAfterSeconds: started.retryAfterSeconds,
      });
    return { verificationId: started.id };
  }

  async confirm(storeId: string, verificationId: string, code: string, recordedBy: string) {
    const program = await this.#programOf(storeId);
    const result = await this.verification.confirm(program.id, verificationId, code, 'till');
    if (result.kind === 'expired') throw new AppError(410, 'Gone', 'The code has expired or was tried too often: start again');
    if (result.kind === 'wrong') throw invalidField('code', `does not match; ${result.attemptsLeft} tries left`);
    const e = result.enrolment;
    const { card, customer, created } = await this.cards.enrol(
      {
        program: program.slug,
        customer: { name: e.name, phone: result.phone, ...(e.birthday && { birthday: e.birthday }) },
        consent: { personalData: true, marketing: e.marketing },
        homeStoreId: storeId,
        source: 'till',
        lang: e.lang,
        sendSms: false,
      },
      { source: 'till', storeId, recordedBy, verified: true },
    );
    return { created, cardNumber: card.card_number, firstName: firstName(customer.name), tier: card.tier, balance: card.balance };
  }

  #programOf(storeId: string): Promise<Program> {
    return programOfStore(this.db, storeId);
  }
}
