import { randomBytes, randomInt } from 'node:crypto';

/** Luhn check digit for a string of digits, so a mistyped number at the till is caught at once. */
export function luhnCheckDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

export function isValidCardNumber(value: string): boolean {
  return /^\d{12}$/.test(value) && luhnCheckDigit(value.slice(0, -1)) === Number(value.at(-1));
}

/** 11 random digits (not sequential: numbers must not be enumerable) + a Luhn digit. */
export function generateCardNumber(): string {
  let body = String(randomInt(1, 10));
  for (let i = 0; i < 10; i++) body += String(randomInt(0, 10));
  return body + String(luhnCheckDigit(body));
}

/** Secrets: the Wallet authenticationToken and the personal link token. */
export const generateSecret = (bytes = 32) => randomBytes(bytes).toString('base64url');
