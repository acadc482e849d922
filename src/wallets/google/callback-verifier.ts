/**
 * Verification of Google Wallet save/delete callbacks ("ECv2SigningOnly", the signing-only variant of
 * Google's Payment Method Token format, as implemented by Tink's PaymentMethodTokenRecipient).
 *
 * Trust chain: Google's root signing keys (served as JSON at the issuer keys URL) sign a short-lived
 * intermediate key; the intermediate key signs the message. Every signed byte string is a sequence of
 * UTF-8 parts, each preceded by its byte length as a 4-byte little-endian integer, so that no part can
 * bleed into the next.
 *
 * Pure module: no I/O, no clock except `now`, no replay protection (the caller de-duplicates on the
 * returned nonce).
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';

export const ECV2_SIGNING_ONLY = 'ECv2SigningOnly';
/** Sender id in most of Google's callback docs (and the Tink samples they show). */
export const GOOGLE_PAY_PASSES_SENDER_ID = 'GooglePayPasses';
/** Sender id shown in some newer Google Wallet doc pages; which one Google signs with is configuration. */
export const GOOGLE_WALLET_PASSES_SENDER_ID = 'GoogleWalletPasses';

export interface RootKey {
  /** P-256 public key. */
  key: KeyObject;
  protocolVersion: string;
  /** Milliseconds since the epoch; absent in the JSON → undefined (and then not trusted for ECv2SigningOnly). */
  keyExpiration?: number;
}

export type CallbackVerificationErrorCode =
  'malformed' | 'unsupported-protocol' | 'bad-intermediate-signature' | 'intermediate-expired' | 'bad-message-signature' | 'expired';

export class CallbackVerificationError extends Error {
  constructor(
    readonly code: CallbackVerificationErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CallbackVerificationError';
  }
}

/** The root keys document could not be used (a configuration/fetch problem, not a bad callback). */
export class RootSigningKeysError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RootSigningKeysError';
  }
}

export type CallbackEventType = 'save' | 'del';

export interface VerifiedCallback {
  classId: string;
  objectId: string;
  eventType: CallbackEventType;
  expTimeMillis: number;
  count?: number;
  nonce: string;
}

export interface VerifyCallbackOptions {
  /** Our issuer id; Google's docs use it verbatim as the Tink recipient id. */
  issuerId: string;
  /** Defaults to "GooglePayPasses". */
  senderId?: string;
  /** Overrides the recipient id (default: issuerId) should Google ever prefix it, as Google Pay does with "merchant:". */
  recipientId?: string;
  rootKeys: readonly RootKey[];
  /** Milliseconds since the epoch; defaults to Date.now(). */
  now?: number;
}

/**
 * Parses the JSON Google serves at the issuer keys URL:
 * `{"keys":[{"keyValue":"<base64 DER SPKI>","protocolVersion":"ECv2SigningOnly","keyExpiration":"<ms>"}]}`.
 * Keys of every protocol version are returned; `verifyCallback` picks the ones it can use.
 * Throws RootSigningKeysError on anything unexpected: a half-understood key list is a reason to stop.
 */
export function parseRootSigningKeys(json: string): RootKey[] {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    throw new RootSigningKeysError('root signing keys are not valid JSON');
  }
  if (!isRecord(doc) || !Array.isArray(doc.keys)) {
    throw new RootSigningKeysError('root signing keys JSON has no "keys" array');
  }
  return doc.keys.map((entry: unknown, i): RootKey => {
    const where = `keys[${i}]`;
    if (!isRecord(entry)) throw new RootSigningKeysError(`${where} is not an object`);
    if (typeof entry.protocolVersion !== 'string' || entry.protocolVersion === '') {
      throw new RootSigningKeysError(`${where}.protocolVersion is missing`);
    }
    if (typeof entry.keyValue !== 'string') throw new RootSigningKeysError(`${where}.keyValue is missing`);
    const key = parseP256Spki(entry.keyValue);
    if (!key) throw new RootSigningKeysError(`${where}.keyValue is not a base64 DER P-256 public key`);
    const root: RootKey = { key, protocolVersion: entry.protocolVersion };
    if (entry.keyExpiration !== undefined) {
      const expiration = parseMillis(entry.keyExpiration);
      if (expiration === undefined) {
        throw new RootSigningKeysError(`${where}.keyExpiration is not a millisecond timestamp`);
      }
      root.keyExpiration = expiration;
    }
    return root;
  });
}

/**
 * Verifies a callback POST body (the parsed JSON object, or the raw JSON string) and returns the
 * signed message. Throws CallbackVerificationError; nothing from the body is trusted before its
 * signature checks out.
 */
