import { randomUUID } from 'node:crypto';
import type { Logger } from '../../platform/log/logger.js';
import { maskPhone } from '../../platform/log/logger.js';
import type { SmsProvider, SmsSendResult } from './sms-provider.js';

/**
 * Development stand-in: writes the message to the log instead of sending it. The number is masked;
 * the text is shown (it is what a developer needs to see), except that with `maskLinks` the personal
 * card link's token (/c/<token>, a bearer credential) is replaced, as the request log does.
 */
export class LogSmsProvider implements SmsProvider {
  readonly name = 'log';

  constructor(
    private readonly logger: Logger,
    private readonly options: { maskLinks?: boolean } = {},
  ) {}

  async send(to: string, text: string, from?: string): Promise<SmsSendResult> {
    const shown = this.options.maskLinks ? text.replace(/\/c\/[A-Za-z0-9_-]+/g, '/c/[redacted]') : text;
    const providerMessageId = `log-${randomUUID()}`;
    this.logger.info(
      { sms: { to: maskPhone(to), ...(from !== undefined && { from }), text: shown, id: providerMessageId } },
      'SMS not sent (SMS_PROVIDER=log): written to the log',
    );
    return { providerMessageId };
  }
}
