import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../platform/config/config.js';
import type { Logger } from '../../platform/log/logger.js';
import { ensureDevCertificates } from './pkpass/dev-certificates.js';
import { assertIdentityMatches, loadSigningIdentity, type SigningIdentity } from './pkpass/signing-identity.js';

export interface AppleIdentity {
  identity: SigningIdentity;
  /** PEM paths of the pass certificate and key (APNs certificate auth uses the same pair). */
  certPath: string;
  keyPath: string;
  keyPassphrase: string | undefined;
  /** Set for the generated development chain: the root that verifies its signatures. */
  devRootPath?: string;
}

/**
 * The pass signing identity: the configured Pass Type ID certificate, or, in development, a local
 * root → "WWDR" → "Pass Type ID" chain generated under DATA_DIR. Returns undefined in production
 * without certificates (Apple Wallet is then off). A certificate that does not match
 * APPLE_PASS_TYPE_ID / APPLE_TEAM_ID stops start-up: Safari would refuse every pass.
 */
export async function loadAppleIdentity(config: Config, logger: Logger): Promise<AppleIdentity | undefined> {
  const apple = config.apple;
  const expected = { passTypeIdentifier: apple.passTypeIdentifier, teamIdentifier: apple.teamIdentifier };
  if (apple.certificates) {
    const { certPath, keyPath, keyPassphrase, wwdrPath } = apple.certificates;
    const [certPem, keyPem, wwdrPem] = await Promise.all([
      readNamed(certPath, 'APPLE_CERT'),
      readNamed(keyPath, 'APPLE_KEY'),
      readNamed(wwdrPath, 'APPLE_WWDR'),
    ]);
    const identity = loadSigningIdentity({ certPem, keyPem, wwdrPem, ...(keyPassphrase !== undefined && { keyPassphrase }) });
    assertIdentityMatches(identity, expected);
    const daysLeft = Math.floor((identity.notAfter.getTime() - Date.now()) / 86_400_000);
    if (daysLeft < 30) logger.warn({ notAfter: identity.notAfter, daysLeft }, 'the Pass Type ID certificate expires soon: renew it');
    return { identity, certPath, keyPath, keyPassphrase };
  }
  if (config.isProduction) {
    logger.warn('Apple Wallet is off: set APPLE_CERT, APPLE_KEY, APPLE_WWDR, APPLE_PASS_TYPE_ID and APPLE_TEAM_ID (see certs.example/)');
    return undefined;
  }
  const dev = await ensureDevCertificates(path.join(config.dataDir, 'dev-certs'), expected);
  if (dev.created) logger.info({ dir: path.dirname(dev.certPath) }, 'generated development pass certificates');
  logger.warn(
    'Apple passes are signed with a local development certificate chain: they are structurally valid but will not install on a real iPhone (see certs.example/README.md)',
  );
  const [certPem, keyPem, wwdrPem] = await Promise.all([readFile(dev.certPath, 'utf8'), readFile(dev.keyPath, 'utf8'), readFile(dev.wwdrCertPath, 'utf8')]);
  const identity = loadSigningIdentity({ certPem, keyPem, wwdrPem });
  assertIdentityMatches(identity, expected);
  return { identity, certPath: dev.certPath, keyPath: dev.keyPath, keyPassphrase: undefined, devRootPath: dev.rootCertPath };
}

async function readNamed(file: string, variable: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    throw new Error(`${variable}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err });
  }
}