export function verifyCallback(body: unknown, options: VerifyCallbackOptions): VerifiedCallback {
  const now = options.now ?? Date.now();
  const senderId = options.senderId ?? GOOGLE_PAY_PASSES_SENDER_ID;
  const recipientId = options.recipientId ?? options.issuerId;
  if (recipientId === '') throw new TypeError('verifyCallback: issuerId must not be empty');

  const envelope = parseEnvelope(body);

  // Step 1: the intermediate key must be signed by a current root key for this protocol version.
  // Tink skips ECv2* root keys without keyExpiration, and expired ones (expiration <= now).
  const roots = options.rootKeys.filter((r) => r.protocolVersion === envelope.protocolVersion && r.keyExpiration !== undefined && r.keyExpiration > now);
  if (roots.length === 0) {
    throw new CallbackVerificationError(
      'bad-intermediate-signature',
      `no unexpired ${envelope.protocolVersion} root signing key is available to check the intermediate key`,
    );
  }
  const intermediateBytes = lengthPrefixed(senderId, envelope.protocolVersion, envelope.signedKey);
  const intermediateOk = roots.some((root) => envelope.intermediateSignatures.some((sig) => ecdsaSha256Verify(root.key, intermediateBytes, sig)));
  if (!intermediateOk) {
    throw new CallbackVerificationError(
      'bad-intermediate-signature',
      `intermediate signing key is not signed by any trusted root key for sender "${senderId}"`,
    );
  }

  // Step 2: only now is signedKey trusted enough to read.
  const intermediate = parseSignedKey(envelope.signedKey);
  if (intermediate.keyExpiration <= now) {
    throw new CallbackVerificationError('intermediate-expired', `intermediate signing key expired at ${new Date(intermediate.keyExpiration).toISOString()}`);
  }

  // Step 3: the message signature binds sender, recipient (our issuer id) and protocol version.
  const messageBytes = lengthPrefixed(senderId, recipientId, envelope.protocolVersion, envelope.signedMessage);
  if (!ecdsaSha256Verify(intermediate.key, messageBytes, envelope.signature)) {
    throw new CallbackVerificationError('bad-message-signature', `message signature does not verify for sender "${senderId}" and recipient "${recipientId}"`);
  }

  // Step 4: the signed message itself.
  const message = parseSignedMessage(envelope.signedMessage);
  if (message.expTimeMillis <= now) {
    throw new CallbackVerificationError('expired', `callback message expired at ${new Date(message.expTimeMillis).toISOString()}`);
  }
  return message;
}

/**
 * The object id a callback claims, read before anything is verified: it only says which issuer's
 * recipient id to verify the signature with (the signature then binds it). Never trust it alone.
 */
export function unverifiedObjectId(body: unknown): string {
  const { objectId } = parseSignedMessage(parseEnvelope(body).signedMessage);
  return objectId;
}

/**
 * The byte string that is signed: each part as UTF-8, preceded by its byte length as a 4-byte
 * little-endian unsigned integer. Exported so tests can pin the layout.
 */
export function lengthPrefixed(...parts: string[]): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const bytes = Buffer.from(part, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32LE(bytes.length, 0);
    chunks.push(length, bytes);
  }
  return Buffer.concat(chunks);
}

interface Envelope {
  protocolVersion: string;
  signature: Buffer;
  signedMessage: string;
  signedKey: string;
  intermediateSignatures: Buffer[];
}

function parseEnvelope(body: unknown): Envelope {
  let value = body;
  if (typeof value === 'string' || Buffer.isBuffer(value)) {
    try {
      value = JSON.parse(value.toString());
    } catch {
      throw malformed('callback body is not valid JSON');
    }
  }
  if (!isRecord(value)) throw malformed('callback body must be a JSON object');

  const { protocolVersion, signature, signedMessage, intermediateSigningKey } = value;
  if (typeof protocolVersion !== 'string') throw malformed('callback body has no protocolVersion string');
  // Checked before the other fields so that a future protocol gets a precise error, not "malformed".
  if (protocolVersion !== ECV2_SIGNING_ONLY) {
    throw new CallbackVerificationError('unsupported-protocol', `unsupported protocolVersion "${protocolVersion}" (only ${ECV2_SIGNING_ONLY} is supported)`);
  }
  if (typeof signature !== 'string') throw malformed('callback body has no signature string');
  if (typeof signedMessage !== 'string') throw malformed('callback body has no signedMessage string');
  if (!isRecord(intermediateSigningKey)) throw malformed('callback body has no intermediateSigningKey object');
  const { signedKey, signatures } = intermediateSigningKey;
  if (typeof signedKey !== 'string') throw malformed('intermediateSigningKey.signedKey must be a string');
  if (!Array.isArray(signatures) || signatures.length === 0) {
    throw malformed('intermediateSigningKey.signatures must be a non-empty array');
  }
  return {
    protocolVersion,
    signature: decodeBase64(signature, 'signature'),
    signedMessage,
    signedKey,
    intermediateSignatures: signatures.map((s: unknown, i) => {
      if (typeof s !== 'string') throw malformed(`intermediateSigningKey.signatures[${i}] must be a string`);
      return decodeBase64(s, `intermediateSigningKey.signatures[${i}]`);
    }),
  };
}

