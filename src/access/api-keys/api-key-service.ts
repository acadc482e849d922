import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../../platform/db/database.js';
import type { Role } from '../../platform/db/schema.js';
import type { Principal } from '../../platform/http/operation.js';
import { invalidField, notFound } from '../../platform/shared/errors.js';

const KEY_PREFIX = 'wlk_';

/** Keys are 256-bit random, so a fast hash is enough: there is nothing to brute-force. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export class ApiKeyService {
  readonly #bootstrapHash: Buffer | undefined;

  constructor(
    private readonly db: Db,
    bootstrapKey: string | undefined,
  ) {
    this.#bootstrapHash = bootstrapKey ? Buffer.from(hashApiKey(bootstrapKey), 'hex') : undefined;
  }

  /** The Authenticator of the route table. */
  readonly authenticate = async (presented: string): Promise<Principal | null> => {
    const hash = hashApiKey(presented);
    if (this.#bootstrapHash && timingSafeEqual(this.#bootstrapHash, Buffer.from(hash, 'hex'))) {
      return { keyId: 'bootstrap', name: 'ADMIN_API_KEY', role: 'admin', storeId: null };
    }
    const row = await this.db
      .selectFrom('api_keys')
      .select(['id', 'name', 'role', 'store_id'])
      .where('key_hash', '=', hash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return row ? { keyId: row.id, name: row.name, role: row.role, storeId: row.store_id } : null;
  };

  async create(input: { name: string; role: Role; storeId?: string | undefined }) {
    if (input.role === 'pos' && !input.storeId) throw invalidField('storeId', 'is required for a pos key (a till belongs to one store)');
    if (input.role !== 'pos' && input.storeId) throw invalidField('storeId', 'applies only to pos keys');
    if (input.storeId) {
      const store = await this.db.selectFrom('stores').select('id').where('id', '=', input.storeId).executeTakeFirst();
      if (!store) throw invalidField('storeId', 'no such store');
    }
    const key = KEY_PREFIX + randomBytes(32).toString('base64url');
    const row = await this.db
      .insertInto('api_keys')
      .values({
        name: input.name,
        role: input.role,
        store_id: input.storeId ?? null,
        key_hash: hashApiKey(key),
        key_prefix: key.slice(0, KEY_PREFIX.length + 6),
      })
      .returning(['id', 'name', 'role', 'store_id', 'key_prefix', 'created_at'])
      .executeTakeFirstOrThrow();
    return { ...toApiKeyView(row), key };
  }

  async list() {
    const rows = await this.db
      .selectFrom('api_keys')
      .select(['id', 'name', 'role', 'store_id', 'key_prefix', 'created_at', 'revoked_at'])
      .orderBy('created_at')
      .execute();
    return rows.map(toApiKeyView);
  }

  async revoke(id: string): Promise<void> {
    const result = await this.db
      .updateTable('api_keys')
      .set({ revoked_at: new Date() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) throw notFound('API key');
  }
}

function toApiKeyView(row: { id: string; name: string; role: Role; store_id: string | null; key_prefix: string; created_at: Date; revoked_at?: Date | null }) {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    storeId: row.store_id,
    keyPrefix: row.key_prefix,
    createdAt: row.created_at.toISOString(),
    ...(row.revoked_at !== undefined ? { revokedAt: row.revoked_at?.toISOString() ?? null } : {}),
  };
}
