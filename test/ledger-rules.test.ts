import { describe, expect, it } from 'vitest';
import { expiryDate, maxRedeemablePoints, pointsEarned, pointsToMinor, refundShares } from '../src/loyalty/ledger/rules.js';
import { tierForSpend } from '../src/loyalty/programs/program-service.js';

const MAX = Number.MAX_SAFE_INTEGER;
// Exponents: JPY 0, RUB/USD 2, KWD 3. Rates in basis points: 10% = 1000.

describe('pointsEarned', () => {
  it('is rate × paid amount in whole currency units, rounded down', () => {
    expect(pointsEarned(123456, 1000, 2)).toBe(123); // 10% of 1234.56 = 123.456
    expect(pointsEarned(1000, 1000, 2)).toBe(1); // 10% of 10.00: exactly one point
    expect(pointsEarned(999, 1000, 2)).toBe(0); // 10% of 9.99 = 0.999, never rounded up
    expect(pointsEarned(666, 1500, 2)).toBe(0); // 15% of 6.66 = 0.999
    expect(pointsEarned(667, 1500, 2)).toBe(1); // 15% of 6.67 = 1.0005
    expect(pointsEarned(12345, 10000, 2)).toBe(123); // 100% of 123.45
  });

  it('earns nothing on a zero or negative paid part, or at a zero rate', () => {
    expect(pointsEarned(0, 1000, 2)).toBe(0);
    expect(pointsEarned(-500, 1000, 2)).toBe(0);
    expect(pointsEarned(-1, 10000, 0)).toBe(0);
    expect(pointsEarned(1_000_000, 0, 2)).toBe(0);
  });

  it('scales by the currency exponent', () => {
    expect(pointsEarned(999, 1000, 0)).toBe(99); // JPY: 10% of ¥999
    expect(pointsEarned(1000, 1000, 0)).toBe(100);
    expect(pointsEarned(1234567, 1000, 3)).toBe(123); // KWD: 10% of 1234.567
    expect(pointsEarned(9999, 1000, 3)).toBe(0); // 10% of 9.999
    expect(pointsEarned(10000, 1000, 3)).toBe(1); // 10% of 10.000
  });

  it('stays exact for the largest safe amounts (integer arithmetic, no float rounding)', () => {
    expect(pointsEarned(MAX, 10000, 0)).toBe(MAX);
    // 9007199254740991 × 1500 / 1 000 000 = 13510798882111.4865
    expect(pointsEarned(MAX, 1500, 2)).toBe(13510798882111);
    expect(pointsEarned(MAX, 1, 3)).toBe(900719925); // 9007199254740991 / 10^7, rounded down
  });
});

describe('maxRedeemablePoints', () => {
  it('caps points at the program share of the amount, rounded down', () => {
    expect(maxRedeemablePoints(10000, 3000, 2, 1000)).toBe(30); // 30% of 100.00
    expect(maxRedeemablePoints(10099, 3000, 2, 1000)).toBe(30); // 30% of 100.99 = 30.297
    expect(maxRedeemablePoints(10334, 3000, 2, 1000)).toBe(31); // 30% of 103.34 = 31.002
    expect(maxRedeemablePoints(12345, 10000, 2, 1000)).toBe(123); // 100% of 123.45
  });

  it('caps points at the balance', () => {
    expect(maxRedeemablePoints(100000, 3000, 2, 50)).toBe(50); // share 300, balance 50
    expect(maxRedeemablePoints(10000, 3000, 2, 30)).toBe(30); // share and balance equal
    expect(maxRedeemablePoints(10000, 3000, 2, 29)).toBe(29);
  });

  it('is zero for a zero amount, share or balance, and never negative', () => {
    expect(maxRedeemablePoints(0, 3000, 2, 100)).toBe(0);
    expect(maxRedeemablePoints(10000, 0, 2, 100)).toBe(0);
    expect(maxRedeemablePoints(10000, 3000, 2, 0)).toBe(0);
    expect(maxRedeemablePoints(10000, 3000, 2, -5)).toBe(0);
    expect(maxRedeemablePoints(99, 100, 2, 100)).toBe(0); // 1% of 0.99
  });

  it('scales by the currency exponent', () => {
    expect(maxRedeemablePoints(1000, 3000, 0, 1000)).toBe(300); // JPY: 30% of ¥1000
    expect(maxRedeemablePoints(10000, 3000, 3, 100)).toBe(3); // KWD: 30% of 10.000
    expect(maxRedeemablePoints(3333, 3000, 3, 100)).toBe(0); // 30% of 3.333 = 0.9999
    expect(maxRedeemablePoints(MAX, 10000, 0, MAX)).toBe(MAX);
  });

  it('never lets points pay more than the share, so the paid part is never negative', () => {
    for (const exponent of [0, 2, 3]) {
      for (const amount of [1, 7, 99, 100, 101, 999, 12345, 1_000_001]) {
        for (const bp of [0, 1, 2500, 3000, 3333, 10000]) {
          const points = maxRedeemablePoints(amount, bp, exponent, Number.MAX_SAFE_INTEGER);
          const paidWithPoints = pointsToMinor(points, exponent);
          expect(paidWithPoints * 10000).toBeLessThanOrEqual(amount * bp);
          // One point more would exceed the share.
          expect(pointsToMinor(points + 1, exponent) * 10000).toBeGreaterThan(amount * bp);
          expect(amount - paidWithPoints).toBeGreaterThanOrEqual(0);
        }
      }
    }
  });
});

