/**
 * A throw-away PKI for tests: a root CA and certificates it issues, as PEM strings.
 * Built with @peculiar/x509 on Node's WebCrypto, so no openssl binary or fixture files are needed.
 */
import { webcrypto } from 'node:crypto';
// @peculiar/x509 depends on tsyringe, which needs a Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import type * as X509 from '@peculiar/x509';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
type SignAlgorithm = webcrypto.AlgorithmIdentifier | webcrypto.EcdsaParams;
type KeyGenAlgorithm = webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams;

// The project compiles without DOM types; @peculiar/x509 takes any WebCrypto-shaped object.
const crypto = webcrypto;

export type KeyAlgorithm = 'ec' | 'rsa';

export interface TestCa {
  certPem: string;
  keyPem: string;
  /** Kept for issuing; not part of the PEM output. */
  readonly cert: X509.X509Certificate;
  readonly keys: CryptoKeyPair;
  readonly signingAlgorithm: SignAlgorithm;
}

export interface IssuedCert {
  certPem: string;
  keyPem: string;
  /** certPem followed by the issuing CA, for servers that must present a chain. */
  chainPem: string;
}

/** Apple's marker extensions, as found in an Apple-issued Pass Type ID certificate. */
export const APPLE_OID = {
  apnsDevelopment: '1.2.840.113635.100.6.3.1',
  apnsProduction: '1.2.840.113635.100.6.3.2',
  passTypeId: '1.2.840.113635.100.6.1.16',
  passSigningEku: '1.2.840.113635.100.4.14',
} as const;

export interface ExtraExtension {
  oid: string;
  /** DER of the extension value; ASN.1 NULL (05 00) when omitted, as Apple uses for its flags. */
  valueDer?: Uint8Array;
  critical?: boolean;
}

function algorithmFor(kind: KeyAlgorithm): { gen: KeyGenAlgorithm; sign: SignAlgorithm } {
  return kind === 'ec'
    ? { gen: { name: 'ECDSA', namedCurve: 'P-256' }, sign: { name: 'ECDSA', hash: 'SHA-256' } }
    : {
        gen: { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
        sign: { name: 'RSASSA-PKCS1-v1_5' },
      };
}

async function generateKeys(kind: KeyAlgorithm): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey(algorithmFor(kind).gen, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await crypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

/** DER UTF8String, the encoding Apple uses for the pass type identifier extension. */
export function derUtf8String(text: string): Uint8Array {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length > 127) throw new Error('derUtf8String: long form not needed in tests');
  return new Uint8Array([0x0c, bytes.length, ...bytes]);
}

const DER_NULL = new Uint8Array([0x05, 0x00]);
const DAY = 24 * 3600 * 1000;

export async function createTestCa(options: { commonName?: string; keyAlgorithm?: KeyAlgorithm } = {}): Promise<TestCa> {
  const kind = options.keyAlgorithm ?? 'ec';
  const keys = await generateKeys(kind);
  const signingAlgorithm = algorithmFor(kind).sign;
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      name: `CN=${options.commonName ?? 'Test Root CA'}, O=wallet-loyalty tests`,
      keys,
      signingAlgorithm,
      notBefore: new Date(Date.now() - DAY),
      notAfter: new Date(Date.now() + 30 * DAY),
      extensions: [
        new x509.BasicConstraintsExtension(true, 1, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey), cert, keys, signingAlgorithm };
}

async function issue(ca: TestCa, subject: string, kind: KeyAlgorithm, extensions: X509.Extension[]): Promise<IssuedCert> {
  const keys = await generateKeys(kind);
  const cert = await x509.X509CertificateGenerator.create(
    {
      subject,
      issuer: ca.cert.subjectName,
      publicKey: keys.publicKey,
      signingKey: ca.keys.privateKey,
      signingAlgorithm: ca.signingAlgorithm,
      notBefore: new Date(Date.now() - DAY),
      notAfter: new Date(Date.now() + 30 * DAY),
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
        await x509.AuthorityKeyIdentifierExtension.create(ca.cert, false, crypto),
        ...extensions,
      ],
    },
    crypto,
  );
  const certPem = cert.toString('pem');
  return { certPem, keyPem: await privateKeyPem(keys.privateKey), chainPem: `${certPem}\n${ca.certPem}` };
}

/** TLS server certificate; by default valid for DNS:localhost and IP:127.0.0.1. */
export async function issueServerCert(
  ca: TestCa,
  options: { dnsNames?: string[]; ipAddresses?: string[]; keyAlgorithm?: KeyAlgorithm } = {},
): Promise<IssuedCert> {
  const names: X509.JsonGeneralName[] = [
    ...(options.dnsNames ?? ['localhost']).map((value) => ({ type: 'dns' as const, value })),
    ...(options.ipAddresses ?? ['127.0.0.1']).map((value) => ({ type: 'ip' as const, value })),
  ];
  return issue(ca, `CN=${names[0]?.value ?? 'localhost'}`, options.keyAlgorithm ?? 'ec', [
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    new x509.SubjectAlternativeNameExtension(names),
  ]);
}

/**
 * TLS client certificate. With `passTypeIdentifier` it mimics an Apple Pass Type ID certificate
 * (subject UID/CN/OU, pass-signing EKU, the 6.1.16 marker); `extraExtensions` adds e.g. the APNs
 * environment flags. RSA by default, like Apple's certificates.
 */
export async function issueClientCert(
  ca: TestCa,
  options: {
    commonName?: string;
    passTypeIdentifier?: string;
    teamIdentifier?: string;
    extraExtensions?: ExtraExtension[];
    keyAlgorithm?: KeyAlgorithm;
  } = {},
): Promise<IssuedCert> {
  const { passTypeIdentifier } = options;
  const subject = passTypeIdentifier
    ? `0.9.2342.19200300.100.1.1=${passTypeIdentifier}, CN=Pass Type ID: ${passTypeIdentifier}, OU=${options.teamIdentifier ?? 'TEAM123456'}, O=Test Org, C=US`
    : `CN=${options.commonName ?? 'Test Client'}, O=wallet-loyalty tests`;
  const extensions: X509.Extension[] = [
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension(passTypeIdentifier ? [x509.ExtendedKeyUsage.clientAuth, APPLE_OID.passSigningEku] : [x509.ExtendedKeyUsage.clientAuth]),
  ];
  if (passTypeIdentifier) extensions.push(new x509.Extension(APPLE_OID.passTypeId, false, derUtf8String(passTypeIdentifier)));
  for (const extra of options.extraExtensions ?? []) {
    extensions.push(new x509.Extension(extra.oid, extra.critical ?? false, extra.valueDer ?? DER_NULL));
  }
  return issue(ca, subject, options.keyAlgorithm ?? 'rsa', extensions);
}
