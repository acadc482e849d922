/**
 * The fast .pkpass path, checked with tools nobody here wrote: `unzip` for the archive and
 * `openssl cms` for the signature, against a development root -> WWDR -> Pass Type ID chain.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate, createHash, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDevCertificates, type DevCertificates } from '../src/wallets/apple/pkpass/dev-certificates.js';
import { createPassPackager, loadPassTemplate, type PassTemplate } from '../src/wallets/apple/pkpass/pass-packager.js';
import { assertIdentityMatches, loadSigningIdentity, type SigningIdentity } from '../src/wallets/apple/pkpass/signing-identity.js';

const TEMPLATE_DIR = fileURLToPath(new URL('../templates/default/', import.meta.url));
const IDS = { passTypeIdentifier: 'pass.com.example.loyalty', teamIdentifier: 'ABCDE12345' };

let work: string;
let certs: DevCertificates;
let identity: SigningIdentity;
let template: PassTemplate;

function passJsonFor(serialNumber: string, balance: string): Record<string, unknown> {
  const base = structuredClone(template.passJson) as { storeCard: { primaryFields: Array<{ value: string }> } };
  base.storeCard.primaryFields[0]!.value = balance;
  return { ...base, ...IDS, serialNumber, organizationName: 'Кофейня «Зерно»', authenticationToken: 'x'.repeat(32) };
}

/** Every file below dir, as "/"-separated relative paths. */
function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix)).flatMap((name) => {
    const rel = prefix ? `${prefix}/${name}` : name;
    return statSync(join(dir, rel)).isDirectory() ? listFiles(dir, rel) : [rel];
  });
}

function opensslVerify(dir: string, manifestName = 'manifest.json'): { status: number | null; output: string } {
  const r = spawnSync(
    'openssl',
    [
      'cms',
      '-verify',
      '-inform',
      'DER',
      '-in',
      join(dir, 'signature'),
      '-content',
      join(dir, manifestName),
      '-CAfile',
      certs.rootCertPath,
      '-purpose',
      'any',
      '-binary',
      '-out',
      '/dev/null',
    ],
    { encoding: 'utf8' },
  );
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** Builds a pass, writes it to disk and extracts it with unzip; returns the extraction folder. */
function buildAndExtract(name: string, passJson: Record<string, unknown>): { file: string; dir: string } {
  const packager = createPassPackager(template, identity);
  const file = join(work, `${name}.pkpass`);
  writeFileSync(file, packager.build(passJson));
  const dir = join(work, name);
  execFileSync('unzip', ['-q', file, '-d', dir]);
  return { file, dir };
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'pkpass-test-'));
  certs = await ensureDevCertificates(join(work, 'certs'), IDS);
  identity = loadSigningIdentity({
    certPem: readFileSync(certs.certPath, 'utf8'),
    keyPem: readFileSync(certs.keyPath, 'utf8'),
    wwdrPem: readFileSync(certs.wwdrCertPath, 'utf8'),
  });
  template = await loadPassTemplate(TEMPLATE_DIR);
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('development certificates', () => {
  it('creates a root -> WWDR -> Pass Type ID chain once and reuses it', async () => {
    expect(certs.created).toBe(true);
    expect(statSync(certs.keyPath).mode & 0o777).toBe(0o600);
    const again = await ensureDevCertificates(join(work, 'certs'), IDS);
    expect(again.created).toBe(false);
    expect(readFileSync(again.certPath, 'utf8')).toBe(readFileSync(certs.certPath, 'utf8'));
    // The intermediate is a CA that the root vouches for.
    const chain = spawnSync('openssl', ['verify', '-CAfile', certs.rootCertPath, '-untrusted', certs.wwdrCertPath, certs.certPath], { encoding: 'utf8' });
    expect(chain.status, chain.stdout + chain.stderr).toBe(0);
  });

  it('regenerates when the identifiers change', async () => {
    const dir = join(work, 'certs-other');
    await ensureDevCertificates(dir, IDS);
    const other = await ensureDevCertificates(dir, { passTypeIdentifier: 'pass.com.example.other', teamIdentifier: 'ZZZZZ99999' });
    expect(other.created).toBe(true);
    const id = loadSigningIdentity({ certPem: readFileSync(other.certPath), keyPem: readFileSync(other.keyPath), wwdrPem: readFileSync(other.wwdrCertPath) });
    expect(id).toMatchObject({ passTypeIdentifier: 'pass.com.example.other', teamIdentifier: 'ZZZZZ99999' });
  });
});