describe('pointsToMinor', () => {
  it('values a point at one currency unit', () => {
    expect(pointsToMinor(30, 2)).toBe(3000);
    expect(pointsToMinor(30, 0)).toBe(30);
    expect(pointsToMinor(30, 3)).toBe(30000);
    expect(pointsToMinor(0, 2)).toBe(0);
    expect(pointsToMinor(1, 2)).toBe(100);
  });
});

describe('refundShares', () => {
  it('takes back earned points in proportion to the refunded amount', () => {
    const purchase = { amountMinor: 33300, earnedPoints: 33, redeemedPoints: 0 };
    expect(refundShares(purchase, 0, 11100)).toEqual({ takeBack: 11, giveBack: 0 });
    expect(refundShares(purchase, 11100, 33300)).toEqual({ takeBack: 22, giveBack: 0 });
  });

  it('returns redeemed points in proportion as well', () => {
    const purchase = { amountMinor: 10000, earnedPoints: 7, redeemedPoints: 30 };
    expect(refundShares(purchase, 0, 5000)).toEqual({ takeBack: 3, giveBack: 15 }); // 3.5 rounded down
    expect(refundShares(purchase, 5000, 10000)).toEqual({ takeBack: 4, giveBack: 15 }); // the remainder
  });

  it('rounds on the cumulative amount, so the last refund carries what earlier ones rounded off', () => {
    const purchase = { amountMinor: 100, earnedPoints: 10, redeemedPoints: 0 };
    expect(refundShares(purchase, 0, 33).takeBack).toBe(3);
    expect(refundShares(purchase, 33, 66).takeBack).toBe(3);
    expect(refundShares(purchase, 66, 100).takeBack).toBe(4);
  });

  it('adds up over any split to exactly the full refund', () => {
    const purchase = { amountMinor: 9999, earnedPoints: 997, redeemedPoints: 123 };
    const full = refundShares(purchase, 0, purchase.amountMinor);
    expect(full).toEqual({ takeBack: 997, giveBack: 123 });
    for (const steps of [[1, 2, 3333, 17], [9998], [5000, 4998], Array(99).fill(101)]) {
      let refunded = 0;
      let takeBack = 0;
      let giveBack = 0;
      for (const step of [...steps, purchase.amountMinor - steps.reduce((a, b) => a + b, 0)]) {
        const share = refundShares(purchase, refunded, refunded + step);
        expect(share.takeBack).toBeGreaterThanOrEqual(0);
        expect(share.giveBack).toBeGreaterThanOrEqual(0);
        takeBack += share.takeBack;
        giveBack += share.giveBack;
        refunded += step;
      }
      expect(refunded).toBe(purchase.amountMinor);
      expect({ takeBack, giveBack }).toEqual(full);
    }
  });

  it('moves nothing for an empty refund or a purchase without points', () => {
    expect(refundShares({ amountMinor: 10000, earnedPoints: 7, redeemedPoints: 30 }, 4000, 4000)).toEqual({ takeBack: 0, giveBack: 0 });
    expect(refundShares({ amountMinor: 10000, earnedPoints: 0, redeemedPoints: 0 }, 0, 10000)).toEqual({ takeBack: 0, giveBack: 0 });
  });

  it('stays exact for the largest safe values', () => {
    const purchase = { amountMinor: MAX, earnedPoints: MAX, redeemedPoints: 1 };
    expect(refundShares(purchase, 0, MAX)).toEqual({ takeBack: MAX, giveBack: 1 });
    // MAX × (MAX − 1) / MAX is exactly MAX − 1; in floats the product would already be rounded.
    expect(refundShares(purchase, 0, MAX - 1)).toEqual({ takeBack: MAX - 1, giveBack: 0 });
    expect(refundShares(purchase, MAX - 1, MAX)).toEqual({ takeBack: 1, giveBack: 1 });
  });
});

