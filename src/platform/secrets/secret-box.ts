import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';

/**
 * Seals the secrets the service stores for brands (certificate keys, service accounts) with
 * AES-256-GCM under a key derived from SECRETS_KEY. Each value is bound to its place (`context`, e.g.
 * "apple:<pass type id>"), so a sealed value copied into another brand's row does not open there.
 * Without SECRETS_KEY (development only) nothing can be sealed and pasted secrets are refused.
 */
export class SecretBox {
  readonly #key: Buffer | undefined;

  constructor(secretsKey: string | undefined) {
    this.#key = secretsKey === undefined ? undefined : Buffer.from(hkdfSync('sha256', secretsKey, 'wallet-loyalty', 'secret-box v1', 32));
  }

  get available(): boolean {
    return this.#key !== undefined;
  }

  seal(plaintext: string, context: string): string {
    const key = this.#requireKey();
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
  }

  open(sealed: string, context: string): string {
    const key = this.#requireKey();
    const [version, data] = sealed.split('.');
    if (version !== VERSION || !data) throw new Error('not a sealed value of this service');
    const raw = Buffer.from(data, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12)).setAAD(Buffer.from(context));
    decipher.setAuthTag(raw.subarray(12, 28));
    try {
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch (err) {
      throw new Error('a stored secret does not open with this SECRETS_KEY (was the key changed?)', { cause: err });
    }
  }

  #requireKey(): Buffer {
    if (!this.#key) throw new Error('SECRETS_KEY is not set');
    return this.#key;
  }
}
