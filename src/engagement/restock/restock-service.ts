import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { z } from 'zod';
import type { UnitOfWork } from '../../platform/db/unit-of-work.js';
import type { RestockSubscription } from '../../platform/db/schema.js';
import type { WalletOutbox } from '../../wallets/outbox/wallet-outbox.js';
import type { CardService } from '../../loyalty/cards/card-service.js';
import { generateSecret } from '../../loyalty/cards/card-number.js';
import type { ProgramService } from '../../loyalty/programs/program-service.js';
import { AppError, conflict, invalidField, notFound, ValidationError } from '../../platform/shared/errors.js';
import type { CreateRestockSubscriptionInput, RestockInput } from './restock-input.js';
import { restockMessage } from './restock-text.js';

/** Who is asking: a till (pos key) is confined to its store's program. */
export interface RestockContext {
  tillStoreId: string | null;
}

/** A subscription with what its views need besides the row. */
export interface RestockSubscriptionDetails extends RestockSubscription {
  card_number: string;
  program_slug: string;
  program_name: string;
  store_name: string | null;
}

export interface RestockResult {
  restockId: string;
  /** Subscriptions notified by this restock (each at most once, ever). */
  notified: number;
  /** Open subscriptions of blocked or voided cards that this restock closed instead. */
  cancelled: number;
}

