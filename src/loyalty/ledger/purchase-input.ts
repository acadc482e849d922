import { z } from 'zod';
import { line } from '../../platform/shared/text.js';
import { amountInput } from '../../platform/shared/money.js';

const receiptId = line().trim().min(1).max(100);

export const purchaseInput = z.strictObject({
  barcode: line().trim().min(1).max(200),
  receiptId,
  amount: amountInput,
  redeemPoints: z.number().int().min(0).max(100_000_000).default(0),
});

/** A receipt rung up with no card shown: only its total, for the average check without the card. */
export const receiptInput = z.strictObject({
  receiptId,
  amount: amountInput,
});
export type ReceiptInput = z.output<typeof receiptInput>;

export const refundInput = z.strictObject({
  receiptId,
  /** Omitted: refund whatever is left of the purchase. */
  amount: amountInput.optional(),
  /** A store manager's PIN, for a refund above the program's `refundApprovalAbove`. */
  approval: z.strictObject({ staffId: z.uuid(), pin: z.string().regex(/^\d{4,8}$/, 'must be 4–8 digits') }).optional(),
});

export const adjustmentInput = z.strictObject({
  points: z
    .number()
    .int()
    .min(-100_000_000)
    .max(100_000_000)
    .refine((p) => p !== 0, { message: 'must not be zero' }),
  reason: line().trim().min(1).max(300),
});

export type PurchaseInput = z.infer<typeof purchaseInput>;
export type RefundInput = z.infer<typeof refundInput>;