function parseSignedKey(signedKey: string): { key: KeyObject; keyExpiration: number } {
  let value: unknown;
  try {
    value = JSON.parse(signedKey);
  } catch {
    throw malformed('intermediateSigningKey.signedKey is not valid JSON');
  }
  // Extra fields are allowed, as in Tink, so Google can extend the format.
  if (!isRecord(value)) throw malformed('intermediateSigningKey.signedKey must be a JSON object');
  if (typeof value.keyValue !== 'string') throw malformed('intermediateSigningKey.signedKey has no keyValue');
  const key = parseP256Spki(value.keyValue);
  if (!key) throw malformed('intermediateSigningKey.signedKey.keyValue is not a base64 DER P-256 public key');
  const keyExpiration = parseMillis(value.keyExpiration);
  if (keyExpiration === undefined) {
    throw malformed('intermediateSigningKey.signedKey.keyExpiration is missing or not a millisecond timestamp');
  }
  return { key, keyExpiration };
}

function parseSignedMessage(signedMessage: string): VerifiedCallback {
  let value: unknown;
  try {
    value = JSON.parse(signedMessage);
  } catch {
    throw malformed('signedMessage is not valid JSON');
  }
  if (!isRecord(value)) throw malformed('signedMessage must be a JSON object');
  const { classId, objectId, eventType, nonce } = value;
  if (typeof classId !== 'string' || classId === '') throw malformed('signedMessage.classId is missing');
  if (typeof objectId !== 'string' || objectId === '') throw malformed('signedMessage.objectId is missing');
  if (eventType !== 'save' && eventType !== 'del') {
    throw malformed(`signedMessage.eventType must be "save" or "del", got ${JSON.stringify(eventType)}`);
  }
  // Without a nonce the caller cannot de-duplicate Google's retries, so it is required.
  if (typeof nonce !== 'string' || nonce === '') throw malformed('signedMessage.nonce is missing');
  const expTimeMillis = parseMillis(value.expTimeMillis);
  if (expTimeMillis === undefined) throw malformed('signedMessage.expTimeMillis is missing or not a millisecond timestamp');
  const result: VerifiedCallback = { classId, objectId, eventType, expTimeMillis, nonce };
  if (value.count !== undefined && value.count !== null) {
    const count = parseMillis(value.count);
    if (count === undefined) throw malformed('signedMessage.count is not a non-negative integer');
    result.count = count;
  }
  return result;
}

function ecdsaSha256Verify(key: KeyObject, data: Buffer, derSignature: Buffer): boolean {
  try {
    // EC keys default to DER-encoded (r, s), which is what Google sends.
    return verify('sha256', data, key, derSignature);
  } catch {
    // OpenSSL may throw rather than return false on a signature that is not valid DER.
    return false;
  }
}

function parseP256Spki(base64: string): KeyObject | undefined {
  const der = strictBase64(base64);
  if (!der) return undefined;
  try {
    const key = createPublicKey({ key: der, format: 'der', type: 'spki' });
    return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1' ? key : undefined;
  } catch {
    return undefined;
  }
}

// Node's base64 decoder silently skips characters it does not know; reject those instead of
// verifying against bytes the sender never meant. Both alphabets are accepted (Google uses standard).
const BASE64 = /^(?:[A-Za-z0-9+/]+|[A-Za-z0-9_-]+)={0,2}$/;

function strictBase64(text: string): Buffer | undefined {
  if (!BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.length > 0 ? bytes : undefined;
}

function decodeBase64(text: string, field: string): Buffer {
  const bytes = strictBase64(text);
  if (!bytes) throw malformed(`${field} is not base64`);
  return bytes;
}

/**
 * A non-negative integer written as a JSON number or a decimal string: Google writes timestamps as
 * strings ("1700000000000"), and the docs do not pin the type of expTimeMillis/count, so both are accepted.
 */
function parseMillis(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (typeof value === 'string' && /^\d{1,16}$/.test(value)) {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function malformed(message: string): CallbackVerificationError {
  return new CallbackVerificationError('malformed', message);
}
