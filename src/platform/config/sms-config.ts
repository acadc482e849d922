import { z } from 'zod';
import { DEFAULT_BODY_TEMPLATES, fillTemplate, type HttpSmsContentType } from './sms-template.js';

/**
 * SMS settings, read from the environment and validated like the rest of the configuration:
 * a missing or malformed setting for the chosen provider is an error naming the variable.
 */
const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const CONTENT_TYPES: Record<string, HttpSmsContentType> = {
  json: 'application/json',
  'application/json': 'application/json',
  form: 'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded': 'application/x-www-form-urlencoded',
};

/** A sender: a number in E.164, an alphanumeric sender id, or a Twilio Messaging Service SID. */
export const SMS_SENDER = {
  pattern: /^(\+[1-9]\d{6,14}|MG[0-9a-fA-F]{32}|(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11})$/,
  message: 'must be a number in E.164 (+15551234567), an alphanumeric sender id (≤ 11 characters) or a Messaging Service SID (MG…)',
};

export const smsEnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    SMS_PROVIDER: z.enum(['log', 'http', 'twilio']).default('log'),
    SMS_HTTP_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
    SMS_HTTP_METHOD: z
      .string()
      .trim()
      .toUpperCase()
      .pipe(z.enum(['GET', 'POST', 'PUT'], { message: 'must be GET, POST or PUT' }))
      .default('POST'),
    SMS_HTTP_AUTH_HEADER: optionalString,
    SMS_HTTP_BODY_TEMPLATE: optionalString,
    SMS_HTTP_CONTENT_TYPE: z
      .string()
      .trim()
      .toLowerCase()
      .refine((v) => v in CONTENT_TYPES, { message: 'must be application/json (json) or application/x-www-form-urlencoded (form)' })
      .transform((v) => CONTENT_TYPES[v]!)
      .default('application/json'),
    TWILIO_ACCOUNT_SID: optionalString.pipe(
      z
        .string()
        .regex(/^AC[0-9a-fA-F]{32}$/, 'must be the Account SID: AC followed by 32 hex digits')
        .optional(),
    ),
    TWILIO_AUTH_TOKEN: optionalString,
    TWILIO_FROM: optionalString.pipe(z.string().regex(SMS_SENDER.pattern, SMS_SENDER.message).optional()),
    TWILIO_API_URL: z.url({ protocol: /^https?$/ }).default('https://api.twilio.com'),
    SMS_MAX_PER_PHONE_PER_DAY: z.coerce.number().int().min(1).max(1000).default(3),
    SMS_MAX_PER_KEY_PER_HOUR: z.coerce.number().int().min(1).max(1_000_000).default(200),
  })
  .superRefine((env, ctx) => {
    const require = (name: keyof typeof env, why: string) => {
      if (!env[name]) ctx.addIssue({ code: 'custom', path: [name], message: `is required ${why}` });
    };
    if (env.SMS_PROVIDER === 'http') {
      require('SMS_HTTP_URL', 'when SMS_PROVIDER=http');
      const template = env.SMS_HTTP_BODY_TEMPLATE ?? DEFAULT_BODY_TEMPLATES[env.SMS_HTTP_CONTENT_TYPE];
      const where = env.SMS_HTTP_METHOD === 'GET' ? (env.SMS_HTTP_URL ?? '') : `${env.SMS_HTTP_URL ?? ''} ${template}`;
      for (const placeholder of ['{{to}}', '{{text}}']) {
        if (env.SMS_HTTP_URL && !where.includes(placeholder)) {
          const name = env.SMS_HTTP_METHOD === 'GET' ? 'SMS_HTTP_URL' : 'SMS_HTTP_BODY_TEMPLATE';
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: `must contain ${placeholder}${env.SMS_HTTP_METHOD === 'GET' ? ' (a GET request has no body)' : ''}`,
          });
        }
      }
      if (env.SMS_HTTP_METHOD !== 'GET' && env.SMS_HTTP_CONTENT_TYPE === 'application/json') {
        try {
          JSON.parse(fillTemplate(template, { to: '+70000000000', text: 'a "quoted"\ntext' }, 'application/json'));
        } catch {
          ctx.addIssue({
            code: 'custom',
            path: ['SMS_HTTP_BODY_TEMPLATE'],
            message: 'must be JSON once {{to}} and {{text}} are filled in (put the placeholders inside quotes)',
          });
        }
      }
    }
    if (env.SMS_PROVIDER === 'twilio') {
      require('TWILIO_ACCOUNT_SID', 'when SMS_PROVIDER=twilio');
      require('TWILIO_AUTH_TOKEN', 'when SMS_PROVIDER=twilio');
      require('TWILIO_FROM', 'when SMS_PROVIDER=twilio (a sender number, alphanumeric id or Messaging Service SID)');
    }
  });

