import { fetchGateway, isRetryableStatus, responseSnippet, SmsSendError, type SmsProvider, type SmsSendResult } from './sms-provider.js';
import { fillTemplate, type HttpSmsContentType } from '../../platform/config/sms-template.js';

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

/** A generic gateway: one HTTP request per message; any 2xx means accepted. */
export class HttpSmsProvider implements SmsProvider {
  readonly name = 'http';

  constructor(private readonly options: HttpSmsOptions) {}

  async send(to: string, text: string, from = ''): Promise<SmsSendResult> {
    const { method, contentType } = this.options;
    const url = fillTemplate(this.options.url, { to, text, from }, 'url');
    const headers: Record<string, string> = { accept: 'application/json, */*;q=0.5' };
    if (this.options.authHeader) headers.authorization = this.options.authHeader;
    let body: string | undefined;
    if (method !== 'GET') {
      body = fillTemplate(this.options.bodyTemplate, { to, text, from }, contentType);
      headers['content-type'] = contentType === 'application/json' ? 'application/json; charset=utf-8' : 'application/x-www-form-urlencoded; charset=utf-8';
    }
    const res = await fetchGateway('http', url, { method, headers, ...(body !== undefined && { body }) }, this.options.timeoutMs ?? 10_000);
    if (res.status < 200 || res.status > 299) {
      const snippet = await responseSnippet(res, to);
      throw new SmsSendError(`http: gateway answered ${res.status}${snippet ? `: ${snippet}` : ''}`, {
        retryable: isRetryableStatus(res.status),
        status: res.status,
      });
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
