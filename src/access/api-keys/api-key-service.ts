import { randomBytes, timingSafeEqual } from 'node:crypto';
import { hashToken } from '../token-hash.js';
import type { Db } from '../../platform/db/database.js';
import type { Role } from '../../platform/db/schema.js';
import type { Principal } from '../../platform/http/operation.js';
import { invalidField, notFound } from '../../platform/shared/errors.js';
import type { ScopeGuard } from '../scope/scope-guard.js';

const KEY_PREFIX = 'wlk_';

export class ApiKeyService {
  readonly #bootstrapHash: Buffer | undefined;

  constructor(
    private readonly db: Db,
    private readonly guard: ScopeGuard,
    bootstrapKey: string | undefined,
  ) {
    this.#bootstrapHash = bootstrapKey ? Buffer.from(hashToken(bootstrapKey), 'hex') : undefined;
  }

  /** The Authenticator of the route table. */
  readonly authenticate = async (presented: string): Promise<Principal | null> => {
    const hash = hashToken(presented);
    if (this.#bootstrapHash && timingSafeEqual(this.#bootstrapHash, Buffer.from(hash, 'hex'))) {
      return { keyId: 'bootstrap', name: 'ADMIN_API_KEY', role: 'admin', brandId: null, programIds: null, storeId: null };
    }
    const row = await this.db
      .selectFrom('api_keys')
      .leftJoin('stores', 'stores.id', 'api_keys.store_id')
      .select([
        'api_keys.id',
        'api_keys.name',
        'api_keys.role',
        'api_keys.brand_id',
        'api_keys.program_ids',
        'api_keys.store_id',
        'stores.program_id as store_program',
      ])
      .where('key_hash', '=', hash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row) return null;
    // A till's scope is its store, within that store's program.
    const programIds = row.store_program ? [row.store_program] : row.program_ids;
    return { keyId: row.id, name: row.name, role: row.role, brandId: row.brand_id, programIds, storeId: row.store_id };
  };

  /** Issues a key within the issuer's own scope: never wider (another brand, more programs, another store). */
  async create(
    input: { name: string; role: Role; brand?: string | undefined; programs?: string[] | undefined; storeId?: string | undefined },
    issuer: Principal,
  ) {
    if (input.role === 'pos' && !input.storeId) throw invalidField('storeId', 'is required for a pos key (a till belongs to one store)');
    if (input.role !== 'pos' && input.storeId) throw invalidField('storeId', 'applies only to pos keys');
    const scope = await this.guard.grant(issuer, input);
    const key = KEY_PREFIX + randomBytes(32).toString('base64url');
    const row = await this.db
      .insertInto('api_keys')
      .values({
        name: input.name,
        role: input.role,
        brand_id: scope.brandId,
        program_ids: scope.programIds,
        store_id: scope.storeId,
        key_hash: hashToken(key),
        key_prefix: key.slice(0, KEY_PREFIX.length + 6),
      })
      .returning(['id', 'name', 'role', 'store_id', 'program_ids', 'key_prefix', 'created_at'])
      .executeTakeFirstOrThrow();
    return { ...(await this.#view(row)), key };
  }

  /** The keys within the caller's scope. */
  async list(principal: Principal) {
    let q = this.db
      .selectFrom('api_keys')
      .select(['id', 'name', 'role', 'brand_id', 'store_id', 'program_ids', 'key_prefix', 'created_at', 'revoked_at'])
      .orderBy('created_at');
    if (principal.brandId !== null) q = q.where('brand_id', '=', principal.brandId);
    const rows = await q.execute();
    const visible = [];
    for (const row of rows) if (await this.guard.keyWithin(principal, row)) visible.push(await this.#view(row));
    return visible;
  }

  /** Program ids as the slugs a caller knows them by. */
  async #view(row: Parameters<typeof toApiKeyView>[0] & { program_ids: string[] | null }) {
    return { ...toApiKeyView(row), programs: await this.guard.programSlugs(row.program_ids) };
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
