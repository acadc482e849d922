import { z } from 'zod';
import { smsConfigFromEnv, SmsConfigError, type SmsConfig } from './sms-config.js';

/**
 * The whole service's configuration, read once from the environment and validated.
 * Anything missing or malformed stops start-up with a message naming the variable.
 */
const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().default('0.0.0.0'),
    PUBLIC_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
    DATA_DIR: z.string().default('./data'),
    DATABASE_URL: optionalString.pipe(z.url({ protocol: /^postgres(ql)?$/ }).optional()),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    ADMIN_API_KEY: optionalString.pipe(z.string().min(24, 'must be at least 24 characters').optional()),
    DEFAULT_PHONE_REGION: z
      .string()
      .regex(/^[A-Z]{2}$/, 'must be a two-letter country code, e.g. RU')
      .default('RU'),
    APPLE_PASS_TYPE_ID: optionalString.pipe(
      z
        .string()
        .regex(/^pass\.[A-Za-z0-9.-]+$/, 'must look like pass.com.example.loyalty')
        .optional(),
    ),
    APPLE_TEAM_ID: optionalString.pipe(
      z
        .string()
        .regex(/^[A-Z0-9]{10}$/, 'must be the 10-character Apple team identifier')
        .optional(),
    ),
    APPLE_CERT: optionalString,
    APPLE_KEY: optionalString,
    APPLE_KEY_PASSPHRASE: optionalString,
    APPLE_WWDR: optionalString,
    APNS_URL: z.url({ protocol: /^https$/ }).default('https://api.push.apple.com'),
    APNS_KEY: optionalString,
    APNS_KEY_ID: optionalString.pipe(
      z
        .string()
        .regex(/^[A-Z0-9]{10}$/, 'must be the 10-character key id')
        .optional(),
    ),
    APNS_CA: optionalString,
    GOOGLE_ISSUER_ID: optionalString.pipe(
      z
        .string()
        .regex(/^\d{5,25}$/, 'must be the numeric issuer id from the Google Pay & Wallet Console')
        .optional(),
    ),
    GOOGLE_APPLICATION_CREDENTIALS: optionalString,
    GOOGLE_WALLET_API_URL: z.url({ protocol: /^https?$/ }).default('https://walletobjects.googleapis.com/walletobjects/v1'),
    GOOGLE_OAUTH_TOKEN_URL: z.url({ protocol: /^https?$/ }).default('https://oauth2.googleapis.com/token'),
    GOOGLE_CALLBACK_KEYS_URL: z.url({ protocol: /^https?$/ }).default('https://pay.google.com/gp/m/issuer/keys'),
    GOOGLE_CALLBACK_SENDER_ID: z.string().min(1).default('GooglePayPasses'),
    GOOGLE_REQUESTS_PER_SECOND: z.coerce.number().positive().max(1000).default(20),
    GOOGLE_SWEEP_EVERY_MS: z.coerce.number().int().min(100).default(60_000),
    GOOGLE_PAUSE_MS: z.coerce.number().int().min(100).default(60_000),
    SMTP_URL: optionalString.pipe(z.url({ protocol: /^smtps?$/, message: 'must be smtp://user:pass@host:port or smtps://…' }).optional()),
    SMTP_FROM: optionalString.pipe(z.email({ message: 'must be an e-mail address' }).optional()),
    SECRETS_KEY: optionalString.pipe(z.string().min(32, 'must be at least 32 characters (e.g. openssl rand -base64 32)').optional()),
    WORKERS: z.enum(['true', 'false']).default('true'),
    JOB_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(500),
    AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(400),
    WALLET_COALESCE_MS: z.coerce.number().int().min(0).max(60_000).default(1500),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .superRefine((env, ctx) => {
    if (Boolean(env.SMTP_URL) !== Boolean(env.SMTP_FROM))
      ctx.addIssue({ code: 'custom', path: [env.SMTP_URL ? 'SMTP_FROM' : 'SMTP_URL'], message: 'is required with the other SMTP setting' });
    if (env.NODE_ENV === 'production' && !env.SECRETS_KEY)
      ctx.addIssue({ code: 'custom', path: ['SECRETS_KEY'], message: "is required in production: it seals the brands' stored credentials" });
    const appleFiles = ['APPLE_CERT', 'APPLE_KEY', 'APPLE_WWDR', 'APPLE_PASS_TYPE_ID', 'APPLE_TEAM_ID'] as const;
    if (env.APPLE_CERT || env.APPLE_KEY || env.APPLE_WWDR) {
      for (const name of appleFiles)
        if (!env[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'is required when Apple certificates are configured' });
    }
    if (Boolean(env.GOOGLE_ISSUER_ID) !== Boolean(env.GOOGLE_APPLICATION_CREDENTIALS)) {
      const missing = env.GOOGLE_ISSUER_ID ? 'GOOGLE_APPLICATION_CREDENTIALS' : 'GOOGLE_ISSUER_ID';
      ctx.addIssue({ code: 'custom', path: [missing], message: 'is required: Google Wallet needs both GOOGLE_ISSUER_ID and GOOGLE_APPLICATION_CREDENTIALS' });
    }
    // Wallet pass tokens exist only in production APNs: the sandbox answers BadDeviceToken for every
    // one of them, which would read as "every device is gone".
    if (/^api\.(sandbox|development)\.push\.apple\.com$/.test(new URL(env.APNS_URL).hostname.toLowerCase())) {
      ctx.addIssue({ code: 'custom', path: ['APNS_URL'], message: 'must not be the APNs sandbox: Wallet passes are pushed through production APNs only' });
    }
    if (env.APNS_KEY && !env.APNS_KEY_ID) ctx.addIssue({ code: 'custom', path: ['APNS_KEY_ID'], message: 'is required with APNS_KEY' });
    if (env.NODE_ENV !== 'production') return;
    if (!env.PUBLIC_URL) ctx.addIssue({ code: 'custom', path: ['PUBLIC_URL'], message: 'is required in production' });
    else if (!env.PUBLIC_URL.startsWith('https://'))
      ctx.addIssue({ code: 'custom', path: ['PUBLIC_URL'], message: 'must be https in production (Wallet refuses http web services)' });
    if (!env.ADMIN_API_KEY) ctx.addIssue({ code: 'custom', path: ['ADMIN_API_KEY'], message: 'is required in production' });
    if (!env.DATABASE_URL)
      ctx.addIssue({ code: 'custom', path: ['DATABASE_URL'], message: 'is required in production (PGlite is single-process; run PostgreSQL)' });
  });

