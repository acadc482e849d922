import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import type { Program } from '../../platform/db/schema.js';
import type { Principal, ScopeTarget } from '../../platform/http/operation.js';
import { AppError, invalidField, notFound } from '../../platform/shared/errors.js';
import { firstBrandId } from '../brands/brand-service.js';

/** The program a target belongs to, and its brand; undefined: no such thing. */
type Owner = { program_id: string; brand_id: string };
/** Targets that belong to a program. */
type Owned = Exclude<ScopeTarget, { apiKey: string } | { staff: string } | { brand: string }>;

/**
 * Confines every caller to its scope: a program, store, customer, card, campaign, restock
 * subscription or key outside the caller's brand, programs or store does not exist for it (404, the
 * same answer as for one that does not exist at all), so nothing can be learned or changed across.
 */
export class ScopeGuard {
  constructor(private readonly db: Db) {}

  /** The route table's Confiner: resolves what the target belongs to, in one query. */
  readonly confine = async (principal: Principal, target: ScopeTarget): Promise<void> => {
    if ('apiKey' in target) return this.#confineKey(principal, target.apiKey);
    if ('staff' in target) return this.#confineStaff(principal, target.staff);
    if ('brand' in target) return this.#confineBrand(principal, target.brand);
    const owner = await this.#owner(target);
    if (owner && this.allows(principal, owner)) return;
    if (target.field) throw invalidField(target.field, `no such ${describe(target).split(' ')[0]!.toLowerCase()}`);
    throw notFound(describe(target));
  };

