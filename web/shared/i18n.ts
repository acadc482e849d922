/** The apps' two languages, and what the till and the console share of their texts' machinery. */
export type Lang = 'ru' | 'en';

/** `t(lang, key, {n: 3})` over an app's texts: `{name}` placeholders filled from `vars`. */
export function translator<K extends string>(texts: Record<Lang, Record<K, string>>) {
  return (lang: Lang, key: K, vars: Record<string, string | number> = {}): string =>
    texts[lang][key].replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));
}

/** The language chosen before on this device, else the browser's if it is the other one, else `preferred`. */
export function savedLang(storageKey: string, preferred: Lang): Lang {
  const saved = localStorage.getItem(storageKey);
  if (saved === 'ru' || saved === 'en') return saved;
  const other: Lang = preferred === 'ru' ? 'en' : 'ru';
  return navigator.language.toLowerCase().startsWith(other) ? other : preferred;
}
