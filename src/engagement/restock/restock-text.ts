import { MAX_MESSAGE_LENGTH } from '../../loyalty/cards/card-message-service.js';
import type { Lang } from '../../platform/web/lang.js';

export interface RestockMessageParts {
  title: string;
  /** The size that is back, if the restock or the subscription named one. */
  size: string | null;
  /** The store it is back at, if the restock or the subscription named one. */
  store: string | null;
}

/**
 * The card message a subscriber gets, e.g. "Linen shirt снова в наличии, размер M, Arbat" /
 * "Linen shirt is back in size M at Arbat". It is what the lock screen shows (Apple's
 * changeMessage "%@", Google's message).
 */
export function restockMessage(lang: Lang, p: RestockMessageParts): string {
  const text =
    lang === 'en'
      ? `${p.title} is back${p.size ? ` in size ${p.size}` : ' in stock'}${p.store ? ` at ${p.store}` : ''}`
      : [`${p.title} снова в наличии`, p.size && `размер ${p.size}`, p.store].filter(Boolean).join(', ');
  return text.slice(0, MAX_MESSAGE_LENGTH);
}
