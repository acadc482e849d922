import { maskPhone } from '../../platform/log/logger.js';

/** Anything that can hand a text to a phone network. */
export interface SmsProvider {
  /** Recorded with every message: log, http, twilio. */
  readonly name: string;
  /**
   * Sends one text to one number (E.164, e.g. +79161234567). Resolves once the gateway has accepted
   * the message (not when it is delivered); rejects with SmsSendError. `from`: the brand's own sender
   * id or number, instead of the gateway's configured one.
   */
  send(to: string, text: string, from?: string): Promise<SmsSendResult>;
}

export interface SmsSendResult {
  /** The gateway's id of the message (Twilio's SM…), when it gives one. */
  providerMessageId?: string;
}

/** A gateway refused or could not be reached. The message never contains the full phone number. */
export class SmsSendError extends Error {
  readonly retryable: boolean;
  /** HTTP status of the gateway's answer; absent for network errors and timeouts. */
  readonly status?: number;

  constructor(message: string, options: { retryable: boolean; status?: number | undefined; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SmsSendError';
    this.retryable = options.retryable;
    if (options.status !== undefined) this.status = options.status;
  }
}

/** 429 and 5xx are worth another try later; other 4xx mean the request itself is wrong. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || status >= 500;
}

/**
 * Gateways echo the number back in their error texts ("The 'To' number +7916… is not valid"):
 * replace it, with or without its "+", by the masked form before the text is logged or stored.
 */
export function scrubPhone(text: string, phone: string): string {
  const masked = maskPhone(phone) ?? '';
  const digits = phone.replace(/^\+/, '');
  let out = text.split(phone).join(masked);
  if (digits.length >= 6) out = out.split(digits).join(masked);
  return out;
}

/** A gateway's answer, shortened for error messages. */
export async function responseSnippet(res: Response, phone: string, max = 300): Promise<string> {
  const body = await res.text().catch(() => '');
  const oneLine = scrubPhone(body, phone).replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine;
}

/** fetch with a deadline; network failures and timeouts become retryable SmsSendErrors. */
export async function fetchGateway(provider: string, url: string, init: RequestInit, timeoutMs: number): Promise<Response> {
  try {
    return await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const reason = err instanceof Error && err.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : errorText(err);
    throw new SmsSendError(`${provider}: gateway unreachable: ${reason}`, { retryable: true, cause: err });
  }
}

function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`;
}