export type SmsProviderConfig =
  | { kind: 'log'; maskLinks: boolean }
  | {
      kind: 'http';
      url: string;
      method: 'GET' | 'POST' | 'PUT';
      authHeader: string | undefined;
      bodyTemplate: string;
      contentType: HttpSmsContentType;
    }
  | { kind: 'twilio'; accountSid: string; authToken: string; from: string; apiUrl: string };

export interface SmsLimits {
  /** Messages to one phone number in any 24 hours. */
  perPhonePerDay: number;
  /** Messages sent with one API key in any hour. */
  perKeyPerHour: number;
}

export interface SmsConfig {
  provider: SmsProviderConfig;
  limits: SmsLimits;
  /** Allowed but worth saying at start-up (e.g. the log provider in production). */
  warnings: string[];
}

/** Raised with one line per problem, each starting with the variable's name. */
export class SmsConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SmsConfigError';
  }
}

export function smsConfigFromEnv(source: Record<string, string | undefined> = process.env): SmsConfig {
  const parsed = smsEnvSchema.safeParse(source);
  if (!parsed.success) {
    throw new SmsConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? 'environment');
        const shown = source[name] !== undefined && !/TOKEN|AUTH|SECRET|KEY|PASS/.test(name) ? ` (got "${source[name]}")` : '';
        return `${name} ${issue.message}${shown}`;
      }),
    );
  }
  const env = parsed.data;
  const warnings: string[] = [];
  let provider: SmsProviderConfig;
  switch (env.SMS_PROVIDER) {
    case 'http':
      provider = {
        kind: 'http',
        url: env.SMS_HTTP_URL!,
        method: env.SMS_HTTP_METHOD,
        authHeader: env.SMS_HTTP_AUTH_HEADER,
        bodyTemplate: env.SMS_HTTP_BODY_TEMPLATE ?? DEFAULT_BODY_TEMPLATES[env.SMS_HTTP_CONTENT_TYPE],
        contentType: env.SMS_HTTP_CONTENT_TYPE,
      };
      if (env.NODE_ENV === 'production' && provider.url.startsWith('http://'))
        warnings.push('SMS_HTTP_URL is plain http: phone numbers and card links cross the network unencrypted');
      break;
    case 'twilio':
      provider = {
        kind: 'twilio',
        accountSid: env.TWILIO_ACCOUNT_SID!,
        authToken: env.TWILIO_AUTH_TOKEN!,
        from: env.TWILIO_FROM!,
        apiUrl: env.TWILIO_API_URL.replace(/\/+$/, ''),
      };
      break;
    case 'log':
      provider = { kind: 'log', maskLinks: env.NODE_ENV === 'production' };
      if (env.NODE_ENV === 'production') warnings.push('SMS_PROVIDER=log in production: SMS are written to the log, not sent; set SMS_PROVIDER=http or twilio');
      break;
  }
  return { provider, limits: { perPhonePerDay: env.SMS_MAX_PER_PHONE_PER_DAY, perKeyPerHour: env.SMS_MAX_PER_KEY_PER_HOUR }, warnings };
}
