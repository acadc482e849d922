import { readFile } from 'node:fs/promises';
import type { Router } from 'express';
import type { Config } from '../../platform/config/config.js';
import type { Db } from '../../platform/db/database.js';
import type { Logger } from '../../platform/log/logger.js';
import type { CardLinkBuilder } from '../../loyalty/cards/card-view.js';
import type { JobHandlers } from '../../platform/jobs/job-runner.js';
import { TEMPLATES_DIR } from '../../platform/paths.js';
import { createApnsClient } from './apns/apns-client.js';
import { loadAppleIdentity, type AppleIdentity } from './apple-identity.js';
import { PassService } from './pass-service.js';
import { RegistrationService } from './registration-service.js';
import { ApplePushHandlers } from './push-handlers.js';
import { appleWebServiceRoutes, passDownloadRoutes } from './web-service-routes.js';

/** Where Wallet finds the web service: webServiceURL = PUBLIC_URL + this. */
export const APPLE_WEB_SERVICE_PATH = '/wallet/apple';

export interface AppleWallet {
  identity: AppleIdentity;
  passes: PassService;
  registrations: RegistrationService;
  /** Mounted at APPLE_WEB_SERVICE_PATH. */
  webService: Router;
  routes: Router[];
  link: CardLinkBuilder;
  /** The outbox's Apple channel and the jobs that serve it. */
  cardChannel: 'apple.card-changed';
  jobs: JobHandlers;
  close(): Promise<void>;
}

export async function setupAppleWallet(config: Config, db: Db, logger: Logger): Promise<AppleWallet | undefined> {
  const identity = await loadAppleIdentity(config, logger);
  if (!identity) return undefined;
  const webServiceURL = config.publicUrl + APPLE_WEB_SERVICE_PATH;
  if (config.isProduction && !webServiceURL.startsWith('https://')) throw new Error('PUBLIC_URL must be https: Wallet only talks to https web services');

  const passes = new PassService(db, identity.identity, TEMPLATES_DIR, webServiceURL, config.publicUrl);
  await passes.warmUp();
  const registrations = new RegistrationService(db);

  const apnsToken = config.apple.apnsToken;
  const apns = createApnsClient({
    url: config.apple.apnsUrl,
    auth: apnsToken
      ? { kind: 'token', keyPem: await readFile(apnsToken.keyPath, 'utf8'), keyId: apnsToken.keyId, teamId: identity.identity.teamIdentifier }
      : {
          kind: 'certificate',
          certPem: await readFile(identity.certPath, 'utf8'),
          keyPem: await readFile(identity.keyPath, 'utf8'),
          ...(identity.keyPassphrase !== undefined && { passphrase: identity.keyPassphrase }),
        },
    ...(config.apple.apnsCaPath && { ca: await readFile(config.apple.apnsCaPath) }),
  });
  const handlers = new ApplePushHandlers(db, registrations, apns, identity.identity.passTypeIdentifier, logger);

  return {
    identity,
    passes,
    registrations,
    webService: appleWebServiceRoutes(passes, registrations, logger),
    routes: [passDownloadRoutes(passes)],
    link: (card) => ({ apple: `${config.publicUrl}/wallet/apple/download/${card.link_token}` }),
    cardChannel: 'apple.card-changed',
    jobs: { 'apple.card-changed': handlers.cardChanged, 'apple.push': handlers.retryPush },
    close: () => apns.close(),
  };
}