export type Env = z.infer<typeof envSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  isProduction: boolean;
  port: number;
  host: string;
  /** Base URL the outside world reaches us at, without a trailing slash. */
  publicUrl: string;
  dataDir: string;
  databaseUrl: string | undefined;
  databasePoolSize: number;
  /** Bootstrap admin key; in development a generated one is kept under DATA_DIR when absent. */
  adminApiKey: string | undefined;
  logLevel: Env['LOG_LEVEL'];
  /** Region for phone numbers typed without a country code. */
  defaultPhoneRegion: string;
  apple: AppleConfig;
  sms: SmsConfig;
  /** Absent → Google Wallet is off. */
  google: GoogleConfig;
  /** Staff invitations and reset links are e-mailed through it (absent: only handed to the inviter). */
  smtp: { url: string; from: string } | undefined;
  /** Seals brands' stored credentials (required in production). */
  secretsKey: string | undefined;
  /** Run the job workers (pushes, wallet updates) in this process. */
  workers: boolean;
  jobPollMs: number;
  /** Audit log entries older than this are deleted (daily). */
  auditRetentionDays: number;
  /** Wallet updates wait this long, so a burst of changes to a card becomes one push. */
  walletCoalesceMs: number;
}

export interface GoogleConfig {
  /** The deployment's issuer (GOOGLE_ISSUER_ID), for every brand without one of its own. */
  deployment: { issuerId: string; /** Service account key file (JSON with client_email and private_key). */ credentialsPath: string } | undefined;
  apiUrl: string;
  tokenUrl: string;
  callbackKeysUrl: string;
  callbackSenderId: string;
  /** Per issuer, for the whole deployment: every process shares it through PostgreSQL. */
  requestsPerSecond: number;
  sweepEveryMs: number;
  /** How long the channel rests after PERMISSION_DENIED before a job probes it again. */
  pauseMs: number;
}

