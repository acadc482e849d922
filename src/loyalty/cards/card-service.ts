import { randomUUID } from 'node:crypto';
import type { Db } from '../../platform/db/database.js';
import type { UnitOfWork } from '../../platform/db/unit-of-work.js';
import type { Card, Customer, Program } from '../../platform/db/schema.js';
import { conflict, invalidField, notFound, ValidationError } from '../../platform/shared/errors.js';
import { normalizePhone } from '../../platform/shared/phone.js';
import { tierForSpend, type ProgramService } from '../programs/program-service.js';
import type { WalletOutbox } from '../../wallets/outbox/wallet-outbox.js';
import type { EnrolmentInput } from './enrolment-input.js';
import { searchCards, type CardSearch } from './card-search.js';
import { generateCardNumber, generateSecret, isValidCardNumber } from './card-number.js';

export interface EnrolmentResult {
  card: Card;
  customer: Customer;
  program: Program;
  /** false when the phone already had a card in this program: that card is returned. */
  created: boolean;
}

export interface EnrolmentContext {
  source: string;
  /** A till enrolling a customer: the store it stands in. */
  storeId?: string | null;
  /** Who enrols: a key id, `staff:<id>`, or `customer` (the join form). Recorded with the consents. */
  recordedBy: string;
  /** The phone was proven to be the joiner's (the code texted to it): its owner may grant consent. */
  verified?: boolean;
}

/** The welcome bonus, granted inside the enrolment's transaction (the ledger's PointsService). */
export interface WelcomeGrant {
  grantWelcome(trx: Db, card: Card, program: Program): Promise<void>;
}

