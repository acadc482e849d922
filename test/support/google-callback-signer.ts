/**
 * Test-only stand-in for Google's side of Wallet save/delete callbacks: a root signing key (and the
 * keys JSON Google would serve for it) and a signer producing the POST body Google would send.
 *
 * The length-prefixed byte layout is written out here independently of src/wallets/google/callback-verifier.ts,
 * so a mistake in one is not silently mirrored by the other.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface GoogleSigningRoot {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Base64 DER SubjectPublicKeyInfo, as in the keys JSON. */
  keyValue: string;
  protocolVersion: string;
  /** Milliseconds since the epoch, or undefined when the keys JSON omits it. */
  keyExpiration: number | undefined;
  /** The document Google serves at the issuer keys URL, containing just this key. */
  keysJson: string;
}

export interface CreateGoogleSigningKeysOptions {
  /** Default: a week from now. `null` leaves keyExpiration out of the JSON. */
  keyExpiration?: number | null;
  /** Default: "ECv2SigningOnly". */
  protocolVersion?: string;
}

export function createGoogleSigningKeys(options: CreateGoogleSigningKeysOptions = {}): GoogleSigningRoot {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const keyValue = spkiBase64(publicKey);
  const protocolVersion = options.protocolVersion ?? 'ECv2SigningOnly';
  const keyExpiration = options.keyExpiration === null ? undefined : (options.keyExpiration ?? Date.now() + 7 * DAY_MS);
  return {
    privateKey,
    publicKey,
    keyValue,
    protocolVersion,
    keyExpiration,
    keysJson: keysJsonFor([{ keyValue, protocolVersion, keyExpiration }]),
  };
}

/** A keys document with several entries, e.g. during a Google key rotation. */
export function keysJsonFor(keys: ReadonlyArray<Pick<GoogleSigningRoot, 'keyValue' | 'protocolVersion' | 'keyExpiration'>>): string {
  return JSON.stringify({
    keys: keys.map((k) => ({
      keyValue: k.keyValue,
      protocolVersion: k.protocolVersion,
      // Google serves the expiration as a string of milliseconds.
      ...(k.keyExpiration === undefined ? {} : { keyExpiration: String(k.keyExpiration) }),
    })),
  });
}

export interface CallbackMessageInput {
  classId: string;
  objectId: string;
  eventType: string;
  expTimeMillis: number | string;
  count?: number | string;
  nonce: string;
}

export interface SignCallbackInput {
  root: Pick<GoogleSigningRoot, 'privateKey'>;
  issuerId: string;
  /** Default: "GooglePayPasses". */
  senderId?: string;
  /** Default: "ECv2SigningOnly". */
  protocolVersion?: string;
  /** Serialised with JSON.stringify; a string is signed verbatim (to test non-JSON payloads). */
  message: CallbackMessageInput | string;
  /** Default: an hour from now. `null` leaves keyExpiration out of signedKey. */
  intermediateExpiration?: number | null;
}

export interface CallbackBody {
  signature: string;
  intermediateSigningKey: { signedKey: string; signatures: string[] };
  protocolVersion: string;
  signedMessage: string;
}

/** The POST body Google would send: a fresh intermediate key, signed by the root, signing the message. */
export function signCallback(input: SignCallbackInput): CallbackBody {
  const senderId = input.senderId ?? 'GooglePayPasses';
  const protocolVersion = input.protocolVersion ?? 'ECv2SigningOnly';
  const intermediate = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const keyValue = spkiBase64(intermediate.publicKey);
  const signedKey = JSON.stringify(
    input.intermediateExpiration === null ? { keyValue } : { keyValue, keyExpiration: String(input.intermediateExpiration ?? Date.now() + 60 * 60 * 1000) },
  );
  const signedMessage = typeof input.message === 'string' ? input.message : JSON.stringify(input.message);
  return {
    signature: ecdsa(intermediate.privateKey, lv(senderId, input.issuerId, protocolVersion, signedMessage)),
    intermediateSigningKey: {
      signedKey,
      signatures: [ecdsa(input.root.privateKey, lv(senderId, protocolVersion, signedKey))],
    },
    protocolVersion,
    signedMessage,
  };
}

function spkiBase64(key: KeyObject): string {
  return key.export({ format: 'der', type: 'spki' }).toString('base64');
}

/** Base64 DER ECDSA-SHA256, as Google sends. */
function ecdsa(privateKey: KeyObject, data: Buffer): string {
  return sign('sha256', data, privateKey).toString('base64');
}

/** Each part: 4-byte little-endian UTF-8 byte length, then the bytes. */
function lv(...parts: string[]): Buffer {
  return Buffer.concat(
    parts.flatMap((part) => {
      const bytes = new TextEncoder().encode(part);
      const header = new Uint8Array(4);
      new DataView(header.buffer).setUint32(0, bytes.byteLength, true);
      return [header, bytes];
    }),
  );
}
