/**
 * Pass signing identity: the Pass Type ID certificate, its private key and Apple's WWDR
 * intermediate, parsed and checked once, plus a synchronous signer that produces the detached
 * CMS SignedData (PKCS#7) Wallet expects in a pass's `signature` file.
 *
 * Why hand-built DER instead of node-forge / pkijs objects: the structure is small and fixed, so
 * everything but three values is encoded once at load time; per pass only signingTime, the
 * manifest digest and the RSA signature change, and the only real cost left is one native
 * `crypto.sign` (~0.4 ms for RSA-2048). Certificates are embedded byte-for-byte as issued:
 * re-encoding them through a parser has been reported to make Wallet reject signatures that
 * OpenSSL still accepts.
 *
 * The layout mirrors what `openssl smime -sign -binary -outform DER` emits (the command Apple's
 * own guide used): SHA-256 digest, rsaEncryption signature algorithm, signed attributes
 * contentType + signingTime + messageDigest (Wallet requires signingTime), certificates =
 * signer + WWDR, issuerAndSerialNumber signer id, no encapsulated content (detached).
 */
import { createHash, createPrivateKey, sign, X509Certificate, type KeyObject } from 'node:crypto';

export interface SigningIdentityInput {
  /** Pass Type ID certificate (PEM, or DER as a Buffer). Text around the PEM block is ignored. */
  certPem: string | Buffer;
  /** Its private key: PEM PKCS#8 or PKCS#1, optionally encrypted. */
  keyPem: string | Buffer;
  keyPassphrase?: string;
  /** Apple WWDR intermediate that issued the certificate (G4 today). PEM, or DER as Apple ships it. */
  wwdrPem: string | Buffer;
}

export interface SigningIdentity {
  /** Subject UID of the certificate: the pass type identifier pass.json must carry. */
  readonly passTypeIdentifier: string;
  /** Subject OU of the certificate: the team identifier pass.json must carry. */
  readonly teamIdentifier: string;
  /** Expiry of the pass certificate, so operators can be warned before it lapses. */
  readonly notAfter: Date;
  /** Expiry of the WWDR intermediate: passes signed after it are refused as well. */
  readonly wwdrNotAfter: Date;
  /** DER detached CMS SignedData over `manifest` (the bytes of manifest.json). */
  signManifest(manifest: Buffer, signingTime?: Date): Buffer;
}