/** The customer's link to stop a back-in-stock notification (a page with a confirm button). */
export function restockUnsubscribeUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/restock/unsubscribe/${encodeURIComponent(token)}`;
}

/** A card's open back-in-stock subscriptions as its wallet passes show them (≤ 10, oldest first). */
export async function openSubscriptionsForPass(
  db: Db,
  publicUrl: string,
  cardId: string,
): Promise<{ title: string; size: string | null; unsubscribeUrl: string }[]> {
  const rows = await db
    .selectFrom('restock_subscriptions')
    .select(['title', 'size', 'unsubscribe_token'])
    .where('card_id', '=', cardId)
    .where('status', '=', 'open')
    .orderBy('created_at')
    .limit(10)
    .execute();
  return rows.map((w) => ({ title: w.title, size: w.size, unsubscribeUrl: restockUnsubscribeUrl(publicUrl, w.unsubscribe_token) }));
}

/** Unsubscribe tokens: 24 random bytes → 32 base64url characters. */
export const UNSUBSCRIBE_TOKEN = /^[A-Za-z0-9_-]{32,100}$/;

const isUuid = (s: string) => z.uuid().safeParse(s).success;

/**
 * Back-in-stock notifications: a card subscribes to an item (sku, optionally one size, optionally
 * at one store); a restock puts a message on the card of every open subscription it matches and
 * closes it, so each subscriber hears once. It is a notification the customer asked for, not
 * marketing: no marketing consent is needed, but blocked and voided cards get nothing.
 */
export class RestockService {
  readonly #batchSize: number;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly cards: CardService,
    private readonly programs: ProgramService,
    private readonly outbox: WalletOutbox,
    options: { batchSize?: number } = {},
  ) {
    this.#batchSize = options.batchSize ?? 500;
  }

  /** Open subscriptions grouped by item, size and store: what a restock would notify, and since when. */
  async openSummary(programSlug: string) {
    const program = await this.programs.requireForInput(programSlug);
    const rows = await this.uow.db
      .selectFrom('restock_subscriptions')
      .select(['sku', 'size', 'store_id', sql<string>`min(title)`.as('title'), sql<number>`count(*)::int`.as('open'), sql<Date>`min(created_at)`.as('oldest')])
      .where('program_id', '=', program.id)
      .where('status', '=', 'open')
      .groupBy(['sku', 'size', 'store_id'])
      .orderBy(sql`count(*)`, 'desc')
      .orderBy('sku')
      .execute();
    return rows.map((r) => ({ sku: r.sku, title: r.title, size: r.size, storeId: r.store_id, open: r.open, oldestAt: new Date(r.oldest).toISOString() }));
  }
  private get db() {
    return this.uow.db;
  }

  /**
   * Opens a subscription, or returns the card's open one for the same sku, size and store
   * (`created: false`): the partial unique index decides, so concurrent requests end with one.
   */
  async subscribe(input: CreateRestockSubscriptionInput, ctx: RestockContext): Promise<{ subscription: RestockSubscriptionDetails; created: boolean }> {
    const { card, program } = await this.cards.getByNumber(input.cardNumber);
    if (ctx.tillStoreId && (await this.#programOfStore(ctx.tillStoreId)) !== program.id) {
      // Like every till call: a card of another program does not exist for this till.
      throw notFound(`Card ${input.cardNumber}`);
    }
    const storeId = input.storeId === undefined ? ctx.tillStoreId : input.storeId;
    if (storeId && (await this.#programOfStore(storeId)) !== program.id) throw invalidField('storeId', 'no such store in the program of this card');
    if (card.status !== 'active') throw conflict(`Card ${card.card_number} is ${card.status}; it cannot subscribe to notifications`);

    const size = input.size ?? null;
    for (let attempt = 0; attempt < 3; attempt++) {
      // The subscription and the pass change that lists it on the back commit together.
      const inserted = await this.uow.run(async (trx) => {
        const row = await trx
          .insertInto('restock_subscriptions')
          .values({
            program_id: program.id,
            card_id: card.id,
            sku: input.sku,
            size,
            store_id: storeId,
            title: input.title,
            unsubscribe_token: generateSecret(24),
          })
          .onConflict((oc) => oc.doNothing())
          .returning('id')
          .executeTakeFirst();
        if (row) await this.outbox.cardChanged(trx, [card.id]);
        return row;
      });
      if (inserted) return { subscription: await this.#details(inserted.id), created: true };

      let existing = this.db
        .selectFrom('restock_subscriptions')
        .select('id')
        .where('card_id', '=', card.id)
        .where('sku', '=', input.sku)
        .where('status', '=', 'open');
      existing = size === null ? existing.where('size', 'is', null) : existing.where('size', '=', size);
      existing = storeId === null ? existing.where('store_id', 'is', null) : existing.where('store_id', '=', storeId);
      const found = await existing.executeTakeFirst();
      // Gone between the two statements (notified or cancelled just now): open a new one.
      if (found) return { subscription: await this.#details(found.id), created: false };
    }
    throw new Error('could not open or find the restock subscription');
  }

  /**
   * Erasure: open subscriptions are cancelled, every title (what the person wanted) is cleared, and
   * the unsubscribe links stop answering (a new, unpublished token).
   */
  static async forgetCards(trx: Db, cardIds: string[]): Promise<void> {
    if (cardIds.length === 0) return;
    await trx
      .updateTable('restock_subscriptions')
      .set({
        status: sql`case when status = 'open' then 'cancelled' else status end`,
        cancelled_at: sql`coalesce(cancelled_at, now())`,
        title: '—',
        unsubscribe_token: sql`gen_random_uuid()::text`,
      })
      .where('card_id', 'in', cardIds)
      .execute();
  }

  /** Cancels an open subscription; cancelling a cancelled one again changes nothing. */
  async cancel(id: string): Promise<RestockSubscriptionDetails> {
    if (!isUuid(id)) throw notFound('Restock subscription');
    const updated = await this.#cancelOpen('id', id);
    const details = await this.#find('id', id);
    if (!details) throw notFound('Restock subscription');
    if (!updated && details.status === 'notified')
      throw conflict('This subscription has already been notified; there is nothing left to cancel', { status: 'notified' });
    return details;
  }

  async findByToken(token: string): Promise<RestockSubscriptionDetails | undefined> {
    if (!UNSUBSCRIBE_TOKEN.test(token)) return undefined;
    return this.#find('unsubscribe_token', token);
  }

  /** The customer's own link: cancels an open subscription; returns it as it is now. */
  async unsubscribeByToken(token: string): Promise<RestockSubscriptionDetails | undefined> {
    if (!UNSUBSCRIBE_TOKEN.test(token)) return undefined;
    await this.#cancelOpen('unsubscribe_token', token);
    return this.#find('unsubscribe_token', token);
  }

  /** Cancels the subscription if it is open; true when it was. Its card's pass drops the line. */
  async #cancelOpen(column: 'id' | 'unsubscribe_token', value: string): Promise<boolean> {
    return this.uow.run(async (trx) => {
      const cancelled = await trx
        .updateTable('restock_subscriptions')
        .set({ status: 'cancelled', cancelled_at: new Date() })
        .where(column, '=', value)
        .where('status', '=', 'open')
        .returning('card_id')
        .executeTakeFirst();
      if (cancelled) await this.outbox.cardChanged(trx, [cancelled.card_id]);
      return cancelled !== undefined;
    });
  }

  /**
   * Notifies every open subscription the restock matches, in batches of one transaction each:
   * the batch's subscriptions are locked with SKIP LOCKED (a concurrent restock of the same item
   * passes them by, and finds them closed once this one commits), each card gets its message,
   * the subscriptions are closed, and the wallet outbox bumps the passes and queues the wallet pushes.
   *
   * Matching: same program and sku; a subscription with a size only for a restock of that size
   * or of every size; a subscription for a store only for a restock at that store or at every store.
   */
  async restock(input: RestockInput, ctx: RestockContext): Promise<RestockResult> {
    const program = await this.programs.requireForInput(input.program);
    let storeId: string | null;
    if (ctx.tillStoreId) {
      if ((await this.#programOfStore(ctx.tillStoreId)) !== program.id) {
        throw new ValidationError([{ field: 'program', message: "is not the program of this till's store" }]);
      }
      if (input.storeId !== undefined && input.storeId !== ctx.tillStoreId) {
        throw new AppError(403, 'Forbidden', 'A till reports restocks at its own store only: leave storeId out or send its own');
      }
      storeId = ctx.tillStoreId;
    } else {
      storeId = input.storeId ?? null;
      if (storeId && (await this.#programOfStore(storeId)) !== program.id) throw invalidField('storeId', 'no such store in this program');
    }
    const size = input.size ?? null;

    const restock = await this.db
      .insertInto('restocks')
      .values({ program_id: program.id, sku: input.sku, size, store_id: storeId, lang: input.lang })
      .returning('id')
      .executeTakeFirstOrThrow();
    const storeNames = new Map(
      (await this.db.selectFrom('stores').select(['id', 'name']).where('program_id', '=', program.id).execute()).map((s) => [s.id, s.name]),
    );

    const result: RestockResult = { restockId: restock.id, notified: 0, cancelled: 0 };
    for (;;) {
      const batch = await this.uow.run(async (trx) => {
        let query = trx
          .selectFrom('restock_subscriptions')
          .select(['id', 'card_id', 'title', 'size', 'store_id'])
          .where('program_id', '=', program.id)
          .where('sku', '=', input.sku)
          .where('status', '=', 'open');
        if (size !== null) query = query.where((eb) => eb.or([eb('size', 'is', null), eb('size', '=', size)]));
        if (storeId !== null) query = query.where((eb) => eb.or([eb('store_id', 'is', null), eb('store_id', '=', storeId)]));
        const subscriptions = await query.orderBy('created_at').orderBy('id').limit(this.#batchSize).forUpdate().skipLocked().execute();
        if (subscriptions.length === 0) return undefined;

        // Cards are locked in id order, so concurrent restocks touching the same cards never deadlock.
        const cardIds = [...new Set(subscriptions.map((s) => s.card_id))].sort();
        const cards = await trx.selectFrom('cards').select(['id', 'status']).where('id', 'in', cardIds).orderBy('id').forNoKeyUpdate().execute();
        const active = new Set(cards.filter((c) => c.status === 'active').map((c) => c.id));
        const notify = subscriptions.filter((s) => active.has(s.card_id));
        const close = subscriptions.filter((s) => !active.has(s.card_id));

        // One message per card (its oldest matching subscription's), one statement per distinct text.
        const messageOf = new Map<string, string>();
        for (const s of notify) {
          if (messageOf.has(s.card_id)) continue;
          const shownStore = storeId ?? s.store_id;
          messageOf.set(
            s.card_id,
            restockMessage(input.lang, { title: s.title, size: size ?? s.size, store: shownStore ? (storeNames.get(shownStore) ?? null) : null }),
          );
        }
        const cardsByText = new Map<string, string[]>();
        for (const [cardId, text] of messageOf) cardsByText.set(text, [...(cardsByText.get(text) ?? []), cardId]);
        for (const [text, ids] of cardsByText) await this.outbox.cardChanged(trx, ids, { message: text });

        const now = new Date();
        if (notify.length) {
          await trx
            .updateTable('restock_subscriptions')
            .set({ status: 'notified', notified_at: now, restock_id: restock.id })
            .where(
              'id',
              'in',
              notify.map((s) => s.id),
            )
            .execute();
          await trx
            .updateTable('restocks')
            .set((eb) => ({ notified_count: eb('notified_count', '+', notify.length) }))
            .where('id', '=', restock.id)
            .execute();
        }
        if (close.length) {
          await trx
            .updateTable('restock_subscriptions')
            .set({ status: 'cancelled', cancelled_at: now })
            .where(
              'id',
              'in',
              close.map((s) => s.id),
            )
            .execute();
        }
        return { notified: notify.length, cancelled: close.length };
      });
      if (!batch) break;
      result.notified += batch.notified;
      result.cancelled += batch.cancelled;
    }
    return result;
  }

  async #programOfStore(storeId: string): Promise<string | undefined> {
    const store = await this.db.selectFrom('stores').select('program_id').where('id', '=', storeId).executeTakeFirst();
    return store?.program_id;
  }

  async #details(id: string): Promise<RestockSubscriptionDetails> {
    const details = await this.#find('id', id);
    if (!details) throw new Error(`restock subscription ${id} vanished`);
    return details;
  }

  #find(column: 'id' | 'unsubscribe_token', value: string): Promise<RestockSubscriptionDetails | undefined> {
    return this.db
      .selectFrom('restock_subscriptions as s')
      .innerJoin('cards as c', 'c.id', 's.card_id')
      .innerJoin('programs as p', 'p.id', 's.program_id')
      .leftJoin('stores as st', 'st.id', 's.store_id')
      .selectAll('s')
      .select(['c.card_number', 'p.slug as program_slug', 'p.name as program_name', 'st.name as store_name'])
      .where(`s.${column}`, '=', value)
      .executeTakeFirst();
  }
}