  /** The brand a target belongs to (the audit log's brand for the deployment key's writes). */
  async brandOf(target: Record<string, string>): Promise<string | null> {
    const [kind, id] = Object.entries(target)[0] ?? [];
    if (!kind || id === undefined) return null;
    const uuid = isUuid(id);
    if (kind === 'brand') return (await this.db.selectFrom('brands').select('id').where('slug', '=', id).executeTakeFirst())?.id ?? null;
    if (kind === 'apiKey' || kind === 'staff') {
      if (!uuid) return null;
      const table = kind === 'apiKey' ? 'api_keys' : 'staff';
      return (await this.db.selectFrom(table).select('brand_id').where('id', '=', id).executeTakeFirst())?.brand_id ?? null;
    }
    if (kind === 'created') {
      // Whatever a create made: a brand, program, store, key, person, device or card.
      const row = await sql<{ brand_id: string }>`
        select id as brand_id from brands where ${uuid} and id = ${uuid ? id : null}::uuid
        union all select brand_id from programs where ${uuid} and id = ${uuid ? id : null}::uuid
        union all select p.brand_id from stores s join programs p on p.id = s.program_id where ${uuid} and s.id = ${uuid ? id : null}::uuid
        union all select brand_id from api_keys where ${uuid} and id = ${uuid ? id : null}::uuid
        union all select brand_id from staff where ${uuid} and id = ${uuid ? id : null}::uuid
        union all select p.brand_id from cards c join programs p on p.id = c.program_id where c.card_number = ${id}
        limit 1`.execute(this.db);
      return row.rows[0]?.brand_id ?? null;
    }
    return (await this.#owner({ [kind]: id } as Owned))?.brand_id ?? null;
  }

  /**
   * Whether the principal's scope reaches a program. A till's programIds are its store's program: it
   * sees that program's cards and stores; what it may do at another store is its service's rule.
   */
  allows(principal: Principal, owner: Owner): boolean {
    if (principal.brandId !== null && owner.brand_id !== principal.brandId) return false;
    if (principal.programIds !== null && !principal.programIds.includes(owner.program_id)) return false;
    return true;
  }

  /** The brand a new program goes to: the caller's own, or (deployment scope) the one named, else the first. */
  async brandForNewProgram(principal: Principal, brandSlug: string | undefined): Promise<string> {
    if (principal.programIds !== null || principal.storeId !== null) {
      throw new AppError(403, 'Forbidden', 'This key is scoped to some programs or a store: it cannot create programs');
    }
    if (principal.brandId !== null) {
      if (brandSlug !== undefined) {
        const own = await this.db.selectFrom('brands').select('slug').where('id', '=', principal.brandId).executeTakeFirstOrThrow();
        if (own.slug !== brandSlug) throw notFound(`Brand ${brandSlug}`);
      }
      return principal.brandId;
    }
    const brand = brandSlug
      ? (await this.db.selectFrom('brands').select('id').where('slug', '=', brandSlug).executeTakeFirst())?.id
      : await firstBrandId(this.db);
    if (!brand) throw notFound(`Brand ${brandSlug}`);
    return brand;
  }

  /**
   * The scope a new key or staff member gets, checked to lie within the issuer's: its brand (a
   * deployment issuer may name one, or it follows from the store or programs named, else the first
   * brand), a set of programs or a store. Unknown or out-of-scope names are 400s naming the field;
   * a program-scoped issuer granting a whole brand is 403.
   */
  async grant(
    issuer: Principal,
    input: { brand?: string | undefined; programs?: string[] | undefined; storeId?: string | undefined },
  ): Promise<{ brandId: string; programIds: string[] | null; storeId: string | null }> {
    if (input.storeId && input.programs) throw invalidField('programs', 'does not apply with a store (the scope is the store)');
    if (input.brand !== undefined && issuer.brandId !== null)
      throw invalidField('brand', 'can only be named by a deployment key (this key belongs to a brand)');
    const brandId = issuer.brandId ?? (input.brand !== undefined ? await this.#brandId(input.brand) : await this.#impliedBrand(input));
    const scoped = { ...issuer, brandId };
    let storeId: string | null = null;
    if (input.storeId) {
      const store = await this.db
        .selectFrom('stores')
        .innerJoin('programs', 'programs.id', 'stores.program_id')
        .select(['stores.id', 'stores.program_id', 'programs.brand_id'])
        .where('stores.id', '=', input.storeId)
        .executeTakeFirst();
      if (!store || !this.allows(scoped, { program_id: store.program_id, brand_id: store.brand_id })) throw invalidField('storeId', 'no such store');
      storeId = store.id;
    }
    let programIds: string[] | null = null;
    if (input.programs) {
      programIds = [];
      for (const [i, slug] of input.programs.entries()) {
        const program = await this.db.selectFrom('programs').select(['id', 'brand_id']).where('slug', '=', slug).executeTakeFirst();
        if (!program || !this.allows(scoped, { program_id: program.id, brand_id: program.brand_id })) {
          throw invalidField(`programs[${i}]`, `no such program in this brand: ${slug}`);
        }
        programIds.push(program.id);
      }
    } else if (!storeId && issuer.programIds !== null) {
      throw new AppError(403, 'Forbidden', 'This key is scoped to some programs: name them (programs); the whole brand would be wider than its own scope');
    }
    return { brandId, programIds, storeId };
  }

  /** Program ids as the slugs a caller knows them by (null stays null: the whole brand). */
  async programSlugs(ids: string[] | null): Promise<string[] | null> {
    if (!ids?.length) return null;
    return (await this.db.selectFrom('programs').select('slug').where('id', 'in', ids).execute()).map((p) => p.slug).sort();
  }

  /** A deployment issuer naming no brand: the brand of the store or programs named, else the first brand. */
  async #impliedBrand(input: { programs?: string[] | undefined; storeId?: string | undefined }): Promise<string> {
    const owner = input.storeId
      ? await this.db
          .selectFrom('stores')
          .innerJoin('programs', 'programs.id', 'stores.program_id')
          .select('programs.brand_id')
          .where('stores.id', '=', input.storeId)
          .executeTakeFirst()
      : input.programs?.length
        ? await this.db.selectFrom('programs').select('brand_id').where('slug', '=', input.programs[0]!).executeTakeFirst()
        : undefined;
    return owner?.brand_id ?? this.#brandId(undefined);
  }

  async #brandId(slug: string | undefined): Promise<string> {
    const brand = slug ? (await this.db.selectFrom('brands').select('id').where('slug', '=', slug).executeTakeFirst())?.id : await firstBrandId(this.db);
    if (!brand) throw invalidField('brand', `no such brand: ${slug}`);
    return brand;
  }

  /** Programs a list may show. */
  visiblePrograms(principal: Principal, programs: Program[]): Program[] {
    return programs.filter((p) => this.allows(principal, { program_id: p.id, brand_id: p.brand_id }));
  }