export interface AppleConfig {
  /** Absent → development certificates are generated (development) or Apple Wallet is off (production). */
  certificates: { certPath: string; keyPath: string; keyPassphrase: string | undefined; wwdrPath: string } | undefined;
  passTypeIdentifier: string;
  teamIdentifier: string;
  apnsUrl: string;
  /** Token (.p8) auth for APNs instead of the pass certificate. */
  apnsToken: { keyPath: string; keyId: string } | undefined;
  /** Extra CA to trust for APNs (a local stand-in in tests). */
  apnsCaPath: string | undefined;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? 'environment');
        const shown = name in source && !/KEY|SECRET|PASS|TOKEN|SMTP_URL/.test(name) ? ` (got "${source[name]}")` : '';
        return `${name} ${issue.message}${shown}`;
      }),
    );
  }
  const env = parsed.data;
  let sms: SmsConfig;
  try {
    sms = smsConfigFromEnv(source);
  } catch (err) {
    if (err instanceof SmsConfigError) throw new ConfigError(err.problems);
    throw err;
  }
  return {
    sms,
    env: env.NODE_ENV,
    isProduction: env.NODE_ENV === 'production',
    port: env.PORT,
    host: env.HOST,
    publicUrl: (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, ''),
    dataDir: env.DATA_DIR,
    databaseUrl: env.DATABASE_URL,
    databasePoolSize: env.DATABASE_POOL_SIZE,
    adminApiKey: env.ADMIN_API_KEY,
    logLevel: env.LOG_LEVEL,
    defaultPhoneRegion: env.DEFAULT_PHONE_REGION,
    apple: {
      certificates:
        env.APPLE_CERT && env.APPLE_KEY && env.APPLE_WWDR
          ? { certPath: env.APPLE_CERT, keyPath: env.APPLE_KEY, keyPassphrase: env.APPLE_KEY_PASSPHRASE, wwdrPath: env.APPLE_WWDR }
          : undefined,
      passTypeIdentifier: env.APPLE_PASS_TYPE_ID ?? 'pass.dev.wallet-loyalty',
      teamIdentifier: env.APPLE_TEAM_ID ?? 'DEVTEAM000',
      apnsUrl: env.APNS_URL.replace(/\/+$/, ''),
      apnsToken: env.APNS_KEY && env.APNS_KEY_ID ? { keyPath: env.APNS_KEY, keyId: env.APNS_KEY_ID } : undefined,
      apnsCaPath: env.APNS_CA,
    },
    google: {
      deployment:
        env.GOOGLE_ISSUER_ID && env.GOOGLE_APPLICATION_CREDENTIALS
          ? { issuerId: env.GOOGLE_ISSUER_ID, credentialsPath: env.GOOGLE_APPLICATION_CREDENTIALS }
          : undefined,
      apiUrl: env.GOOGLE_WALLET_API_URL.replace(/\/+$/, ''),
      tokenUrl: env.GOOGLE_OAUTH_TOKEN_URL,
      callbackKeysUrl: env.GOOGLE_CALLBACK_KEYS_URL,
      callbackSenderId: env.GOOGLE_CALLBACK_SENDER_ID,
      requestsPerSecond: env.GOOGLE_REQUESTS_PER_SECOND,
      sweepEveryMs: env.GOOGLE_SWEEP_EVERY_MS,
      pauseMs: env.GOOGLE_PAUSE_MS,
    },
    secretsKey: env.SECRETS_KEY,
    smtp: env.SMTP_URL && env.SMTP_FROM ? { url: env.SMTP_URL, from: env.SMTP_FROM } : undefined,
    workers: env.WORKERS === 'true',
    jobPollMs: env.JOB_POLL_MS,
    auditRetentionDays: env.AUDIT_RETENTION_DAYS,
    walletCoalesceMs: env.WALLET_COALESCE_MS,
  };
}