export class CardService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly programs: ProgramService,
    private readonly defaultPhoneRegion: string,
    private readonly outbox: WalletOutbox,
    private readonly welcome: WelcomeGrant,
    /** The wallets forget the devices registered for these cards (a revoked pass). */
    private readonly forgetDevices: (trx: Db, cardIds: string[]) => Promise<void> = async () => {},
  ) {}
  private get db() {
    return this.uow.db;
  }

  /**
   * Creates customer + consents + card in one transaction, or returns the existing card when the
   * phone is already enrolled in the program (two concurrent requests for one phone end with one card).
   */
  async enrol(input: EnrolmentInput, ctx: EnrolmentContext): Promise<EnrolmentResult> {
    const program = await this.programs.requireForInput(input.program);
    const phone = normalizePhone(input.customer.phone, this.defaultPhoneRegion);
    if (!phone) throw invalidField('customer.phone', 'is not a valid phone number; use the international format, e.g. +79161234567');
    const homeStoreId = input.homeStoreId ?? ctx.storeId ?? null;
    if (homeStoreId) {
      const store = await this.db.selectFrom('stores').select('program_id').where('id', '=', homeStoreId).executeTakeFirst();
      if (!store || store.program_id !== program.id) throw invalidField('homeStoreId', 'no such store in this program');
    }
    if (ctx.storeId) {
      const till = await this.db.selectFrom('stores').select('program_id').where('id', '=', ctx.storeId).executeTakeFirstOrThrow();
      if (till.program_id !== program.id) throw new ValidationError([{ field: 'program', message: "is not the program of this till's store" }]);
    }

    const result = await this.uow.run(async (trx): Promise<EnrolmentResult> => {
      const inserted = await trx
        .insertInto('customers')
        .values({
          program_id: program.id,
          name: input.customer.name,
          phone,
          email: input.customer.email ?? null,
          birthday: input.customer.birthday ?? null,
          home_store_id: homeStoreId,
          marketing_consent: input.consent.marketing,
        })
        .onConflict((oc) => oc.columns(['program_id', 'phone']).doNothing())
        .returningAll()
        .executeTakeFirst();

      if (!inserted) {
        const customer = await trx
          .selectFrom('customers')
          .selectAll()
          .where('program_id', '=', program.id)
          .where('phone', '=', phone)
          .forUpdate()
          .executeTakeFirstOrThrow();
        // Consent is the customer's: enrolling a known phone again never changes it, except that the
        // phone's proven owner may grant it (an unticked box is not a withdrawal: that is the card
        // page's, an unsubscribe link's or staff's, each recorded with who made it).
        if (ctx.verified && input.consent.marketing && !customer.marketing_consent) {
          await trx
            .insertInto('consents')
            .values({
              customer_id: customer.id,
              kind: 'marketing',
              granted: true,
              source: ctx.source,
              store_id: ctx.storeId ?? null,
              recorded_by: ctx.recordedBy,
            })
            .execute();
          await trx.updateTable('customers').set({ marketing_consent: true, updated_at: new Date() }).where('id', '=', customer.id).execute();
          customer.marketing_consent = true;
        }
        const card = await trx.selectFrom('cards').selectAll().where('customer_id', '=', customer.id).executeTakeFirstOrThrow();
        return { card, customer, program, created: false };
      }

      await trx
        .insertInto('consents')
        .values([
          { customer_id: inserted.id, kind: 'personal_data', granted: true, source: ctx.source, store_id: ctx.storeId ?? null, recorded_by: ctx.recordedBy },
          {
            customer_id: inserted.id,
            kind: 'marketing',
            granted: input.consent.marketing,
            source: ctx.source,
            store_id: ctx.storeId ?? null,
            recorded_by: ctx.recordedBy,
          },
        ])
        .execute();

      const card = await insertCard(trx, program, inserted.id, { source: ctx.source, storeId: ctx.storeId ?? null });
      await this.welcome.grantWelcome(trx, card, program);
      await this.outbox.cardIssued(trx, card.id);
      // The welcome bonus changed the row: return what is stored now.
      const stored = await trx.selectFrom('cards').selectAll().where('id', '=', card.id).executeTakeFirstOrThrow();
      return { card: stored, customer: inserted, program, created: true };
    });
    return result;
  }

  /**
   * A new personal link (card page, pass download); the old one stops working at once. The wallet
   * copies that show the card page's link (Google's object) are updated, silently. With `pass`, the
   * pass is revoked too: a new authentication token, and every device registered with the old one
   * forgotten — whoever copied the link and added the pass neither fetches nor hears of it again;
   * the customer adds it anew from the new link (Wallet replaces the pass of the same serial).
   */
  async rotateLinkToken(cardNumber: string, options: { pass: boolean } = { pass: true }): Promise<{ card: Card; program: Program }> {
    const { card, program } = await this.getByNumber(cardNumber);
    const updated = await this.uow.run(async (trx) => {
      if (options.pass) await this.forgetDevices(trx, [card.id]);
      await this.outbox.cardChanged(trx, [card.id], { link_token: generateSecret(24), ...(options.pass && { auth_token: generateSecret(32) }) });
      return trx.selectFrom('cards').selectAll().where('id', '=', card.id).executeTakeFirstOrThrow();
    });
    return { card: updated, program };
  }

  /** Blocks a card (the till refuses it) or makes it active again; a voided card stays voided. */
  async setStatus(cardNumber: string, status: 'active' | 'blocked'): Promise<{ card: Card; program: Program }> {
    const { card, program } = await this.getByNumber(cardNumber);
    const updated = await this.uow.run(async (trx) => {
      const locked = await trx.selectFrom('cards').select('status').where('id', '=', card.id).forUpdate().executeTakeFirstOrThrow();
      if (locked.status === 'voided') throw conflict(`Card ${cardNumber} is voided; its status cannot change`);
      if (locked.status !== status) await this.outbox.cardChanged(trx, [card.id], { status });
      return trx.selectFrom('cards').selectAll().where('id', '=', card.id).executeTakeFirstOrThrow();
    });
    return { card: updated, program };
  }

  /** The program's cards by phone (any format), card number, barcode or name; a page at a time. */
  async search(programSlug: string, s: CardSearch) {
    const program = await this.programs.requireForInput(programSlug);
    return searchCards(this.db, program, this.defaultPhoneRegion, s);
  }

  async getByNumber(cardNumber: string): Promise<{ card: Card; customer: Customer; program: Program }> {
    if (!isValidCardNumber(cardNumber)) throw notFound(`Card ${cardNumber}`);
    const card = await this.db.selectFrom('cards').selectAll().where('card_number', '=', cardNumber).executeTakeFirst();
    if (!card) throw notFound(`Card ${cardNumber}`);
    const [customer, program] = await Promise.all([
      this.db.selectFrom('customers').selectAll().where('id', '=', card.customer_id).executeTakeFirstOrThrow(),
      this.db.selectFrom('programs').selectAll().where('id', '=', card.program_id).executeTakeFirstOrThrow(),
    ]);
    return { card, customer, program };
  }
}

async function insertCard(trx: Db, program: Program, customerId: string, issued: { source: string; storeId: string | null }): Promise<Card> {
  const lowestTier = tierForSpend(program.tiers, 0).name;
  // Card numbers are random; a collision is astronomically rare but must not fail an enrolment.
  for (let attempt = 0; attempt < 5; attempt++) {
    const cardNumber = generateCardNumber();
    const card = await trx
      .insertInto('cards')
      .values({
        program_id: program.id,
        customer_id: customerId,
        card_number: cardNumber,
        serial_number: randomUUID(),
        barcode_value: cardNumber,
        tier: lowestTier,
        auth_token: generateSecret(32),
        link_token: generateSecret(24),
        source: issued.source,
        issued_store_id: issued.storeId,
      })
      .onConflict((oc) => oc.column('card_number').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (card) return card;
  }
  throw new Error('could not allocate a unique card number');
}
