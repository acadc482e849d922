import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ensureDevCertificates } from '../../src/wallets/apple/pkpass/dev-certificates.js';
import { startFakeApns, type FakeApns } from './fake-apns.js';
import { createTestCa, issueServerCert } from './test-pki.js';

/**
 * A local APNs that trusts the development pass chain the service will use from `dataDir` (the pass
 * certificate is also the APNs client certificate), and the environment that points the service at it.
 */
export async function startAppleStandIn(
  dataDir: string,
  ids: { passTypeIdentifier: string; teamIdentifier: string },
  /** More chains whose pass certificates APNs accepts (other brands' identities). */
  moreClientRoots: string[] = [],
): Promise<{ apns: FakeApns; env: Record<string, string>; rootCertPath: string }> {
  const dev = await ensureDevCertificates(path.join(dataDir, 'dev-certs'), ids);
  const ca = await createTestCa();
  const server = await issueServerCert(ca);
  const apns = await startFakeApns({
    ca: [readFileSync(dev.rootCertPath, 'utf8'), readFileSync(dev.wwdrCertPath, 'utf8'), ...moreClientRoots].join('\n'),
    serverCert: server.certPem,
    serverKey: server.keyPem,
    requireClientCert: true,
  });
  const apnsCa = path.join(dataDir, 'apns-ca.pem');
  writeFileSync(apnsCa, ca.certPem);
  return {
    apns,
    rootCertPath: dev.rootCertPath,
    env: { DATA_DIR: dataDir, APPLE_PASS_TYPE_ID: ids.passTypeIdentifier, APPLE_TEAM_ID: ids.teamIdentifier, APNS_URL: apns.url, APNS_CA: apnsCa },
  };
}
