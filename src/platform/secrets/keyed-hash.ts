import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { Db } from '../db/database.js';

/**
 * HMAC-SHA256 under a key of the deployment's: an unsalted hash of a phone number is the number (all
 * 10^10 candidates hash in seconds); without the key, a hash tells nothing. The key is derived from
 * SECRETS_KEY when it is set (so a database dump alone does not hold it), else made once and kept in
 * server_secrets. Changing it only forgets what hashes are for: rate windows and code checks.
 */
export class KeyedHash {
  private constructor(readonly key: Buffer) {}

  static async open(db: Db, secretsKey: string | undefined, purpose: string): Promise<KeyedHash> {
    if (secretsKey) return new KeyedHash(Buffer.from(hkdfSync('sha256', secretsKey, 'wallet-loyalty', `keyed-hash ${purpose}`, 32)));
    const name = `hmac:${purpose}`;
    await db
      .insertInto('server_secrets')
      .values({ name, value: randomBytes(32).toString('base64url') })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const row = await db.selectFrom('server_secrets').select('value').where('name', '=', name).executeTakeFirstOrThrow();
    return new KeyedHash(Buffer.from(row.value, 'base64url'));
  }

  hex(value: string): string {
    return createHmac('sha256', this.key).update(value).digest('hex');
  }
}
