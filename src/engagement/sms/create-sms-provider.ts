import type { Logger } from '../../platform/log/logger.js';
import { HttpSmsProvider } from './http-sms-provider.js';
import { LogSmsProvider } from './log-sms-provider.js';
import type { SmsConfig } from '../../platform/config/sms-config.js';
import type { SmsProvider } from './sms-provider.js';
import { TwilioSmsProvider } from './twilio-sms-provider.js';

/** The configured provider; says at start-up which one it is and anything worth a warning. */
export function createSmsProvider(config: SmsConfig, logger: Logger): SmsProvider {
  for (const warning of config.warnings) logger.warn(warning);
  const p = config.provider;
  switch (p.kind) {
    case 'log':
      logger.info({ sms: 'log' }, 'SMS are written to the log, not sent');
      return new LogSmsProvider(logger, { maskLinks: p.maskLinks });
    case 'http':
      logger.info({ sms: 'http', url: new URL(p.url).origin }, 'SMS go through an HTTP gateway');
      return new HttpSmsProvider(p);
    case 'twilio':
      logger.info({ sms: 'twilio', apiUrl: p.apiUrl }, 'SMS go through Twilio');
      return new TwilioSmsProvider(p);
  }
}
