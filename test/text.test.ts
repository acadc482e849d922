import { describe, expect, it } from 'vitest';
import { findControlCharacter, line, MAX_DEPTH, multiline, truncateText } from '../src/platform/shared/text.js';

describe('text at the edge', () => {
  it('line() refuses every control character, multiline() allows tab and newline only', () => {
    expect(line().safeParse('Anna').success).toBe(true);
    for (const bad of ['a\u0000b', 'a\nb', 'a\tb', 'a\u001bb', 'a\u007fb']) expect(line().safeParse(bad).success).toBe(false);
    expect(multiline().safeParse('line 1\nline 2\r\n\tindented').success).toBe(true);
    for (const bad of ['a\u0000b', 'a\u0008b', 'a\u001fb']) expect(multiline().safeParse(bad).success).toBe(false);
  });

  it('finds the path of a control character anywhere in a body, keys included', () => {
    expect(findControlCharacter({ customer: { name: 'ok', phone: 'x\u0000' } })).toBe('customer.phone');
    expect(findControlCharacter({ items: ['a', 'b\u0001'] })).toBe('items.1');
    expect(findControlCharacter({ 'k\u0000': 1 })).toBe('k?');
    expect(findControlCharacter({ text: 'tab\tand\nnewline are fine' })).toBeUndefined();
    let deep: unknown = 'x';
    for (let i = 0; i < MAX_DEPTH + 1; i++) deep = [deep];
    expect(findControlCharacter(deep)).toBe('(too deep)');
  });

  it('truncates between graphemes, never inside an emoji or a combining mark', () => {
    const family = '\u{1F469}\u200D\u{1F469}\u200D\u{1F467}'; // one grapheme, 8 units
    expect(truncateText(`${family}${family}`, 10)).toBe(family);
    expect(truncateText('e\u0301e\u0301e\u0301', 5)).toBe('e\u0301e\u0301');
    expect(truncateText('short', 20)).toBe('short');
    expect(truncateText('Анна Каренина', 4)).toBe('Анна');
  });
});
