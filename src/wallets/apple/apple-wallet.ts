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
import { ApnsHealth } from './apns-health.js';
import type { ChannelHealth } from '../outbox/wallet-outbox.js';
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
  /** Signing (certificate days left) and pushing (APNs state, failures in the last hour). */
  health: () => ChannelHealth;
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
  const apnsHealth = new ApnsHealth(logger);
  const handlers = new ApplePushHandlers(db, registrations, apns, identity.identity.passTypeIdentifier, apnsHealth, logger);
  const health = (): ChannelHealth => {
    const days = passes.certificateDaysLeft();
    const apnsReport = apnsHealth.report();
    return {
      healthy: days.certificate >= 0 && days.wwdr >= 0 && apnsReport.state === 'ok',
      certificateDaysLeft: days.certificate,
      wwdrDaysLeft: days.wwdr,
      apns: apnsReport,
    };
  };
  // Certificates run out while the service runs: look daily, warn for a month, then say it stopped.
  const checkCertificates = () => {
    const days = passes.certificateDaysLeft();
    const least = Math.min(days.certificate, days.wwdr);
    if (least < 0) logger.error(days, 'an Apple certificate has expired: passes are no longer signed');
    else if (least < 30) logger.warn(days, 'an Apple certificate expires soon: renew it');
  };
  checkCertificates();
  const daily = setInterval(checkCertificates, 86_400_000);
  daily.unref();

  return {
    identity,
    passes,
    registrations,
    webService: appleWebServiceRoutes(passes, registrations, logger),
    routes: [passDownloadRoutes(passes)],
    link: (card) => ({ apple: `${config.publicUrl}/wallet/apple/download/${card.link_token}` }),
    cardChannel: 'apple.card-changed',
    jobs: { 'apple.card-changed': handlers.cardChanged, 'apple.push': handlers.retryPush },
    health,
    close: () => {
      clearInterval(daily);
      return apns.close();
    },
  };
}
