import { readFile } from 'node:fs/promises';
import type { Router } from 'express';
import type { Config } from '../../platform/config/config.js';
import type { Db } from '../../platform/db/database.js';
import type { Logger } from '../../platform/log/logger.js';
import { recordWalletEvents } from '../../analytics/wallet-events.js';
import type { CardLinkBuilder } from '../../loyalty/cards/card-view.js';
import type { JobHandlers } from '../../platform/jobs/job-runner.js';
import { TEMPLATES_DIR } from '../../platform/paths.js';
import { createApnsClient, type ApnsClientOptions } from './apns/apns-client.js';
import { loadAppleIdentity, type AppleIdentity } from './apple-identity.js';
import { AppleIdentities } from './apple-identities.js';
import { ApnsPool } from './apns-pool.js';
import type { SecretBox } from '../../platform/secrets/secret-box.js';
import { PassService } from './pass-service.js';
import { RegistrationService } from './registration-service.js';
import { ApplePushHandlers } from './push-handlers.js';
import { ApnsHealth } from './apns-health.js';
import type { ChannelHealth } from '../outbox/wallet-outbox.js';
import { appleWebServiceRoutes, passDownloadRoutes } from './web-service-routes.js';

/** Where Wallet finds the web service: webServiceURL = PUBLIC_URL + this. */
export const APPLE_WEB_SERVICE_PATH = '/wallet/apple';

export interface AppleWallet {
  /** The deployment's identity (APPLE_* or the development chain). */
  identity: AppleIdentity;
  /** Every identity: the deployment's and the brands' own. */
  identities: AppleIdentities;
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

export async function setupAppleWallet(config: Config, db: Db, box: SecretBox, logger: Logger): Promise<AppleWallet | undefined> {
  const identity = await loadAppleIdentity(config, logger);
  if (!identity) return undefined;
  const webServiceURL = config.publicUrl + APPLE_WEB_SERVICE_PATH;
  if (config.isProduction && !webServiceURL.startsWith('https://')) throw new Error('PUBLIC_URL must be https: Wallet only talks to https web services');

  const [certPem, keyPem] = await Promise.all([readFile(identity.certPath, 'utf8'), readFile(identity.keyPath, 'utf8')]);
  const identities = new AppleIdentities(db, box, {
    signing: identity.identity,
    passTypeIdentifier: identity.identity.passTypeIdentifier,
    certPem,
    keyPem,
    keyPassphrase: identity.keyPassphrase,
  });
  const passes = new PassService(db, identities, TEMPLATES_DIR, webServiceURL, config.publicUrl);
  await passes.warmUp();
  const registrations = new RegistrationService(db);

  const apnsToken = config.apple.apnsToken;
  const common: Omit<ApnsClientOptions, 'auth'> = {
    url: config.apple.apnsUrl,
    ...(config.apple.apnsCaPath && { ca: await readFile(config.apple.apnsCaPath) }),
  };
  const apns = new ApnsPool(
    identities,
    createApnsClient({
      ...common,
      auth: apnsToken
        ? { kind: 'token', keyPem: await readFile(apnsToken.keyPath, 'utf8'), keyId: apnsToken.keyId, teamId: identity.identity.teamIdentifier }
        : { kind: 'certificate', certPem, keyPem, ...(identity.keyPassphrase !== undefined && { passphrase: identity.keyPassphrase }) },
    }),
    // A brand's pushes authenticate with its own pass certificate, on their own connection.
    (brand) =>
      createApnsClient({
        ...common,
        auth: {
          kind: 'certificate',
          certPem: brand.certPem,
          keyPem: brand.keyPem,
          ...(brand.keyPassphrase !== undefined && { passphrase: brand.keyPassphrase }),
        },
      }),
  );
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
    identities,
    passes,
    registrations,
    webService: appleWebServiceRoutes(passes, registrations, logger, (cardId) => recordWalletEvents(db, 'apple', 'pass_fetched', [cardId])),
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