  async #owner(target: Owned): Promise<Owner | undefined> {
    const q = this.db;
    let row: Owner | undefined;
    if ('program' in target) {
      row = await q.selectFrom('programs').select(['id as program_id', 'brand_id']).where('slug', '=', target.program).executeTakeFirst();
    } else if ('card' in target) {
      row = await q
        .selectFrom('cards')
        .innerJoin('programs', 'programs.id', 'cards.program_id')
        .select(['cards.program_id', 'programs.brand_id'])
        .where('cards.card_number', '=', target.card)
        .executeTakeFirst();
    } else if ('customer' in target) {
      if (!isUuid(target.customer)) return undefined;
      row = await q
        .selectFrom('customers')
        .innerJoin('programs', 'programs.id', 'customers.program_id')
        .select(['customers.program_id', 'programs.brand_id'])
        .where('customers.id', '=', target.customer)
        .executeTakeFirst();
    } else if ('store' in target) {
      if (!isUuid(target.store)) return undefined;
      row = await q
        .selectFrom('stores')
        .innerJoin('programs', 'programs.id', 'stores.program_id')
        .select(['stores.program_id', 'programs.brand_id'])
        .where('stores.id', '=', target.store)
        .executeTakeFirst();
    } else if ('campaign' in target) {
      if (!isUuid(target.campaign)) return undefined;
      row = await q
        .selectFrom('campaigns')
        .innerJoin('programs', 'programs.id', 'campaigns.program_id')
        .select(['campaigns.program_id', 'programs.brand_id'])
        .where('campaigns.id', '=', target.campaign)
        .executeTakeFirst();
    } else if ('tillDevice' in target) {
      if (!isUuid(target.tillDevice)) return undefined;
      row = await q
        .selectFrom('till_devices as d')
        .innerJoin('stores', 'stores.id', 'd.store_id')
        .innerJoin('programs', 'programs.id', 'stores.program_id')
        .select(['stores.program_id', 'programs.brand_id'])
        .where('d.id', '=', target.tillDevice)
        .executeTakeFirst();
    } else {
      // A subscription is named by its id or by its unsubscribe token.
      const id = target.restockSubscription;
      row = await q
        .selectFrom('restock_subscriptions as r')
        .innerJoin('programs', 'programs.id', 'r.program_id')
        .select(['r.program_id', 'programs.brand_id'])
        .where(isUuid(id) ? sql<boolean>`r.id = ${id}::uuid or r.unsubscribe_token = ${id}` : sql<boolean>`r.unsubscribe_token = ${id}`)
        .executeTakeFirst();
    }
    return row;
  }

  /** A brand's settings (identities, SMS sender) are for the deployment key and the brand's brand-wide admins. */
  async #confineBrand(principal: Principal, slug: string): Promise<void> {
    const brand = await this.db.selectFrom('brands').select('id').where('slug', '=', slug).executeTakeFirst();
    if (!brand || (principal.brandId !== null && principal.brandId !== brand.id)) throw notFound(`Brand ${slug}`);
    if (principal.programIds !== null || principal.storeId !== null)
      throw new AppError(403, 'Forbidden', "A brand's settings are for its brand-wide admins; this key is scoped to some programs or a store");
  }

  /** Keys: a brand's keys are its own; a programs-scoped admin sees those within its programs. */
  async #confineKey(principal: Principal, id: string): Promise<void> {
    const key = isUuid(id) ? await this.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst() : undefined;
    if (!key || !(await this.keyWithin(principal, key))) throw notFound('API key');
  }

  async #confineStaff(principal: Principal, id: string): Promise<void> {
    const staff = isUuid(id)
      ? await this.db.selectFrom('staff').select(['brand_id', 'program_ids', 'store_id']).where('id', '=', id).executeTakeFirst()
      : undefined;
    if (!staff || !(await this.keyWithin(principal, staff))) throw notFound('Staff member');
  }

  /** Whether a key's scope lies within the principal's (so the principal may see, issue or revoke it). */
  async keyWithin(principal: Principal, key: { brand_id: string; program_ids: string[] | null; store_id: string | null }): Promise<boolean> {
    if (principal.brandId === null) return true;
    if (key.brand_id !== principal.brandId) return false;
    if (principal.programIds === null) return true;
    if (key.store_id) {
      const store = await this.db.selectFrom('stores').select('program_id').where('id', '=', key.store_id).executeTakeFirst();
      return store !== undefined && principal.programIds.includes(store.program_id);
    }
    return key.program_ids !== null && key.program_ids.every((p) => principal.programIds!.includes(p));
  }
}

export const isUuid = (v: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v);

function describe(target: ScopeTarget): string {
  if ('program' in target) return `Program ${target.program}`;
  if ('card' in target) return `Card ${target.card}`;
  if ('customer' in target) return 'Customer';
  if ('store' in target) return 'Store';
  if ('campaign' in target) return 'Campaign';
  if ('restockSubscription' in target) return 'Subscription';
  if ('staff' in target) return 'Staff member';
  if ('tillDevice' in target) return 'Till device';
  return 'API key';
}
