import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/min';

/**
 * Normalises what a person types ("8 916 123-45-67", "+7 (916) 1234567") to E.164
 * ("+79161234567"), using the default region for numbers written without a country code.
 * Returns null for anything that is not a valid number.
 */
export function normalizePhone(input: string, defaultRegion: string): string | null {
  const parsed = parsePhoneNumberFromString(input.trim(), defaultRegion as CountryCode);
  if (!parsed || !parsed.isValid()) return null;
  return parsed.number;
}
