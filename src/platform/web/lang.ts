import { z } from 'zod';

/** The languages every customer-facing text (pages, SMS, card messages) exists in. */
export type Lang = 'ru' | 'en';
export const LANGS = ['ru', 'en'] as const satisfies readonly Lang[];
export const langSchema = z.enum(LANGS);

export const isLang = (value: unknown): value is Lang => LANGS.includes(value as Lang);

/** ?lang= wins (the switcher), then the cookie it set, then Accept-Language; Russian by default. */
export function pickLang(query: unknown, cookie: string | undefined, acceptLanguage: string | undefined): Lang {
  if (isLang(query)) return query;
  const fromCookie = /(?:^|;\s*)lang=([a-z]+)/.exec(cookie ?? '')?.[1];
  if (isLang(fromCookie)) return fromCookie;
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part) => {
      const [tag, q] = part.trim().split(';q=');
      return { lang: (tag ?? '').slice(0, 2).toLowerCase(), q: q ? Number(q) : 1 };
    })
    .filter((x) => isLang(x.lang))
    .sort((a, b) => b.q - a.q);
  return (ranked[0]?.lang as Lang | undefined) ?? 'ru';
}

/** A word per CLDR plural category the language uses (ru: one/few/many, en: one/other); `other` is the fallback. */
export type Plural = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };

// PluralRules objects are costly to build and immutable: one per language.
const rules = new Map<Lang, Intl.PluralRules>();

/** plural('ru', 21, { one: 'балл', few: 'балла', many: 'баллов', other: 'балла' }) → 'балл'. */
export function plural(lang: Lang, n: number, forms: Plural): string {
  let r = rules.get(lang);
  if (!r) rules.set(lang, (r = new Intl.PluralRules(lang)));
  return forms[r.select(n)] ?? forms.other;
}

type Vars = Record<string, string | number>;
/** en mirrors ru: the same keys, plural where ru is plural, so a text missing in one language is a type error. */
type Mirror<R> = { [K in keyof R]: R[K] extends string ? string : Plural };
export type Texts<R extends Record<string, string | Plural>> = { ru: R; en: Mirror<R> };

/**
 * A capability's texts table → its `t(lang, key, vars)`. `{name}` placeholders are filled from
 * vars (a missing one becomes ''); a plural entry needs `vars.n`, which picks the form and fills `{n}`.
 */
export function defineTexts<R extends Record<string, string | Plural>>(texts: Texts<R>) {
  const table = texts as Record<Lang, Record<string, string | Plural>>;
  return <K extends keyof R & string>(lang: Lang, key: K, ...[vars = {}]: R[K] extends string ? [vars?: Vars] : [vars: Vars & { n: number }]): string => {
    const entry = table[lang][key]!;
    const text = typeof entry === 'string' ? entry : plural(lang, (vars as { n: number }).n, entry);
    return text.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));
  };
}