// ---------------------------------------------------------------------------------------------
// Minimal DER encoding and reading (only what the signature and certificate subjects need)
// ---------------------------------------------------------------------------------------------

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...content: Uint8Array[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

const seq = (...content: Uint8Array[]): Buffer => tlv(0x30, ...content);

/** DER SET OF: elements sorted by their encodings (X.690 11.6); Wallet is strict about this. */
function setOf(tag: number, elements: Buffer[]): Buffer {
  return tlv(tag, ...[...elements].sort(Buffer.compare));
}

function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const [first = 0, second = 0, ...rest] = arcs;
  const bytes: number[] = [];
  for (const arc of [first * 40 + second, ...rest]) {
    const chunk = [arc & 0x7f];
    for (let n = Math.floor(arc / 128); n > 0; n = Math.floor(n / 128)) chunk.unshift((n & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function derTime(date: Date): Buffer {
  // RFC 5652 11.3: UTCTime for years 1950-2049, GeneralizedTime otherwise.
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '') + 'Z';
  const year = date.getUTCFullYear();
  return year >= 1950 && year < 2050 ? tlv(0x17, Buffer.from(digits.slice(2), 'ascii')) : tlv(0x18, Buffer.from(digits, 'ascii'));
}

interface Tlv {
  tag: number;
  start: number;
  contentStart: number;
  end: number;
}

function readTlv(der: Uint8Array, pos: number): Tlv {
  const tag = der[pos];
  let lengthByte = der[pos + 1];
  if (tag === undefined || lengthByte === undefined) throw new Error('truncated DER');
  let contentStart = pos + 2;
  let length = lengthByte;
  if (lengthByte & 0x80) {
    const count = lengthByte & 0x7f;
    if (count === 0 || count > 4) throw new Error('unsupported DER length');
    length = 0;
    for (let i = 0; i < count; i++) {
      lengthByte = der[contentStart + i];
      if (lengthByte === undefined) throw new Error('truncated DER');
      length = length * 256 + lengthByte;
    }
    contentStart += count;
  }
  const end = contentStart + length;
  if (end > der.length) throw new Error('truncated DER');
  return { tag, start: pos, contentStart, end };
}

function childrenOf(der: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let pos = parent.contentStart; pos < parent.end;) {
    const child = readTlv(der, pos);
    out.push(child);
    pos = child.end;
  }
  return out;
}

function decodeDirectoryString(der: Buffer, value: Tlv): string {
  const bytes = der.subarray(value.contentStart, value.end);
  switch (value.tag) {
    case 0x1e: // BMPString: UTF-16BE
      return Buffer.from(bytes).swap16().toString('utf16le');
    case 0x14: // TeletexString: treat as Latin-1, the common practice
      return bytes.toString('latin1');
    default: // UTF8String, PrintableString, IA5String
      return bytes.toString('utf8');
  }
}

// ---------------------------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------------------------

const DER_NULL = Buffer.from([0x05, 0x00]);
const OID_DATA = oid('1.2.840.113549.1.7.1');
const OID_SIGNED_DATA = oid('1.2.840.113549.1.7.2');
const OID_CONTENT_TYPE = oid('1.2.840.113549.1.9.3');
const OID_MESSAGE_DIGEST = oid('1.2.840.113549.1.9.4');
const OID_SIGNING_TIME = oid('1.2.840.113549.1.9.5');
const OID_UID = oid('0.9.2342.19200300.100.1.1');
const OID_OU = oid('2.5.4.11');
const CMS_VERSION_1 = Buffer.from([0x02, 0x01, 0x01]);
// SHA-256 AlgorithmIdentifier with NULL parameters, exactly as `openssl smime -sign` writes it
// (RFC 5754 prefers them absent but requires verifiers to accept both).
const SHA256_ALGORITHM = seq(oid('2.16.840.1.101.3.4.2.1'), DER_NULL);
const RSA_ENCRYPTION_ALGORITHM = seq(oid('1.2.840.113549.1.1.1'), DER_NULL);
const CONTENT_TYPE_ATTRIBUTE = seq(OID_CONTENT_TYPE, tlv(0x31, OID_DATA));

// ---------------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------------

function pemBlocks(text: string, label: string): Buffer[] {
  const re = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`, 'g');
  return [...text.matchAll(re)].map((m) => Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'base64'));
}

function readCertificate(input: string | Buffer, what: string): { der: Buffer; x509: X509Certificate } {
  const text = typeof input === 'string' ? input : input.toString('latin1');
  let der: Buffer | undefined;
  if (text.includes('-----BEGIN')) der = pemBlocks(text, 'CERTIFICATE')[0];
  else if (Buffer.isBuffer(input) && input[0] === 0x30) der = input;
  if (!der) throw new Error(`${what}: no certificate found (expected a PEM "BEGIN CERTIFICATE" block or DER bytes)`);
  try {
    return { der, x509: new X509Certificate(der) };
  } catch (err) {
    throw new Error(`${what}: unreadable certificate (${(err as Error).message})`, { cause: err });
  }
}

function readPrivateKey(input: string | Buffer, passphrase: string | undefined): KeyObject {
  const pem = typeof input === 'string' ? input : input.toString('utf8');
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) {
    throw new Error('Pass certificate key: no PEM "PRIVATE KEY" block found');
  }
  const encrypted = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/.test(pem);
  if (encrypted && passphrase === undefined) {
    throw new Error('Pass certificate key is encrypted but no passphrase was given');
  }
  try {
    return createPrivateKey({ key: pem, format: 'pem', passphrase: encrypted ? passphrase : undefined });
  } catch (err) {
    // A wrong passphrase usually fails as "bad decrypt", but now and then decrypts to garbage
    // that then fails to parse, so any failure of an encrypted key is reported the same way.
    if (encrypted) throw new Error('Pass certificate key: wrong passphrase (or a damaged key file)', { cause: err });
    throw new Error(`Pass certificate key: unreadable private key (${(err as Error).message})`, { cause: err });
  }
}

/** Reads UID (pass type id) and OU (team id) from the certificate subject, straight from DER. */
export function readPassCertificateSubject(certDer: Buffer): { passTypeIdentifier?: string; teamIdentifier?: string } {
  const cert = readTlv(certDer, 0);
  const [tbs] = childrenOf(certDer, cert);
  if (!tbs) throw new Error('malformed certificate');
  const fields = childrenOf(certDer, tbs);
  const first = fields[0]?.tag === 0xa0 ? 1 : 0; // optional [0] version
  const subject = fields[first + 4];
  if (!subject) throw new Error('malformed certificate');
  const out: { passTypeIdentifier?: string; teamIdentifier?: string } = {};
  for (const rdn of childrenOf(certDer, subject)) {
    for (const atv of childrenOf(certDer, rdn)) {
      const [type, value] = childrenOf(certDer, atv);
      if (!type || !value) continue;
      const typeDer = certDer.subarray(type.start, type.end);
      if (typeDer.equals(OID_UID)) out.passTypeIdentifier ??= decodeDirectoryString(certDer, value);
      else if (typeDer.equals(OID_OU)) out.teamIdentifier ??= decodeDirectoryString(certDer, value);
    }
  }
  return out;
}

/** issuerAndSerialNumber of the signer, copied byte-for-byte from its TBSCertificate. */
function issuerAndSerialNumber(certDer: Buffer): Buffer {
  const cert = readTlv(certDer, 0);
  const [tbs] = childrenOf(certDer, cert);
  if (!tbs) throw new Error('malformed certificate');
  const fields = childrenOf(certDer, tbs);
  const first = fields[0]?.tag === 0xa0 ? 1 : 0;
  const serial = fields[first];
  const issuer = fields[first + 2];
  if (!serial || !issuer) throw new Error('malformed certificate');
  return seq(certDer.subarray(issuer.start, issuer.end), certDer.subarray(serial.start, serial.end));
}

/**
 * Parses and cross-checks the signing material once. Throws a readable Error for an unreadable
 * certificate or key, a missing/wrong passphrase, a key that is not the certificate's, a WWDR
 * certificate that did not issue it, or a certificate that is not a Pass Type ID certificate.
 */
export function loadSigningIdentity(input: SigningIdentityInput): SigningIdentity {
  const signer = readCertificate(input.certPem, 'Pass certificate');
  const wwdr = readCertificate(input.wwdrPem, 'WWDR certificate');
  const key = readPrivateKey(input.keyPem, input.keyPassphrase);

  if (key.asymmetricKeyType !== 'rsa') {
    throw new Error(`Pass certificate key: expected an RSA key (Apple issues RSA-2048), got ${key.asymmetricKeyType ?? 'unknown'}`);
  }
  if (!signer.x509.checkPrivateKey(key)) {
    throw new Error(`Pass certificate key does not match the pass certificate (${oneLine(signer.x509.subject)})`);
  }
  if (!signer.x509.checkIssued(wwdr.x509) || !signer.x509.verify(wwdr.x509.publicKey)) {
    throw new Error(
      `WWDR certificate (${oneLine(wwdr.x509.subject)}) did not issue the pass certificate (issuer: ` +
        `${oneLine(signer.x509.issuer)}); use the matching Apple WWDR intermediate (G4 for current certificates)`,
    );
  }

  const subject = readPassCertificateSubject(signer.der);
  if (!subject.passTypeIdentifier || !subject.teamIdentifier) {
    throw new Error(
      `Pass certificate subject lacks UID (pass type identifier) or OU (team identifier); ` +
        `is it a "Pass Type ID" certificate? Subject: ${oneLine(signer.x509.subject)}`,
    );
  }

  // Everything that does not depend on the manifest or the time is encoded here, once.
  const certificatesField = setOf(0xa0, [signer.der, wwdr.der]); // [0] IMPLICIT SET OF Certificate
  const digestAlgorithms = tlv(0x31, SHA256_ALGORITHM);
  const encapContentInfo = seq(OID_DATA); // detached: no eContent
  const signerId = issuerAndSerialNumber(signer.der);

  function signManifest(manifest: Buffer, signingTime: Date = new Date()): Buffer {
    const digest = createHash('sha256').update(manifest).digest();
    const signedAttrs = setOf(0x31, [
      CONTENT_TYPE_ATTRIBUTE,
      seq(OID_SIGNING_TIME, tlv(0x31, derTime(signingTime))),
      seq(OID_MESSAGE_DIGEST, tlv(0x31, tlv(0x04, digest))),
    ]);
    // RFC 5652 5.4: the signature covers the attributes encoded as a SET (tag 0x31); inside
    // SignerInfo they are stored as [0] IMPLICIT, i.e. the same bytes with tag 0xA0.
    const signature = sign('sha256', signedAttrs, key);
    signedAttrs[0] = 0xa0;
    const signerInfo = seq(CMS_VERSION_1, signerId, SHA256_ALGORITHM, signedAttrs, RSA_ENCRYPTION_ALGORITHM, tlv(0x04, signature));
    const signedData = seq(CMS_VERSION_1, digestAlgorithms, encapContentInfo, certificatesField, tlv(0x31, signerInfo));
    return seq(OID_SIGNED_DATA, tlv(0xa0, signedData));
  }

  return {
    passTypeIdentifier: subject.passTypeIdentifier,
    teamIdentifier: subject.teamIdentifier,
    notAfter: new Date(signer.x509.validTo),
    wwdrNotAfter: new Date(wwdr.x509.validTo),
    signManifest,
  };
}

function oneLine(dn: string): string {
  return dn.split('\n').join(', ');
}

/**
 * Fails fast at startup when the configured identifiers differ from the certificate: Wallet (and
 * Safari) refuse passes whose passTypeIdentifier/teamIdentifier do not match the signer.
 */
export function assertIdentityMatches(
  identity: Pick<SigningIdentity, 'passTypeIdentifier' | 'teamIdentifier'>,
  expected: { passTypeIdentifier: string; teamIdentifier: string },
): void {
  const problems: string[] = [];
  if (identity.passTypeIdentifier !== expected.passTypeIdentifier) {
    problems.push(
      `passTypeIdentifier is "${expected.passTypeIdentifier}" in the configuration but "${identity.passTypeIdentifier}" in the certificate (subject UID)`,
    );
  }
  if (identity.teamIdentifier !== expected.teamIdentifier) {
    problems.push(`teamIdentifier is "${expected.teamIdentifier}" in the configuration but "${identity.teamIdentifier}" in the certificate (subject OU)`);
  }
  if (problems.length > 0) {
    throw new Error(`Pass certificate does not match the configuration: ${problems.join('; ')}. Wallet rejects such passes.`);
  }
}
