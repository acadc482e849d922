import { z } from 'zod';

/**
 * Text that reaches the database. PostgreSQL refuses NUL in text (and a 500 is no answer), and no
 * other C0 control character belongs in a name, a slug or a message: they are refused at the edge
 * with the field named. Multi-line fields (terms, messages) may carry tab and newline.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex -- likewise
const CONTROL_EXCEPT_TAB_NEWLINE = /[\u0000-\u0008\u000b-\u001f\u007f]/;
export const CONTROL_MESSAGE = 'must not contain control characters';
const MULTILINE_MESSAGE = 'must not contain control characters other than tab and newline';

/** A one-line string (names, slugs, ids, path and query parameters). Chain .trim(), .min() … as usual. */
export const line = (params?: Parameters<typeof z.string>[0]) => z.string(params).refine((s) => !CONTROL.test(s), CONTROL_MESSAGE);

/** A string that may span lines (tab, LF, CR allowed). */
export const multiline = (params?: Parameters<typeof z.string>[0]) =>
  z.string(params).refine((s) => !CONTROL_EXCEPT_TAB_NEWLINE.test(s.replace(/\r\n/g, '\n')), MULTILINE_MESSAGE);

/** Deeper than any body of ours: refused rather than walked (a deep body must not cost a stack). */
export const MAX_DEPTH = 32;

/**
 * The dotted path of the first string under `value` that holds a control character (tab and
 * newline allowed), '(too deep)' past MAX_DEPTH, or undefined: the backstop for bodies and queries a
 * schema did not describe. A loop with its own stack, so no input can overflow the call stack.
 */
export function findControlCharacter(value: unknown): string | undefined {
  const stack: { value: unknown; path: string[] }[] = [{ value, path: [] }];
  while (stack.length) {
    const { value: v, path } = stack.pop()!;
    if (typeof v === 'string') {
      if (CONTROL_EXCEPT_TAB_NEWLINE.test(v)) return path.join('.') || '(body)';
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (path.length >= MAX_DEPTH) return '(too deep)';
    for (const [key, child] of Object.entries(v)) {
      if (CONTROL.test(key)) return [...path, key.replace(CONTROL, '?')].join('.');
      stack.push({ value: child, path: [...path, key] });
    }
  }
  return undefined;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** At most `max` UTF-16 code units, cut between characters as people see them (never inside an emoji). */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = '';
  for (const { segment } of graphemes.segment(text)) {
    if (out.length + segment.length > max) break;
    out += segment;
  }
  return out;
}