describe('expiryDate', () => {
  const at = (iso: string) => new Date(iso);

  it('is null when points do not expire', () => {
    expect(expiryDate(at('2026-01-15T00:00:00Z'), null)).toBeNull();
    expect(expiryDate(at('2026-01-15T00:00:00Z'), 0)).toBeNull();
  });

  it('is the same day and time N calendar months later', () => {
    expect(expiryDate(at('2026-01-15T10:30:45.123Z'), 1)).toEqual(at('2026-02-15T10:30:45.123Z'));
    expect(expiryDate(at('2026-01-15T10:30:00Z'), 12)).toEqual(at('2027-01-15T10:30:00Z'));
    expect(expiryDate(at('2025-12-15T00:00:00Z'), 1)).toEqual(at('2026-01-15T00:00:00Z')); // over New Year
    expect(expiryDate(at('2026-02-28T23:59:59Z'), 1)).toEqual(at('2026-03-28T23:59:59Z'));
  });

  it('clamps to the last day of a shorter month', () => {
    expect(expiryDate(at('2026-01-31T12:00:00Z'), 1)).toEqual(at('2026-02-28T12:00:00Z'));
    expect(expiryDate(at('2024-01-31T12:00:00Z'), 1)).toEqual(at('2024-02-29T12:00:00Z')); // leap year
    expect(expiryDate(at('2026-01-30T12:00:00Z'), 1)).toEqual(at('2026-02-28T12:00:00Z'));
    expect(expiryDate(at('2026-03-31T12:00:00Z'), 1)).toEqual(at('2026-04-30T12:00:00Z'));
    expect(expiryDate(at('2025-11-30T12:00:00Z'), 3)).toEqual(at('2026-02-28T12:00:00Z'));
    // The clamp is per result, not carried: two months from 31 January is 31 March.
    expect(expiryDate(at('2026-01-31T12:00:00Z'), 2)).toEqual(at('2026-03-31T12:00:00Z'));
  });

  it('handles 29 February and long spans', () => {
    expect(expiryDate(at('2024-02-29T08:00:00Z'), 12)).toEqual(at('2025-02-28T08:00:00Z'));
    expect(expiryDate(at('2024-02-29T08:00:00Z'), 48)).toEqual(at('2028-02-29T08:00:00Z'));
    expect(expiryDate(at('2000-02-29T00:00:00Z'), 1200)).toEqual(at('2100-02-28T00:00:00Z')); // 2100 is no leap year
  });

  it('counts in UTC and leaves its argument unchanged', () => {
    const from = at('2026-01-31T23:30:00-05:00'); // 1 February, 04:30 UTC
    expect(expiryDate(from, 1)).toEqual(at('2026-03-01T04:30:00Z'));
    expect(from.toISOString()).toBe('2026-02-01T04:30:00.000Z');
  });
});

describe('tierForSpend', () => {
  const tiers = [
    { name: 'Silver', minSpendMinor: 0, earnRateBp: 1000 },
    { name: 'Gold', minSpendMinor: 100000, earnRateBp: 1500 },
    { name: 'Platinum', minSpendMinor: 500000, earnRateBp: 2000 },
  ];

  it('is the highest tier whose threshold the spend reaches (threshold included)', () => {
    expect(tierForSpend(tiers, 0)).toBe(tiers[0]);
    expect(tierForSpend(tiers, 99999)).toBe(tiers[0]);
    expect(tierForSpend(tiers, 100000)).toBe(tiers[1]);
    expect(tierForSpend(tiers, 499999)).toBe(tiers[1]);
    expect(tierForSpend(tiers, 500000)).toBe(tiers[2]);
    expect(tierForSpend(tiers, MAX)).toBe(tiers[2]);
  });

  it('keeps a one-tier program in its tier and refuses a program without tiers', () => {
    expect(tierForSpend([tiers[0]!], 10_000_000).name).toBe('Silver');
    expect(() => tierForSpend([], 0)).toThrow('program has no tiers');
  });

  it('counts the paid part: points spent on a purchase do not move the tier', () => {
    // 1000.00 of which 300 points: 700.00 paid, still Silver, earning on 700.00.
    const paid = 100000 - pointsToMinor(300, 2);
    expect(tierForSpend(tiers, paid).name).toBe('Silver');
    expect(pointsEarned(paid, tierForSpend(tiers, paid).earnRateBp, 2)).toBe(70);
    expect(tierForSpend(tiers, 100000).name).toBe('Gold');
  });
});
