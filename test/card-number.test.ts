import { describe, expect, it } from 'vitest';
import { generateCardNumber, generateSecret, isValidCardNumber, luhnCheckDigit } from '../src/loyalty/cards/card-number.js';

/** A 12-digit number with its Luhn digit for an 11-digit body. */
const withCheck = (body: string) => body + String(luhnCheckDigit(body));

describe('card numbers', () => {
  it('computes the Luhn digit', () => {
    expect(luhnCheckDigit('7992739871')).toBe(3); // the textbook example
  });

  it('generates valid 12-digit numbers and catches a single typo', () => {
    for (let i = 0; i < 200; i++) {
      const n = generateCardNumber();
      expect(isValidCardNumber(n)).toBe(true);
      const typo = n.slice(0, 5) + ((Number(n[5]) + 1) % 10) + n.slice(6);
      expect(isValidCardNumber(typo)).toBe(false);
    }
  });
});

describe('luhnCheckDigit', () => {
  it('matches the published test numbers of the card schemes', () => {
    // Visa, Mastercard, American Express, Discover, JCB test numbers; their last digit is the check digit.
    for (const n of [
      '4111111111111111',
      '4012888888881881',
      '5555555555554444',
      '5105105105105100',
      '378282246310005',
      '371449635398431',
      '6011111111111117',
      '6011000990139424',
      '3530111333300000',
      '79927398713',
      '49927398716',
    ]) {
      expect(luhnCheckDigit(n.slice(0, -1)), n).toBe(Number(n.at(-1)));
    }
  });

  it('handles the shortest bodies and zeros', () => {
    expect(luhnCheckDigit('')).toBe(0);
    expect(luhnCheckDigit('0')).toBe(0);
    expect(luhnCheckDigit('1')).toBe(8); // 1 doubled is 2; 2 + 8 = 10
    expect(luhnCheckDigit('5')).toBe(9); // 5 doubled is 10 → 1
    expect(luhnCheckDigit('9')).toBe(1); // 9 doubled is 18 → 9
    expect(luhnCheckDigit('00000000000')).toBe(0);
    // Leading zeros change nothing: the doubling counts from the right.
    expect(luhnCheckDigit('04992739871')).toBe(luhnCheckDigit('4992739871'));
  });
});

describe('isValidCardNumber', () => {
  it('accepts exactly 12 digits whose last is the Luhn digit', () => {
    expect(isValidCardNumber('049927398716')).toBe(true);
    expect(isValidCardNumber('000000000000')).toBe(true); // well-formed, so an unknown card is a 404, not a 400
    expect(isValidCardNumber('049927398717')).toBe(false);
    expect(isValidCardNumber('049927398715')).toBe(false);
  });

  it('refuses other lengths and anything but ASCII digits, even with a right check digit', () => {
    expect(isValidCardNumber('49927398716')).toBe(false); // 11 digits, Luhn-valid
    expect(isValidCardNumber('0049927398716')).toBe(false); // 13 digits, Luhn-valid
    expect(isValidCardNumber('')).toBe(false);
    for (const bad of [' 049927398716', '049927398716 ', '0499-2739-8716', '04992739871a', '０４９９２７３９８７１６', '04992739871\n6']) {
      expect(isValidCardNumber(bad), JSON.stringify(bad)).toBe(false);
    }
  });

  const samples = ['049927398716', withCheck('12345678901'), withCheck('90000000009'), ...Array.from({ length: 50 }, () => generateCardNumber())];

  it('catches every single-digit change, in any position', () => {
    for (const n of samples) {
      expect(isValidCardNumber(n)).toBe(true);
      for (let i = 0; i < n.length; i++) {
        for (let d = 0; d <= 9; d++) {
          if (String(d) === n[i]) continue;
          const typo = n.slice(0, i) + d + n.slice(i + 1);
          expect(isValidCardNumber(typo), `${n} → ${typo}`).toBe(false);
        }
      }
    }
  });

  it('catches every swap of two adjacent different digits except 09 ↔ 90', () => {
    let checked = 0;
    for (const n of samples) {
      for (let i = 0; i + 1 < n.length; i++) {
        const [a, b] = [n[i]!, n[i + 1]!];
        if (a === b) continue;
        const swapped = n.slice(0, i) + b + a + n.slice(i + 2);
        const blindSpot = (a === '0' && b === '9') || (a === '9' && b === '0');
        expect(isValidCardNumber(swapped), `${n} → ${swapped}`).toBe(blindSpot);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(400);
  });

  it('misses 09 ↔ 90, as Luhn does', () => {
    const n = withCheck('12309456781');
    expect(isValidCardNumber(n.slice(0, 3) + '90' + n.slice(5))).toBe(true);
  });
});

describe('generateCardNumber', () => {
  const numbers = Array.from({ length: 2000 }, () => generateCardNumber());

  it('gives 12 digits, never starting with 0, always Luhn-valid', () => {
    for (const n of numbers) {
      expect(n).toMatch(/^[1-9]\d{11}$/);
      expect(isValidCardNumber(n)).toBe(true);
      expect(Number(n.at(-1))).toBe(luhnCheckDigit(n.slice(0, -1)));
    }
  });

  it('draws each body digit at random: no repeats, every digit in every position', () => {
    expect(new Set(numbers).size).toBe(numbers.length);
    for (let i = 0; i < 12; i++) {
      const seen = new Set(numbers.map((n) => n[i]));
      expect([...seen].sort().join(''), `position ${i}`).toBe(i === 0 ? '123456789' : '0123456789');
    }
    // Not sequential: numbers generated one after another are far apart.
    const gaps = numbers.slice(1).map((n, i) => Math.abs(Number(n) - Number(numbers[i])));
    expect(gaps.filter((g) => g < 1000).length).toBeLessThan(5);
  });
});

describe('generateSecret', () => {
  it('is base64url of 32 random bytes by default, or of the bytes asked for', () => {
    const secrets = Array.from({ length: 200 }, () => generateSecret());
    for (const s of secrets) {
      expect(s).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(s, 'base64url')).toHaveLength(32);
    }
    expect(new Set(secrets).size).toBe(secrets.length);
    expect(generateSecret(16)).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(generateSecret(16), 'base64url')).toHaveLength(16);
  });
});
