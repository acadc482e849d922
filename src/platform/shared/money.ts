import { z } from 'zod';
import { line } from './text.js';

/** Digits after the decimal point for a currency (RUB 2, JPY 0, …), from the runtime's ICU data. */
const exponents = new Map<string, number>();

export function currencyExponent(currency: string): number {
  let exponent = exponents.get(currency);
  if (exponent === undefined) {
    // Building a NumberFormat costs ~0.1 ms: once per currency is enough.
    exponent = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    exponents.set(currency, exponent);
  }
  return exponent;
}

const KNOWN_CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

export function isCurrencyCode(code: string): boolean {
  return KNOWN_CURRENCIES.has(code);
}

const DECIMAL = /^(\d{1,12})(?:\.(\d+))?$/;

/**
 * "1234.5" or 1234.5 → 123450 minor units (exponent 2). Parsed from the decimal text, never via
 * float arithmetic; more fraction digits than the currency has is an error, not a rounding.
 */
export function toMinorUnits(amount: string | number, exponent: number): number | null {
  const text = typeof amount === 'number' ? (Number.isFinite(amount) ? String(amount) : '') : amount.trim();
  const m = DECIMAL.exec(text);
  if (!m) return null;
  const fraction = m[2] ?? '';
  if (fraction.length > exponent) return null;
  const minor = Number(m[1]) * 10 ** exponent + Number(fraction.padEnd(exponent, '0') || '0');
  return Number.isSafeInteger(minor) ? minor : null;
}

export function fromMinorUnits(minor: number, exponent: number): string {
  if (exponent === 0) return String(minor);
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  const unit = 10 ** exponent;
  return `${sign}${Math.floor(abs / unit)}.${String(abs % unit).padStart(exponent, '0')}`;
}

/** A non-negative amount as a decimal string or number; converted once the currency is known. */
export const amountInput = z.union([line(), z.number()]).refine((v) => DECIMAL.test(typeof v === 'number' ? String(v) : v.trim()), {
  message: 'must be a non-negative decimal amount, e.g. "1234.50"',
});

/** Percentages as given by people (7.5) are kept as basis points (750). */
export const percentInput = z
  .number()
  .min(0)
  .max(100)
  .refine((v) => Math.abs(v * 100 - Math.round(v * 100)) < 1e-9, { message: 'allows at most two decimals' });

export const percentToBp = (percent: number) => Math.round(percent * 100);
export const bpToPercent = (bp: number) => bp / 100;
