import { describe, expect, it } from 'vitest';
import {
  amountInput,
  bpToPercent,
  currencyExponent,
  fromMinorUnits,
  isCurrencyCode,
  percentInput,
  percentToBp,
  toMinorUnits,
} from '../src/platform/shared/money.js';

describe('money', () => {
  it('parses decimal text exactly', () => {
    expect(toMinorUnits('1234.5', 2)).toBe(123450);
    expect(toMinorUnits(0.1 + 0.2, 2)).toBeNull(); // 0.30000000000000004: more decimals than RUB has
    expect(toMinorUnits(19.99, 2)).toBe(1999);
    expect(toMinorUnits('1.005', 2)).toBeNull();
    expect(toMinorUnits('-1', 2)).toBeNull();
    expect(toMinorUnits('1e3', 2)).toBeNull();
    expect(toMinorUnits('100', 0)).toBe(100);
    expect(fromMinorUnits(123450, 2)).toBe('1234.50');
    expect(toMinorUnits(100000, 2)).toBe(10000000);
    expect(amountInput.safeParse(100000).success).toBe(true);
    expect(amountInput.safeParse('999999999999.99').success).toBe(true);
    expect(amountInput.safeParse('-1').success).toBe(false);
  });
});

describe('currencyExponent', () => {
  it('gives the digits after the decimal point from ICU', () => {
    expect(currencyExponent('RUB')).toBe(2);
    expect(currencyExponent('USD')).toBe(2);
    expect(currencyExponent('EUR')).toBe(2);
    expect(currencyExponent('JPY')).toBe(0);
    expect(currencyExponent('KWD')).toBe(3);
    expect(currencyExponent('BHD')).toBe(3);
    expect(currencyExponent('JPY')).toBe(0); // asked again: the cached value
  });

  it('knows ISO codes only, in capitals', () => {
    expect(isCurrencyCode('RUB')).toBe(true);
    expect(isCurrencyCode('JPY')).toBe(true);
    expect(isCurrencyCode('KWD')).toBe(true);
    expect(isCurrencyCode('XXQ')).toBe(false);
    expect(isCurrencyCode('rub')).toBe(false);
    expect(isCurrencyCode('RUBL')).toBe(false);
    expect(isCurrencyCode('')).toBe(false);
  });
});

describe('toMinorUnits', () => {
  it('converts whole and fractional amounts for exponents 0, 2 and 3', () => {
    expect(toMinorUnits('0', 2)).toBe(0);
    expect(toMinorUnits('0.01', 2)).toBe(1);
    expect(toMinorUnits('12.3', 2)).toBe(1230);
    expect(toMinorUnits('12.30', 2)).toBe(1230);
    expect(toMinorUnits('007.50', 2)).toBe(750); // leading zeros
    expect(toMinorUnits('1000', 0)).toBe(1000);
    expect(toMinorUnits('1.234', 3)).toBe(1234);
    expect(toMinorUnits('1.2', 3)).toBe(1200);
    expect(toMinorUnits('0.001', 3)).toBe(1);
    expect(toMinorUnits(5, 3)).toBe(5000);
  });

  it('refuses more fraction digits than the currency has, never rounding', () => {
    expect(toMinorUnits('1.5', 0)).toBeNull();
    expect(toMinorUnits('1.0', 0)).toBeNull(); // even a zero fraction
    expect(toMinorUnits('1.001', 2)).toBeNull();
    expect(toMinorUnits('1.0001', 3)).toBeNull();
    expect(toMinorUnits(19.999, 2)).toBeNull();
    // 0.1 + 0.2 is 0.30000000000000004 as a number: refused, not rounded to 0.30.
    expect(toMinorUnits(0.1 + 0.2, 2)).toBeNull();
  });

  it('takes a number by its shortest decimal text', () => {
    expect(toMinorUnits(0.3, 2)).toBe(30);
    expect(toMinorUnits(1.1, 2)).toBe(110); // 1.1 × 100 is 110.00000000000001 in floats
    expect(toMinorUnits(4.35, 2)).toBe(435); // 4.35 × 100 is 434.99999999999994 in floats
    expect(toMinorUnits(0, 0)).toBe(0);
  });

  it('trims surrounding white space from text', () => {
    expect(toMinorUnits('  12.30\n', 2)).toBe(1230);
    expect(toMinorUnits('1 000', 2)).toBeNull(); // not inside
  });

  it('refuses negative, signed, exponent, empty and otherwise malformed input', () => {
    for (const bad of ['-1', '-0.01', '+1', '1e3', '1E3', '', ' ', '.5', '5.', '1,5', '1.2.3', 'abc', '0x10', '12a', '١٢', '１２', 'NaN', 'Infinity']) {
      expect(toMinorUnits(bad, 2), bad).toBeNull();
    }
    for (const bad of [-1, -0.5, NaN, Infinity, -Infinity, 1e21, 1e-7]) {
      expect(toMinorUnits(bad, 2), String(bad)).toBeNull();
    }
  });

  it('takes up to 12 whole digits and refuses a 13th', () => {
    expect(toMinorUnits('999999999999', 2)).toBe(99999999999900);
    expect(toMinorUnits('999999999999.99', 2)).toBe(99999999999999);
    expect(toMinorUnits('999999999999.999', 3)).toBe(999999999999999);
    expect(toMinorUnits(999999999999, 0)).toBe(999999999999);
    expect(toMinorUnits('1000000000000', 2)).toBeNull();
    expect(toMinorUnits('0000000000001', 0)).toBeNull(); // 13 digits, even with leading zeros
    expect(toMinorUnits(1e12, 0)).toBeNull();
  });

  it('refuses a result beyond the safe integer range', () => {
    // With exponent 4 twelve digits can exceed 2^53 − 1 = 9007199254740991.
    expect(toMinorUnits('900719925474.0991', 4)).toBe(Number.MAX_SAFE_INTEGER);
    expect(toMinorUnits('900719925474.0992', 4)).toBeNull();
    expect(toMinorUnits('999999999999', 4)).toBeNull();
  });
});

