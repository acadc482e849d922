/** The generic HTTP gateway's body templates: validated with the configuration, filled per message. */
export type HttpSmsContentType = 'application/json' | 'application/x-www-form-urlencoded';

const PLACEHOLDER = /\{\{(to|text|from)\}\}/g;

export const DEFAULT_BODY_TEMPLATES: Record<HttpSmsContentType, string> = {
  'application/json': '{"to":"{{to}}","text":"{{text}}"}',
  'application/x-www-form-urlencoded': 'to={{to}}&text={{text}}',
};

/**
 * Fills {{to}}, {{text}} and {{from}} (the brand's sender, '' when it has none) in one pass (a text that itself contains "{{to}}" stays as written):
 * JSON-escaped for a JSON body (the template supplies the quotes), form-encoded for a form body.
 */
export function fillTemplate(template: string, values: { to: string; text: string; from?: string }, encoding: HttpSmsContentType | 'url'): string {
  const encode =
    encoding === 'application/json'
      ? (v: string) => JSON.stringify(v).slice(1, -1)
      : encoding === 'url'
        ? encodeURIComponent
        : (v: string) => new URLSearchParams({ v }).toString().slice(2);
  return template.replace(PLACEHOLDER, (_m, name: 'to' | 'text' | 'from') => encode(values[name] ?? ''));
}
