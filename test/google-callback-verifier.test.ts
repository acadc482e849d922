import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CallbackVerificationError,
  GOOGLE_WALLET_PASSES_SENDER_ID,
  RootSigningKeysError,
  lengthPrefixed,
  parseRootSigningKeys,
  verifyCallback,
  type CallbackVerificationErrorCode,
  type VerifyCallbackOptions,
} from '../src/wallets/google/callback-verifier.js';
import { createGoogleSigningKeys, keysJsonFor, signCallback, type CallbackBody, type CallbackMessageInput } from './support/google-callback-signer.js';

const ISSUER_ID = '3388000000012345678';
const NOW = Date.now();
const HOUR = 60 * 60 * 1000;

const root = createGoogleSigningKeys();
const rootKeys = parseRootSigningKeys(root.keysJson);

function message(overrides: Partial<CallbackMessageInput> = {}): CallbackMessageInput {
  return {
    classId: `${ISSUER_ID}.loyalty-class`,
    objectId: `${ISSUER_ID}.card-42`,
    eventType: 'save',
    expTimeMillis: NOW + HOUR,
    count: 1,
    nonce: 'nonce-1',
    ...overrides,
  };
}

function body(overrides: Partial<CallbackMessageInput> = {}): CallbackBody {
  return signCallback({ root, issuerId: ISSUER_ID, message: message(overrides) });
}

function options(overrides: Partial<VerifyCallbackOptions> = {}): VerifyCallbackOptions {
  return { issuerId: ISSUER_ID, senderId: 'GooglePayPasses', rootKeys, now: NOW, ...overrides };
}

function failure(fn: () => unknown): CallbackVerificationError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CallbackVerificationError);
    return err as CallbackVerificationError;
  }
  throw new Error('expected verification to fail');
}

function expectCode(fn: () => unknown, code: CallbackVerificationErrorCode, message?: RegExp): void {
  const err = failure(fn);
  expect(err.code).toBe(code);
  if (message) expect(err.message).toMatch(message);
}

describe('lengthPrefixed', () => {
  it('prefixes each UTF-8 part with its 4-byte little-endian byte length', () => {
    // "é" is two bytes in UTF-8: the length counts bytes, not characters.
    expect(lengthPrefixed('ab', 'é', '').toString('hex')).toBe('020000006162' + '02000000c3a9' + '00000000');
  });
});

describe('parseRootSigningKeys', () => {
  it('reads keyValue, protocolVersion and the string keyExpiration Google serves', () => {
    const keys = parseRootSigningKeys(root.keysJson);
    expect(keys).toHaveLength(1);
    expect(keys[0]?.protocolVersion).toBe('ECv2SigningOnly');
    expect(keys[0]?.keyExpiration).toBe(root.keyExpiration);
    expect(keys[0]?.key.asymmetricKeyType).toBe('ec');
  });

  it('keeps keys of other protocol versions and keys without an expiration', () => {
    const other = createGoogleSigningKeys({ protocolVersion: 'ECv1', keyExpiration: null });
    const keys = parseRootSigningKeys(keysJsonFor([root, other]));
    expect(keys.map((k) => [k.protocolVersion, k.keyExpiration])).toEqual([
      ['ECv2SigningOnly', root.keyExpiration],
      ['ECv1', undefined],
    ]);
  });

  it('rejects documents it cannot fully understand', () => {
    expect(() => parseRootSigningKeys('not json')).toThrow(RootSigningKeysError);
    expect(() => parseRootSigningKeys('{"keys":{}}')).toThrow(/"keys" array/);
    expect(() => parseRootSigningKeys('{"keys":[{"protocolVersion":"ECv2SigningOnly"}]}')).toThrow(/keyValue/);
    expect(() => parseRootSigningKeys(JSON.stringify({ keys: [{ keyValue: '!!!', protocolVersion: 'ECv2SigningOnly' }] }))).toThrow(/P-256/);
    expect(() =>
      parseRootSigningKeys(JSON.stringify({ keys: [{ keyValue: root.keyValue, protocolVersion: 'ECv2SigningOnly', keyExpiration: 'soon' }] })),
    ).toThrow(/keyExpiration/);
  });

  it('rejects keys that are not P-256', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey;
    for (const key of [rsa, p384]) {
      const keyValue = key.export({ format: 'der', type: 'spki' }).toString('base64');
      expect(() => parseRootSigningKeys(keysJsonFor([{ keyValue, protocolVersion: 'ECv2SigningOnly', keyExpiration: NOW + HOUR }]))).toThrow(/P-256/);
    }
  });
});