describe('fromMinorUnits', () => {
  it('writes minor units as a decimal with exactly the currency digits', () => {
    expect(fromMinorUnits(0, 2)).toBe('0.00');
    expect(fromMinorUnits(5, 2)).toBe('0.05');
    expect(fromMinorUnits(50, 2)).toBe('0.50');
    expect(fromMinorUnits(100, 2)).toBe('1.00');
    expect(fromMinorUnits(1234, 3)).toBe('1.234');
    expect(fromMinorUnits(1, 3)).toBe('0.001');
    expect(fromMinorUnits(1000, 0)).toBe('1000');
    expect(fromMinorUnits(99999999999999, 2)).toBe('999999999999.99');
  });

  it('keeps the sign of a negative amount', () => {
    expect(fromMinorUnits(-5, 2)).toBe('-0.05');
    expect(fromMinorUnits(-123450, 2)).toBe('-1234.50');
    expect(fromMinorUnits(-7, 0)).toBe('-7');
    expect(fromMinorUnits(-1, 3)).toBe('-0.001');
  });

  it('round-trips with toMinorUnits', () => {
    for (const exponent of [0, 2, 3]) {
      // The largest amount toMinorUnits reads: 12 whole digits and all fraction digits.
      for (const minor of [0, 1, 9, 10, 99, 100, 101, 12345, 10 ** (12 + exponent) - 1]) {
        expect(toMinorUnits(fromMinorUnits(minor, exponent), exponent)).toBe(minor);
      }
      expect(toMinorUnits(fromMinorUnits(10 ** (12 + exponent), exponent), exponent)).toBeNull(); // a 13th whole digit
    }
  });
});

describe('amountInput', () => {
  it('accepts non-negative decimal text or numbers', () => {
    for (const ok of ['0', '1234.50', ' 12 ', '1.005', 0, 19.99, 100000]) expect(amountInput.safeParse(ok).success, String(ok)).toBe(true);
  });

  it('refuses negative, exponent, empty and non-decimal values with a readable message', () => {
    for (const bad of ['-1', -1, '1e3', 1e21, '', 'abc', '1,5', '1000000000000', null, true]) {
      expect(amountInput.safeParse(bad).success, String(bad)).toBe(false);
    }
    const res = amountInput.safeParse('-1');
    expect(res.error?.issues[0]?.message).toBe('must be a non-negative decimal amount, e.g. "1234.50"');
  });
});

describe('percentages', () => {
  it('accept 0 to 100 with at most two decimals', () => {
    for (const ok of [0, 0.01, 7.5, 33.33, 99.99, 100, 0.07]) expect(percentInput.safeParse(ok).success, String(ok)).toBe(true);
    for (const bad of [-0.01, 100.01, 7.555, 1.005, 0.001, NaN, '10']) expect(percentInput.safeParse(bad).success, String(bad)).toBe(false);
    expect(percentInput.safeParse(7.555).error?.issues[0]?.message).toBe('allows at most two decimals');
  });

  it('convert to and from basis points without float residue', () => {
    expect(percentToBp(7.5)).toBe(750);
    expect(percentToBp(0.07)).toBe(7); // 0.07 × 100 is 7.000000000000001
    expect(percentToBp(33.33)).toBe(3333);
    expect(percentToBp(100)).toBe(10000);
    expect(percentToBp(0)).toBe(0);
    expect(bpToPercent(750)).toBe(7.5);
    expect(bpToPercent(3333)).toBe(33.33);
    expect(bpToPercent(10000)).toBe(100);
    for (const percent of [0, 0.01, 7.5, 12.34, 33.33, 100]) expect(bpToPercent(percentToBp(percent))).toBe(percent);
  });
});
