import type { UnitOfWork } from '../../platform/db/unit-of-work.js';
import type { Card, Program } from '../../platform/db/schema.js';
import type { WalletOutbox } from '../../wallets/outbox/wallet-outbox.js';
import { conflict } from '../../platform/shared/errors.js';
import type { CardService } from './card-service.js';

/** Longest message we accept: the lock screen shows two lines, the back of the card the rest. */
export const MAX_MESSAGE_LENGTH = 500;

/**
 * Sets the text of a card's "message" field. Apple cannot push text: the changed field's
 * changeMessage ("%@") is what the phone shows; Google sends it as a message (its channel decides).
 */
export class CardMessageService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly cards: CardService,
    private readonly outbox: WalletOutbox,
  ) {}
  private get db() {
    return this.uow.db;
  }

  async setMessage(cardNumber: string, text: string): Promise<{ card: Card; program: Program }> {
    const { card, program } = await this.cards.getByNumber(cardNumber);
    if (card.status !== 'active') throw conflict(`Card ${cardNumber} is ${card.status}; it cannot receive messages`);
    const updated = await this.uow.run(async (trx) => {
      await this.outbox.cardChanged(trx, [card.id], { message: text });
      return trx.selectFrom('cards').selectAll().where('id', '=', card.id).executeTakeFirstOrThrow();
    });
    return { card: updated, program };
  }
}
