export type Lang = 'ru' | 'en';
export const LANGS: Lang[] = ['ru', 'en'];

const en = {
  joinTitle: 'Join {program}',
  joinLead: 'Get your loyalty card in Apple Wallet or Google Wallet. It takes a minute.',
  name: 'First name',
  phone: 'Phone',
  phoneHint: 'We send your card link to this number',
  birthday: 'Birthday',
  birthdayHint: 'For a birthday bonus (optional)',
  consentPersonal: 'I agree to the processing of my personal data',
  policy: 'Privacy policy',
  consentMarketing: 'Send me offers and news (you can opt out any time)',
  submit: 'Get my card',
  errorsTitle: 'Please check the highlighted fields',
  required: 'Required',
  tooMany: 'Too many attempts. Please try again in a few minutes.',
  nameInvalid: 'Enter your first name (up to 60 characters)',
  phoneInvalid: 'Enter a valid phone number, e.g. +7 916 123-45-67',
  birthdayInvalid: 'Enter a real date of birth',
  consentRequired: 'A card needs your consent to process personal data',
  checkPhoneTitle: 'Check your phone',
  checkPhone: 'This number already has a card. We have sent its link by SMS to the number you entered.',
  cardTitle: 'Your {program} card',
  balance: 'Balance',
  points: 'points',
  tier: 'Tier',
  cardNumber: 'Card number',
  addApple: 'Add to Apple Wallet',
  saveGoogle: 'Save to Google Wallet',
  scanOnPhone: 'Scan with your phone to add the card to its wallet',
  showAtTill: 'Show this code at the till',
  voided: 'This card is no longer active.',
  notFound: 'This link is unknown or no longer valid.',
  notFoundTitle: 'Link not found',
  programNotFound: 'There is no such loyalty program.',
  policyTitle: 'Personal data',
  policyText: '{program} processes your name, phone number and birthday to run your loyalty card, with your consent, which you can withdraw at any time by asking at a store.',
  restockTitle: 'Back-in-stock notification',
  restockWaiting: 'When “{item}” is back, we will tell you on your {program} card.',
  restockSize: 'Size',
  restockStore: 'Store',
  restockAnyStore: 'any store',
  restockAnySize: 'any size',
  restockUnsubscribe: 'Stop this notification',
  restockUnsubscribedTitle: 'Notification stopped',
  restockUnsubscribed: 'We will not tell you when “{item}” is back.',
  restockAlreadyNotified: 'We have already told you that “{item}” is back; nothing more will be sent.',
} as const;

export type MessageKey = keyof typeof en;

const ru: Record<MessageKey, string> = {
  joinTitle: '{program}: карта постоянного покупателя',
  joinLead: 'Карта в Apple Wallet или Google Wallet за минуту.',
  name: 'Имя',
  phone: 'Телефон',
  phoneHint: 'На этот номер придёт ссылка на карту',
  birthday: 'День рождения',
  birthdayHint: 'Для подарка в день рождения (необязательно)',
  consentPersonal: 'Я согласен(на) на обработку персональных данных',
  policy: 'Политика обработки данных',
  consentMarketing: 'Присылать предложения и новости (можно отказаться в любой момент)',
  submit: 'Получить карту',
  errorsTitle: 'Проверьте отмеченные поля',
  required: 'Обязательное поле',
  tooMany: 'Слишком много попыток. Попробуйте через несколько минут.',
  nameInvalid: 'Укажите имя (до 60 символов)',
  phoneInvalid: 'Укажите номер телефона, например +7 916 123-45-67',
  birthdayInvalid: 'Укажите настоящую дату рождения',
  consentRequired: 'Для карты нужно согласие на обработку персональных данных',
  checkPhoneTitle: 'Проверьте телефон',
  checkPhone: 'На этот номер уже есть карта. Мы отправили ссылку на неё в SMS на указанный номер.',
  cardTitle: 'Ваша карта {program}',
  balance: 'Баланс',
  points: 'баллов',
  tier: 'Уровень',
  cardNumber: 'Номер карты',
  addApple: 'Добавить в Apple Wallet',
  saveGoogle: 'Сохранить в Google Кошелёк',
  scanOnPhone: 'Отсканируйте телефоном, чтобы добавить карту в кошелёк',
  showAtTill: 'Покажите этот код на кассе',
  voided: 'Эта карта больше не действует.',
  notFound: 'Ссылка неизвестна или больше не действует.',
  notFoundTitle: 'Ссылка не найдена',
  programNotFound: 'Такой программы лояльности нет.',
  policyTitle: 'Персональные данные',
  policyText: '{program} обрабатывает ваше имя, телефон и дату рождения для работы карты лояльности с вашего согласия; отозвать его можно в любом магазине.',
  restockTitle: 'Уведомление о поступлении',
  restockWaiting: 'Когда «{item}» снова будет в наличии, мы сообщим об этом на вашей карте {program}.',
  restockSize: 'Размер',
  restockStore: 'Магазин',
  restockAnyStore: 'любой магазин',
  restockAnySize: 'любой размер',
  restockUnsubscribe: 'Отказаться от уведомления',
  restockUnsubscribedTitle: 'Уведомление отключено',
  restockUnsubscribed: 'Мы не будем сообщать о поступлении «{item}».',
  restockAlreadyNotified: 'Мы уже сообщили, что «{item}» снова в наличии; больше уведомлений не будет.',
};

const DICTS: Record<Lang, Record<MessageKey, string>> = { en, ru };

export function t(lang: Lang, key: MessageKey, vars: Record<string, string> = {}): string {
  return DICTS[lang][key].replace(/\{(\w+)\}/g, (_, k: string) => vars[k] ?? '');
}

/** ?lang= wins (the switcher), then the cookie it set, then Accept-Language; Russian by default. */
export function pickLang(query: unknown, cookie: string | undefined, acceptLanguage: string | undefined): Lang {
  if (query === 'ru' || query === 'en') return query;
  const fromCookie = /(?:^|;\s*)lang=(ru|en)/.exec(cookie ?? '')?.[1];
  if (fromCookie) return fromCookie as Lang;
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part) => {
      const [tag, q] = part.trim().split(';q=');
      return { lang: (tag ?? '').slice(0, 2).toLowerCase(), q: q ? Number(q) : 1 };
    })
    .filter((x) => x.lang === 'ru' || x.lang === 'en')
    .sort((a, b) => b.q - a.q);
  return (ranked[0]?.lang as Lang | undefined) ?? 'ru';
}
