import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineTexts, langSchema, pickLang, plural } from '../src/platform/web/lang.js';
import { PAGE_CSP } from '../src/platform/web/layout.js';
import { createProgramWithStores } from './support/fixtures.js';
import { startTestService, type TestService } from './support/test-service.js';

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

describe('one page shell', () => {
  let svc: TestService;
  let cardUrl: string;
  let unsubscribeUrl: string;

  beforeAll(async () => {
    svc = await startTestService();
    await createProgramWithStores(svc, 'shop', { welcomeBonus: 21 });
    const card = await svc.api('POST', '/api/v1/cards', {
      program: 'shop',
      customer: { name: 'Vera', phone: '+79165550001' },
      consent: { personalData: true },
    });
    expect(card.status).toBe(201);
    const { link_token } = await svc.services.db
      .selectFrom('cards')
      .select('link_token')
      .where('card_number', '=', card.body.cardNumber)
      .executeTakeFirstOrThrow();
    cardUrl = `${svc.url}/c/${link_token}`;
    const sub = await svc.api('POST', '/api/v1/restock-subscriptions', { cardNumber: card.body.cardNumber, sku: 'BOOT', title: 'Boots' });
    expect(sub.status).toBe(201);
    unsubscribeUrl = sub.body.unsubscribeUrl;
  });
  afterAll(() => svc?.stop());

  /** The page without its title and content, the switcher's links without their path: what the layout adds. */
  const shell = (page: string) =>
    page
      .replace(/<title>[^<]*<\/title>/, '')
      .replace(/<main>[\s\S]*<\/main>/, '')
      .replace(/href="[^"?]*\?lang=/g, 'href="?lang=');

  it('the join page and the restock unsubscribe page share the layout, its headers and the lang switcher', async () => {
    const headers = { 'accept-language': 'ru' };
    const [join, unsubscribe] = await Promise.all([fetch(`${svc.url}/join/shop`, { headers }), fetch(unsubscribeUrl, { headers })]);
    for (const res of [join, unsubscribe]) {
      expect(res.status).toBe(200);
      expect(res.headers.get('content-security-policy')).toBe(PAGE_CSP);
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    }
    const [joinPage, unsubscribePage] = await Promise.all([join.text(), unsubscribe.text()]);
    expect(joinPage).toContain('<nav class="lang"><strong>RU</strong><a href="/join/shop?lang=en" hreflang="en">EN</a></nav>');
    expect(unsubscribePage).toContain(`<nav class="lang"><strong>RU</strong><a href="${new URL(unsubscribeUrl).pathname}?lang=en" hreflang="en">EN</a></nav>`);
    expect(shell(unsubscribePage)).toBe(shell(joinPage));
  });

  it('the card page shows the balance with the plural form of the language', async () => {
    expect(await (await fetch(`${cardUrl}?lang=ru`)).text()).toContain('data-testid="balance">21</span> <small>балл</small>');
    expect(await (await fetch(`${cardUrl}?lang=en`)).text()).toContain('data-testid="balance">21</span> <small>points</small>');
  });
});
