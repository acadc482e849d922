import { z } from 'zod';

/** Text that ends up on a lock screen or a web page: no control characters (newlines, NUL, …). */
const line = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((s) => !/\p{Cc}/u.test(s), { message: 'must not contain control characters' });

export const RESTOCK_LANGS = ['ru', 'en'] as const;
export type RestockLang = (typeof RESTOCK_LANGS)[number];

const sku = line(64);
/** A size as the shop writes it ("M", "42", "10.5"); matched exactly. */
const size = line(20);

export const createRestockSubscriptionInput = z.strictObject({
  cardNumber: z.string().trim().min(1).max(32),
  sku,
  /** Absent or null: any size. */
  size: size.nullish(),
  /** Absent: the till's own store for a pos key, any store otherwise; null: any store. */
  storeId: z.uuid({ message: 'must be the id (uuid) of a store of the card’s program' }).nullish(),
  /** What the customer waits for, as shown in the notification ("Linen shirt, blue"). */
  title: line(120),
});

export const restockInput = z.strictObject({
  program: z.string().trim().min(1),
  sku,
  /** Absent or null: every size is back. */
  size: size.nullish(),
  /** Absent: the till's own store for a pos key, every store otherwise. */
  storeId: z.uuid({ message: 'must be the id (uuid) of a store of this program' }).nullish(),
  /** Language of the card message. */
  lang: z.enum(RESTOCK_LANGS).default('ru'),
});

export type CreateRestockSubscriptionInput = z.infer<typeof createRestockSubscriptionInput>;
export type RestockInput = z.infer<typeof restockInput>;
