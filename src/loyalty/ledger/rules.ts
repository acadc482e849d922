/**
 * The program's point arithmetic, pure and in integers. 1 point is worth 1 currency unit;
 * amounts are minor units (kopecks, cents); rates are basis points (10% = 1000).
 */

const unit = (exponent: number) => 10n ** BigInt(exponent);

/** Points earned on the paid part of a purchase: rate × paid, rounded down to whole points. */
export function pointsEarned(paidMinor: number, earnRateBp: number, exponent: number): number {
  if (paidMinor <= 0) return 0;
  return Number((BigInt(paidMinor) * BigInt(earnRateBp)) / (10_000n * unit(exponent)));
}

/** Points that may pay for a purchase: the program's share of the amount, and no more than the balance. */
export function maxRedeemablePoints(amountMinor: number, maxRedeemBp: number, exponent: number, balance: number): number {
  const cap = Number((BigInt(amountMinor) * BigInt(maxRedeemBp)) / (10_000n * unit(exponent)));
  return Math.max(0, Math.min(cap, balance));
}

export const pointsToMinor = (points: number, exponent: number) => points * 10 ** exponent;

/**
 * What a refund moves, computed on the cumulative refunded amount so several partial refunds add
 * up exactly to a full one: earned points taken back and redeemed points returned, in proportion.
 */
export function refundShares(
  purchase: { amountMinor: number; earnedPoints: number; redeemedPoints: number },
  refundedBeforeMinor: number,
  refundedAfterMinor: number,
): { takeBack: number; giveBack: number } {
  const share = (points: number, refunded: number) => Number((BigInt(points) * BigInt(refunded)) / BigInt(purchase.amountMinor));
  return {
    takeBack: share(purchase.earnedPoints, refundedAfterMinor) - share(purchase.earnedPoints, refundedBeforeMinor),
    giveBack: share(purchase.redeemedPoints, refundedAfterMinor) - share(purchase.redeemedPoints, refundedBeforeMinor),
  };
}

/** Expiry of points credited at `from`: N calendar months later (end-of-month clamped). */
export function expiryDate(from: Date, months: number | null): Date | null {
  if (!months) return null;
  const d = new Date(from);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, lastDay));
  return d;
}

/** Hours [from, to) of a program's local day in which system changes (expiry) may reach phones. */
export const LOCAL_DAYTIME = { from: 10, to: 20 } as const;

/** Whether `at` falls in LOCAL_DAYTIME in `timeZone` (UTC when the zone cannot be resolved). */
export function isLocalDaytime(at: Date, timeZone: string): boolean {
  let hour: number;
  try {
    hour = Number(new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', hourCycle: 'h23' }).format(at));
  } catch {
    hour = at.getUTCHours();
  }
  return hour >= LOCAL_DAYTIME.from && hour < LOCAL_DAYTIME.to;
}