describe('signing identity', () => {
  it('reads the pass type and team identifiers from the certificate subject', () => {
    expect(identity.passTypeIdentifier).toBe(IDS.passTypeIdentifier);
    expect(identity.teamIdentifier).toBe(IDS.teamIdentifier);
    expect(identity.notAfter.getTime()).toBeGreaterThan(Date.now());
    const subject = execFileSync('openssl', ['x509', '-in', certs.certPath, '-noout', '-subject'], { encoding: 'utf8' });
    expect(subject).toContain(`CN = Pass Type ID: ${IDS.passTypeIdentifier}`);
  });

  it('accepts the WWDR certificate as DER, the form Apple distributes it in', () => {
    const wwdrDer = new X509Certificate(readFileSync(certs.wwdrCertPath)).raw;
    const id = loadSigningIdentity({ certPem: readFileSync(certs.certPath), keyPem: readFileSync(certs.keyPath), wwdrPem: wwdrDer });
    expect(id.teamIdentifier).toBe(IDS.teamIdentifier);
  });

  it('assertIdentityMatches names both values when the configuration disagrees', () => {
    expect(() => assertIdentityMatches(identity, IDS)).not.toThrow();
    expect(() => assertIdentityMatches(identity, { ...IDS, teamIdentifier: 'WRONG12345' })).toThrow(
      /teamIdentifier is "WRONG12345" in the configuration but "ABCDE12345" in the certificate/,
    );
    expect(() => assertIdentityMatches(identity, { ...IDS, passTypeIdentifier: 'pass.other' })).toThrow(/"pass\.other".*"pass\.com\.example\.loyalty"/);
  });

  it('gives clear errors for a missing or wrong passphrase, a foreign key, a wrong WWDR and garbage', () => {
    const certPem = readFileSync(certs.certPath, 'utf8');
    const wwdrPem = readFileSync(certs.wwdrCertPath, 'utf8');
    const encryptedKey = createPrivateKey(readFileSync(certs.keyPath, 'utf8'))
      .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'correct horse' })
      .toString();

    expect(loadSigningIdentity({ certPem, keyPem: encryptedKey, keyPassphrase: 'correct horse', wwdrPem }).teamIdentifier).toBe(IDS.teamIdentifier);
    expect(() => loadSigningIdentity({ certPem, keyPem: encryptedKey, keyPassphrase: 'battery staple', wwdrPem })).toThrow(/wrong passphrase/);
    expect(() => loadSigningIdentity({ certPem, keyPem: encryptedKey, wwdrPem })).toThrow(/encrypted but no passphrase/);

    const foreignKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => loadSigningIdentity({ certPem, keyPem: foreignKey, wwdrPem })).toThrow(/key does not match the pass certificate/);

    const rootPem = readFileSync(certs.rootCertPath, 'utf8');
    expect(() => loadSigningIdentity({ certPem, keyPem: readFileSync(certs.keyPath), wwdrPem: rootPem })).toThrow(/did not issue the pass certificate/);

    expect(() => loadSigningIdentity({ certPem: 'not a certificate', keyPem: foreignKey, wwdrPem })).toThrow(/Pass certificate: no certificate found/);
    expect(() => loadSigningIdentity({ certPem, keyPem: 'nonsense', wwdrPem })).toThrow(/no PEM "PRIVATE KEY" block/);
  });
});

