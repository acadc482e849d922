import { fetchGateway, isRetryableStatus, scrubPhone, SmsSendError, type SmsProvider, type SmsSendResult } from './sms-provider.js';

export interface TwilioOptions {
  accountSid: string;
  authToken: string;
  /** A number (+1…) or alphanumeric sender id → From; a Messaging Service SID (MG…) → MessagingServiceSid. */
  from: string;
  /** https://api.twilio.com; a local stand-in in tests. */
  apiUrl: string;
  timeoutMs?: number;
}

export const MESSAGING_SERVICE_SID = /^MG[0-9a-fA-F]{32}$/;

/**
 * Twilio Programmable Messaging: POST {apiUrl}/2010-04-01/Accounts/{AccountSid}/Messages.json,
 * form-encoded To, From or MessagingServiceSid, Body; HTTP Basic auth with AccountSid:AuthToken.
 * 201 with the Message resource (its `sid`) means queued; errors are JSON {code, message, status}.
 */
export class TwilioSmsProvider implements SmsProvider {
  readonly name = 'twilio';
  readonly #endpoint: string;
  readonly #authorization: string;

  constructor(private readonly options: TwilioOptions) {
    this.#endpoint = `${options.apiUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(options.accountSid)}/Messages.json`;
    this.#authorization = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`;
  }

  async send(to: string, text: string, from = this.options.from): Promise<SmsSendResult> {
    const form = new URLSearchParams({ To: to });
    if (MESSAGING_SERVICE_SID.test(from)) form.set('MessagingServiceSid', from);
    else form.set('From', from);
    form.set('Body', text);
    const res = await fetchGateway(
      'twilio',
      this.#endpoint,
      {
        method: 'POST',
        headers: { authorization: this.#authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
      },
      this.options.timeoutMs ?? 10_000,
    );
    const raw = await res.text().catch(() => '');
    let body: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(raw);
      if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>;
    } catch {
      /* not JSON */
    }
    if (res.status < 200 || res.status > 299) {
      const code = typeof body.code === 'number' || typeof body.code === 'string' ? ` ${body.code}` : '';
      const message = typeof body.message === 'string' ? body.message : raw.replace(/\s+/g, ' ').slice(0, 300);
      throw new SmsSendError(scrubPhone(`twilio: ${res.status}${code}: ${message}`.trim(), to), {
        retryable: isRetryableStatus(res.status),
        status: res.status,
      });
    }
    return typeof body.sid === 'string' ? { providerMessageId: body.sid } : {};
  }
}
