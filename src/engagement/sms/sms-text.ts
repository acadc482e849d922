/**
 * SMS segment arithmetic (3GPP TS 23.038 / 23.040).
 *
 * A text that uses only the GSM 7-bit default alphabet is sent in septets: 160 in a single SMS,
 * 153 per part of a concatenated one (the user data header takes 7). Characters of the extension
 * table ({ } [ ] ~ \ | ^ € and form feed) are an escape plus a code: 2 septets, and the pair is never
 * split between parts. Anything else makes the whole message UCS-2: 70 UTF-16 units single, 67 per
 * part, and a surrogate pair (an emoji) is never split either.
 */
import type { Lang } from '../../platform/web/lang.js';

const GSM_BASIC = new Set(
  Array.from('@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' + '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà'),
);
const GSM_EXTENSION = new Set(Array.from('\f^{}\\[~]|€'));

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export const SMS_LIMITS = {
  'GSM-7': { single: 160, part: 153 },
  'UCS-2': { single: 70, part: 67 },
} as const;

export interface SmsTextInfo {
  encoding: SmsEncoding;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
  units: number;
  segments: number;
}

/** True when every character is in the GSM 7-bit default alphabet or its extension table. */
export function isGsm7(text: string): boolean {
  for (const ch of text) if (!GSM_BASIC.has(ch) && !GSM_EXTENSION.has(ch)) return false;
  return true;
}

export function encodingOf(text: string): SmsEncoding {
  return isGsm7(text) ? 'GSM-7' : 'UCS-2';
}

/** Cost of each character (iterated by code point) in the message's encoding. */
function costs(text: string, encoding: SmsEncoding): number[] {
  return Array.from(text, (ch) => (encoding === 'GSM-7' ? (GSM_EXTENSION.has(ch) ? 2 : 1) : ch.length));
}

export function analyzeSms(text: string): SmsTextInfo {
  const encoding = encodingOf(text);
  const units = costs(text, encoding);
  const total = units.reduce((a, b) => a + b, 0);
  const limits = SMS_LIMITS[encoding];
  if (total <= limits.single) return { encoding, units: total, segments: 1 };
  // Concatenated: fill parts, moving a character that does not fit whole to the next part.
  let segments = 1;
  let used = 0;
  for (const cost of units) {
    if (used + cost > limits.part) {
      segments += 1;
      used = 0;
    }
    used += cost;
  }
  return { encoding, units: total, segments };
}

/** Number of SMS parts the text is sent (and billed) as; an empty text is still one message. */
export function segmentsOf(text: string): number {
  return analyzeSms(text).segments;
}

/** A fixed piece of a message, or one that may be shortened (a program name; never a URL). */
export type SmsPart = string | { text: string; shrinkable: true; /** shortest it may become, ellipsis included; default 3 */ minLength?: number };

export interface FittedText {
  text: string;
  segments: number;
  /** True when the text fits one SMS. */
  fits: boolean;
  /** True when a shrinkable part was shortened. */
  shortened: boolean;
}

/**
 * Joins the parts; when the result is longer than one SMS, shortens the shrinkable parts (the
 * longest first, one character at a time, ending in "…" in UCS-2 or "." in GSM-7 so the ellipsis
 * never turns a GSM text into UCS-2) until it fits. Fixed parts are never cut. When even the
 * shortest allowed form does not fit, the unshortened text is returned with `fits: false`.
 */
export function fitOneSegment(parts: SmsPart[]): FittedText {
  const full = parts.map((p) => (typeof p === 'string' ? p : p.text)).join('');
  const fullSegments = segmentsOf(full);
  if (fullSegments === 1) return { text: full, segments: 1, fits: true, shortened: false };

  // Current length (in code points) of each shrinkable part; fixed parts are null.
  const chars = parts.map((p) => (typeof p === 'string' ? null : Array.from(p.text)));
  const keep = chars.map((c) => c?.length ?? 0);
  const min = parts.map((p) => (typeof p === 'string' ? 0 : Math.max(1, p.minLength ?? 3)));

  const render = (): string => {
    const fixed = parts.map((p, i) => (typeof p === 'string' ? p : shorten(chars[i]!, keep[i]!, '')));
    // The ellipsis follows the encoding the rest of the message needs anyway.
    const ellipsis = isGsm7(fixed.join('')) ? '.' : '…';
    return parts.map((p, i) => (typeof p === 'string' ? p : shorten(chars[i]!, keep[i]!, ellipsis))).join('');
  };

  for (;;) {
    // Shorten the longest shrinkable part that may still shrink.
    let pick = -1;
    for (let i = 0; i < parts.length; i++) {
      if (chars[i] && keep[i]! > min[i]! && (pick < 0 || keep[i]! > keep[pick]!)) pick = i;
    }
    if (pick < 0) return { text: full, segments: fullSegments, fits: false, shortened: false };
    keep[pick]! -= 1;
    const text = render();
    if (segmentsOf(text) === 1) return { text, segments: 1, fits: true, shortened: true };
  }
}

/** The first `keep` characters (ellipsis included) of a part, trailing spaces trimmed before the ellipsis. */
function shorten(chars: string[], keep: number, ellipsis: string): string {
  if (keep >= chars.length) return chars.join('');
  const room = Math.max(0, keep - Array.from(ellipsis).length);
  return chars.slice(0, room).join('').trimEnd() + ellipsis;
}

/**
 * "Your <program> card: <url>" in the customer's language, as one SMS where possible: the program
 * name is shortened first, then dropped, then the wording shortened; the URL is always whole.
 */
export function composeCardLinkText(lang: Lang, programName: string, url: string, signature?: string | null): FittedText {
  const name = { text: programName.trim(), shrinkable: true as const, minLength: 4 };
  const signed = (parts: SmsPart[]): SmsPart[] => (signature ? [...parts, `\n${signature}`] : parts);
  const variants: SmsPart[][] =
    lang === 'ru'
      ? [
          ['Ваша карта «', name, '»: ', url],
          ['Ваша карта: ', url],
          ['Карта: ', url],
        ]
      : [
          ['Your ', name, ' card: ', url],
          ['Your card: ', url],
          ['Card: ', url],
        ];
  for (const variant of variants) {
    const fitted = fitOneSegment(signed(variant));
    if (fitted.fits) return fitted;
  }
  // A URL too long for one SMS: send the full wording in several parts rather than a bare link.
  return fitOneSegment(signed(variants[0]!));
}

/** A custom text: `{link}` (required) and `{program}` are filled in; the link is never altered. */
export function fillCustomText(template: string, programName: string, url: string, signature?: string | null): string {
  const text = template.replace(/\{(link|program)\}/g, (_m, name: string) => (name === 'link' ? url : programName));
  return signature ? `${text}\n${signature}` : text;
}
