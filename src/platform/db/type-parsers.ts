/**
 * One set of value parsers for both drivers, so rows look the same on PGlite and PostgreSQL:
 * - int8 (bigint sums, counts) → number: every amount here is far below 2^53.
 * - numeric → string: keep exactness; callers convert deliberately.
 * - date → 'YYYY-MM-DD' string: a birthday is a calendar date, not an instant in a time zone.
 */
export const TYPE_PARSERS = {
  int8: (value: string) => {
    const n = Number(value);
    if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${value} exceeds the safe integer range`);
    return n;
  },
  numeric: (value: string) => value,
  date: (value: string) => value,
} as const;

export const OIDS = { int8: 20, numeric: 1700, date: 1082 } as const;