describe('verifyCallback', () => {
  it('returns the signed message of a valid callback', () => {
    expect(verifyCallback(body(), options())).toEqual({
      classId: `${ISSUER_ID}.loyalty-class`,
      objectId: `${ISSUER_ID}.card-42`,
      eventType: 'save',
      expTimeMillis: NOW + HOUR,
      count: 1,
      nonce: 'nonce-1',
    });
  });

  it('accepts a del event, string timestamps and a missing count', () => {
    const signed = signCallback({
      root,
      issuerId: ISSUER_ID,
      message: { classId: 'c', objectId: 'o', eventType: 'del', expTimeMillis: String(NOW + HOUR), nonce: 'n' },
    });
    expect(verifyCallback(signed, options())).toEqual({
      classId: 'c',
      objectId: 'o',
      eventType: 'del',
      expTimeMillis: NOW + HOUR,
      nonce: 'n',
    });
  });

  it('accepts the raw JSON body as a string', () => {
    expect(verifyCallback(JSON.stringify(body()), options()).nonce).toBe('nonce-1');
  });

  it('defaults senderId to GooglePayPasses and now to the clock', () => {
    expect(verifyCallback(body(), { issuerId: ISSUER_ID, rootKeys }).eventType).toBe('save');
  });

  it('verifies callbacks signed with the GoogleWalletPasses sender id when configured so', () => {
    const signed = signCallback({ root, issuerId: ISSUER_ID, senderId: GOOGLE_WALLET_PASSES_SENDER_ID, message: message() });
    expect(verifyCallback(signed, options({ senderId: GOOGLE_WALLET_PASSES_SENDER_ID })).nonce).toBe('nonce-1');
    // The sender id is in the intermediate key's signed bytes, so the mismatch shows there first.
    expectCode(() => verifyCallback(signed, options({ senderId: 'GooglePayPasses' })), 'bad-intermediate-signature', /GooglePayPasses/);
  });

  it('rejects a wrong senderId configuration', () => {
    expectCode(() => verifyCallback(body(), options({ senderId: 'SomeoneElse' })), 'bad-intermediate-signature');
  });

  it('rejects a tampered signedMessage', () => {
    const signed = body();
    const tampered = { ...signed, signedMessage: signed.signedMessage.replace('"save"', '"del"') };
    expect(tampered.signedMessage).not.toBe(signed.signedMessage);
    expectCode(() => verifyCallback(tampered, options()), 'bad-message-signature');
  });

  it('rejects a message signature swapped in from another callback', () => {
    const other = body({ nonce: 'nonce-2' });
    expectCode(() => verifyCallback({ ...body(), signature: other.signature }, options()), 'bad-message-signature');
  });

  it('rejects a tampered signedKey', () => {
    const signed = body();
    const attacker = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    const signedKey = JSON.stringify({
      ...JSON.parse(signed.intermediateSigningKey.signedKey),
      keyValue: attacker.export({ format: 'der', type: 'spki' }).toString('base64'),
    });
    const tampered = { ...signed, intermediateSigningKey: { ...signed.intermediateSigningKey, signedKey } };
    expectCode(() => verifyCallback(tampered, options()), 'bad-intermediate-signature');
  });

  it('rejects an extended intermediate expiration (also part of signedKey)', () => {
    const signed = body();
    const signedKey = JSON.stringify({ ...JSON.parse(signed.intermediateSigningKey.signedKey), keyExpiration: String(NOW + 1000 * HOUR) });
    const tampered = { ...signed, intermediateSigningKey: { ...signed.intermediateSigningKey, signedKey } };
    expectCode(() => verifyCallback(tampered, options()), 'bad-intermediate-signature');
  });

  it('rejects callbacks signed by a root that is not trusted', () => {
    const impostor = createGoogleSigningKeys();
    const signed = signCallback({ root: impostor, issuerId: ISSUER_ID, message: message() });
    expectCode(() => verifyCallback(signed, options()), 'bad-intermediate-signature');
  });

  it('accepts any of several intermediate signatures and any of several root keys (key rotation)', () => {
    const next = createGoogleSigningKeys();
    const signed = signCallback({ root: next, issuerId: ISSUER_ID, message: message() });
    const both = parseRootSigningKeys(keysJsonFor([root, next]));
    const withJunkSignature = {
      ...signed,
      intermediateSigningKey: {
        ...signed.intermediateSigningKey,
        signatures: [body().intermediateSigningKey.signatures[0] as string, ...signed.intermediateSigningKey.signatures],
      },
    };
    expect(verifyCallback(withJunkSignature, options({ rootKeys: both })).nonce).toBe('nonce-1');
  });

  it('rejects an expired message', () => {
    expectCode(() => verifyCallback(body({ expTimeMillis: NOW - 1 }), options()), 'expired', /expired/);
    // Expiring exactly now counts as expired, as in Tink.
    expectCode(() => verifyCallback(body({ expTimeMillis: NOW }), options()), 'expired');
  });

  it('rejects an expired intermediate key even though its signature is good', () => {
    const signed = signCallback({ root, issuerId: ISSUER_ID, message: message(), intermediateExpiration: NOW - 1 });
    expectCode(() => verifyCallback(signed, options()), 'intermediate-expired', /intermediate signing key expired/);
  });

  it('rejects a message addressed to another issuer (recipient id)', () => {
    const signed = signCallback({ root, issuerId: '3388000000099999999', message: message() });
    expectCode(() => verifyCallback(signed, options()), 'bad-message-signature', new RegExp(ISSUER_ID));
  });

  it('does not use a root key past its keyExpiration', () => {
    const expiredRoot = createGoogleSigningKeys({ keyExpiration: NOW - 1 });
    const signed = signCallback({ root: expiredRoot, issuerId: ISSUER_ID, message: message() });
    const keys = parseRootSigningKeys(expiredRoot.keysJson);
    expectCode(() => verifyCallback(signed, options({ rootKeys: keys })), 'bad-intermediate-signature', /no unexpired/);
    // The same key is fine while it is current: the expiration is what rejected it.
    expect(verifyCallback(signed, options({ rootKeys: keys, now: NOW - 2 })).nonce).toBe('nonce-1');
  });

  it('does not use a root key without keyExpiration, or one for another protocol version', () => {
    const noExpiry = createGoogleSigningKeys({ keyExpiration: null });
    const signed = signCallback({ root: noExpiry, issuerId: ISSUER_ID, message: message() });
    expectCode(() => verifyCallback(signed, options({ rootKeys: parseRootSigningKeys(noExpiry.keysJson) })), 'bad-intermediate-signature');

    const ecv2 = createGoogleSigningKeys({ protocolVersion: 'ECv2' });
    const signedByEcv2 = signCallback({ root: ecv2, issuerId: ISSUER_ID, message: message() });
    expectCode(() => verifyCallback(signedByEcv2, options({ rootKeys: parseRootSigningKeys(ecv2.keysJson) })), 'bad-intermediate-signature');
  });

  describe('malformed bodies', () => {
    const valid = body();
    const cases: Array<[string, unknown, RegExp]> = [
      ['null', null, /JSON object/],
      ['an array', [valid], /JSON object/],
      ['a non-JSON string', 'signature=abc', /not valid JSON/],
      ['no protocolVersion', { ...valid, protocolVersion: undefined }, /protocolVersion/],
      ['no signature', { ...valid, signature: undefined }, /signature/],
      ['a non-base64 signature', { ...valid, signature: 'not base64!' }, /signature is not base64/],
      ['no signedMessage', { ...valid, signedMessage: undefined }, /signedMessage/],
      ['a signedMessage object instead of a string', { ...valid, signedMessage: JSON.parse(valid.signedMessage) }, /signedMessage/],
      ['no intermediateSigningKey', { ...valid, intermediateSigningKey: undefined }, /intermediateSigningKey/],
      ['no signedKey', { ...valid, intermediateSigningKey: { signatures: valid.intermediateSigningKey.signatures } }, /signedKey/],
      ['empty signatures', { ...valid, intermediateSigningKey: { ...valid.intermediateSigningKey, signatures: [] } }, /signatures/],
      ['a non-string intermediate signature', { ...valid, intermediateSigningKey: { ...valid.intermediateSigningKey, signatures: [1] } }, /signatures\[0\]/],
    ];
    it.each(cases)('rejects a body with %s', (_name, input, msg) => {
      expectCode(() => verifyCallback(input, options()), 'malformed', msg);
    });

    it('rejects another protocolVersion as unsupported', () => {
      expectCode(() => verifyCallback({ ...valid, protocolVersion: 'ECv2' }, options()), 'unsupported-protocol', /ECv2SigningOnly/);
      expectCode(() => verifyCallback({ ...valid, protocolVersion: 'ECv1' }, options()), 'unsupported-protocol');
    });

    it('rejects a correctly signed signedMessage that is not JSON', () => {
      const signed = signCallback({ root, issuerId: ISSUER_ID, message: 'this is not json' });
      expectCode(() => verifyCallback(signed, options()), 'malformed', /signedMessage is not valid JSON/);
    });

    it.each<[string, Partial<CallbackMessageInput>, RegExp]>([
      ['an unknown eventType', { eventType: 'update' }, /eventType/],
      ['no nonce', { nonce: '' }, /nonce/],
      ['no classId', { classId: '' }, /classId/],
      ['a non-numeric expTimeMillis', { expTimeMillis: 'tomorrow' }, /expTimeMillis/],
      ['a negative count', { count: -1 }, /count/],
    ])('rejects a correctly signed message with %s', (_name, overrides, msg) => {
      expectCode(() => verifyCallback(body(overrides), options()), 'malformed', msg);
    });

    it('rejects a correctly signed signedKey without keyExpiration', () => {
      const signed = signCallback({ root, issuerId: ISSUER_ID, message: message(), intermediateExpiration: null });
      expectCode(() => verifyCallback(signed, options()), 'malformed', /keyExpiration/);
    });
  });
});
