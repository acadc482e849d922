import { describe, expect, it } from 'vitest';
import { defineTexts, langSchema, pickLang, plural } from '../src/platform/web/lang.js';

const POINTS = { one: 'балл', few: 'балла', many: 'баллов', other: 'балла' };

describe('plural', () => {
  it('picks the Russian form by Intl.PluralRules', () => {
    const forms = [1, 2, 5, 11, 21, 22, 25, 101].map((n) => `${n} ${plural('ru', n, POINTS)}`);
    expect(forms).toEqual(['1 балл', '2 балла', '5 баллов', '11 баллов', '21 балл', '22 балла', '25 баллов', '101 балл']);
  });

  it('picks the English form, 0 included, and falls back to other', () => {
    const forms = { one: 'point', other: 'points' };
    expect([1, 2, 0].map((n) => `${n} ${plural('en', n, forms)}`)).toEqual(['1 point', '2 points', '0 points']);
    expect(plural('ru', 5, { other: 'баллы' })).toBe('баллы');
  });
});

describe('pickLang', () => {
  it('prefers ?lang=, then the cookie, then the best Accept-Language; Russian by default', () => {
    expect(pickLang('en', 'lang=ru', 'ru')).toBe('en');
    expect(pickLang('de', 'a=1; lang=en', 'ru')).toBe('en');
    expect(pickLang(undefined, 'lang=de', 'de-DE,en;q=0.5,ru;q=0.7')).toBe('ru');
    expect(pickLang(undefined, undefined, 'en-GB,en;q=0.9')).toBe('en');
    expect(pickLang(['en'], undefined, 'fr')).toBe('ru');
    expect(pickLang(undefined, undefined, undefined)).toBe('ru');
  });

  it('langSchema accepts exactly the page languages', () => {
    expect(langSchema.parse('en')).toBe('en');
    expect(langSchema.safeParse('de').success).toBe(false);
  });
});

describe('t', () => {
  const t = defineTexts({
    ru: { hello: 'Привет, {name}! Ваша карта {program}.', balance: { one: '{n} балл', few: '{n} балла', many: '{n} баллов', other: '{n} балла' } },
    en: { hello: 'Hi {name}! Your {program} card.', balance: { one: '{n} point', other: '{n} points' } },
  });

  it('substitutes {name} placeholders; a missing one becomes empty', () => {
    expect(t('en', 'hello', { name: 'Olga', program: 'Café' })).toBe('Hi Olga! Your Café card.');
    expect(t('ru', 'hello', { name: 'Ольга' })).toBe('Привет, Ольга! Ваша карта .');
  });

  it('a plural entry takes its form and {n} from vars.n', () => {
    expect(t('ru', 'balance', { n: 21 })).toBe('21 балл');
    expect(t('ru', 'balance', { n: 5 })).toBe('5 баллов');
    expect(t('en', 'balance', { n: 1 })).toBe('1 point');
  });
});