describe('pass packager', () => {
  it('loads every template file except pass.json', () => {
    expect(Object.keys(template.files).sort()).toEqual([
      'en.lproj/pass.strings',
      'icon.png',
      'icon@2x.png',
      'icon@3x.png',
      'logo.png',
      'logo@2x.png',
      'logo@3x.png',
      'ru.lproj/pass.strings',
      'strip.png',
      'strip@2x.png',
      'strip@3x.png',
    ]);
    expect(template.passJson).toMatchObject({ formatVersion: 1, storeCard: { primaryFields: [{ key: 'balance', changeMessage: 'balance_change' }] } });
  });

  it('produces a zip that unzip accepts, with the files at the root and a complete, correct manifest', () => {
    const passJson = passJsonFor('SERIAL-1', '120 pts');
    const { file, dir } = buildAndExtract('complete', passJson);
    expect(execFileSync('unzip', ['-t', file], { encoding: 'utf8' })).toContain('No errors detected');

    const extracted = listFiles(dir).sort();
    expect(extracted).toEqual([...Object.keys(template.files), 'manifest.json', 'pass.json', 'signature'].sort());

    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, string>;
    const listed = extracted.filter((f) => f !== 'manifest.json' && f !== 'signature');
    expect(Object.keys(manifest).sort()).toEqual(listed);
    for (const name of listed) {
      expect(manifest[name], name).toBe(
        createHash('sha1')
          .update(readFileSync(join(dir, name)))
          .digest('hex'),
      );
    }
    expect(JSON.parse(readFileSync(join(dir, 'pass.json'), 'utf8'))).toEqual(passJson);
    // Template files come through byte-for-byte (e.g. the UTF-16 pass.strings).
    expect(readFileSync(join(dir, 'ru.lproj/pass.strings')).equals(template.files['ru.lproj/pass.strings']!)).toBe(true);
  });

  it('signs the manifest so that openssl cms -verify accepts it, and rejects a tampered manifest', () => {
    const { dir } = buildAndExtract('signed', passJsonFor('SERIAL-2', '5 pts'));
    const ok = opensslVerify(dir);
    expect(ok.status, ok.output).toBe(0);

    const tampered = readFileSync(join(dir, 'manifest.json'), 'utf8').replace(/"pass\.json":"[0-9a-f]/, (m) => m.slice(0, -1) + (m.endsWith('0') ? '1' : '0'));
    writeFileSync(join(dir, 'manifest-tampered.json'), tampered);
    const bad = opensslVerify(dir, 'manifest-tampered.json');
    expect(bad.status).not.toBe(0);
  });

  it('carries signingTime, a SHA-256 digest and both certificates in the signature', () => {
    const { dir } = buildAndExtract('attributes', passJsonFor('SERIAL-3', '0 pts'));
    const printed = execFileSync('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', join(dir, 'signature')], { encoding: 'utf8' });
    expect(printed).toContain('signingTime');
    expect(printed).toContain('messageDigest');
    expect(printed).toMatch(/digestAlgorithm:\s*\n\s*algorithm: sha256/);
    expect(printed).toContain(`Pass Type ID: ${IDS.passTypeIdentifier}`);
    expect(printed).toContain('Development Worldwide Developer Relations Certification Authority');
    // The signing time is now (UTCTime, to the second).
    const time = /UTCTIME:(\w{3}\s+\d+ \d\d:\d\d:\d\d \d{4}) GMT/.exec(printed)?.[1];
    expect(time).toBeDefined();
    expect(Math.abs(Date.parse(`${time} GMT`) - Date.now())).toBeLessThan(60_000);
  });

  it('gives every pass its own pass.json while reusing the static entries', () => {
    const packager = createPassPackager(template, identity);
    const a = packager.build(passJsonFor('A', '1 pts'));
    const b = packager.build(passJsonFor('B', '2 pts'));
    expect(a.equals(b)).toBe(false);
    // The static entries are the same bytes at the start of every archive.
    const pngStart = a.indexOf(template.files['strip@3x.png']!.subarray(0, 64));
    expect(pngStart).toBeGreaterThan(0);
    expect(b.indexOf(template.files['strip@3x.png']!.subarray(0, 64))).toBe(pngStart);

    // buildParts: the same archive as chunks, the static ones shared between passes.
    const partsA = packager.buildParts(passJsonFor('A', '1 pts'));
    const partsB = packager.buildParts(passJsonFor('B', '2 pts'));
    expect(partsA[0]).toBe(partsB[0]);
    const file = join(work, 'parts.pkpass');
    writeFileSync(file, Buffer.concat(partsA));
    expect(execFileSync('unzip', ['-t', file], { encoding: 'utf8' })).toContain('No errors detected');
  });

  it('refuses a pass.json whose identifiers differ from the certificate', () => {
    const packager = createPassPackager(template, identity);
    expect(() => packager.build({ ...passJsonFor('C', '0'), teamIdentifier: 'OTHER00000' })).toThrow(/must equal the signing certificate/);
  });
});
