import { z } from 'zod';
import { line } from '../../platform/shared/text.js';
import { langSchema } from '../../platform/web/lang.js';

/** Text that ends up on a lock screen or a web page: one line, no control characters. */
const text = (max: number) => line().trim().min(1).max(max);

const sku = text(64);
/** A size as the shop writes it ("M", "42", "10.5"); matched exactly. */
const size = text(20);

export const createRestockSubscriptionInput = z.strictObject({
  cardNumber: line().trim().min(1).max(32),
  sku,
  /** Absent or null: any size. */
  size: size.nullish(),
  /** Absent: the till's own store for a pos key, any store otherwise; null: any store. */
  storeId: z.uuid({ message: 'must be the id (uuid) of a store of the card’s program' }).nullish(),
  /** What the customer waits for, as shown in the notification ("Linen shirt, blue"). */
  title: text(120),
});

export const restockInput = z.strictObject({
  program: line().trim().min(1),
  sku,
  /** Absent or null: every size is back. */
  size: size.nullish(),
  /** Absent: the till's own store for a pos key, every store otherwise. */
  storeId: z.uuid({ message: 'must be the id (uuid) of a store of this program' }).nullish(),
  /** Language of the card message. */
  lang: langSchema.default('ru'),
});

export type CreateRestockSubscriptionInput = z.infer<typeof createRestockSubscriptionInput>;
export type RestockInput = z.infer<typeof restockInput>;
