import { pino, type Logger } from 'pino';

export type { Logger };

/** Keys whose values are never written to logs, wherever they appear in a logged object. */
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.authorization',
  '*.authToken',
  '*.auth_token',
  '*.authenticationToken',
  '*.pushToken',
  '*.push_token',
  '*.key',
  '*.apiKey',
  '*.linkToken',
  '*.link_token',
  '*.password',
  '*.privateKey',
];

export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: { paths: REDACT, censor: '[redacted]' },
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

/** +79161234567 → +7916*****67: enough to recognise a customer on a support call, not to dial. */
export function maskPhone(phone: string | null | undefined): string | undefined {
  if (!phone) return undefined;
  if (phone.length <= 6) return '*'.repeat(phone.length);
  return phone.slice(0, 5) + '*'.repeat(phone.length - 7) + phone.slice(-2);
}

/** Request paths carry secrets in places (personal links, pass downloads, device ids). */
export function redactPath(url: string): string {
  return (
    url
      .replace(/\?.*$/, '')
      // Express matches paths whatever their letter case (/C/<token> is /c/<token>): so does this.
      .replace(/^(\/c|\/wallet\/apple\/download|\/restock\/unsubscribe|\/staff\/welcome)\/[^/]+/i, '$1/[redacted]')
      .replace(/^(\/join\/[^/]+\/verify)\/[^/]+/i, '$1/[redacted]')
      .replace(/(\/v1\/devices)\/[^/]+/i, '$1/[redacted]')
  );
}
