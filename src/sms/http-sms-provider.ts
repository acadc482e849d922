import { fetchGateway, isRetryableStatus, responseSnippet, SmsSendError, type SmsProvider, type SmsSendResult } from './sms-provider.js';

export type HttpSmsContentType = 'application/json' | 'application/x-www-form-urlencoded';

export interface HttpSmsOptions {
  /** May itself carry {{to}} / {{text}} (URL-encoded), e.g. for gateways driven by GET. */
  url: string;
  method: 'GET' | 'POST' | 'PUT';
  /** Sent as the Authorization header's value, e.g. "Bearer …" or "Basic …". */
  authHeader: string | undefined;
  /** With {{to}} and {{text}}; ignored for GET. */
  bodyTemplate: string;
  contentType: HttpSmsContentType;
  timeoutMs?: number;
}

const PLACEHOLDER = /\{\{(to|text)\}\}/g;

export const DEFAULT_BODY_TEMPLATES: Record<HttpSmsContentType, string> = {
  'application/json': '{"to":"{{to}}","text":"{{text}}"}',
  'application/x-www-form-urlencoded': 'to={{to}}&text={{text}}',
};

/**
 * Fills {{to}} and {{text}} in one pass (a text that itself contains "{{to}}" stays as written):
 * JSON-escaped for a JSON body (the template supplies the quotes), form-encoded for a form body.
 */
export function fillTemplate(template: string, values: { to: string; text: string }, encoding: HttpSmsContentType | 'url'): string {
  const encode =
    encoding === 'application/json'
      ? (v: string) => JSON.stringify(v).slice(1, -1)
      : encoding === 'url'
        ? encodeURIComponent
        : (v: string) => new URLSearchParams({ v }).toString().slice(2);
  return template.replace(PLACEHOLDER, (_m, name: 'to' | 'text') => encode(values[name]));
}

/** A generic gateway: one HTTP request per message; any 2xx means accepted. */
export class HttpSmsProvider implements SmsProvider {
  readonly name = 'http';

  constructor(private readonly options: HttpSmsOptions) {}

  async send(to: string, text: string): Promise<SmsSendResult> {
    const { method, contentType } = this.options;
    const url = fillTemplate(this.options.url, { to, text }, 'url');
    const headers: Record<string, string> = { accept: 'application/json, */*;q=0.5' };
    if (this.options.authHeader) headers.authorization = this.options.authHeader;
    let body: string | undefined;
    if (method !== 'GET') {
      body = fillTemplate(this.options.bodyTemplate, { to, text }, contentType);
      headers['content-type'] = contentType === 'application/json' ? 'application/json; charset=utf-8' : 'application/x-www-form-urlencoded; charset=utf-8';
    }
    const res = await fetchGateway('http', url, { method, headers, ...(body !== undefined && { body }) }, this.options.timeoutMs ?? 10_000);
    if (res.status < 200 || res.status > 299) {
      const snippet = await responseSnippet(res, to);
      throw new SmsSendError(`http: gateway answered ${res.status}${snippet ? `: ${snippet}` : ''}`, { retryable: isRetryableStatus(res.status), status: res.status });
    }
    return messageIdOf(await res.text().catch(() => ''));
  }
}

/** Gateways name their message id in many ways; take a top-level one if there is one. */
function messageIdOf(body: string): SmsSendResult {
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === 'object') {
      for (const key of ['id', 'messageId', 'message_id', 'sid']) {
        const value = (parsed as Record<string, unknown>)[key];
        if (typeof value === 'string' || typeof value === 'number') return { providerMessageId: String(value).slice(0, 200) };
      }
    }
  } catch {
    /* not JSON: no id */
  }
  return {};
}
