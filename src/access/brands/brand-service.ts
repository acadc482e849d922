import type { Db } from '../../platform/db/database.js';
import type { Brand } from '../../platform/db/schema.js';
import type { Principal } from '../../platform/http/operation.js';
import { isUniqueViolation } from '../../platform/db/errors.js';
import { AppError, conflict, notFound } from '../../platform/shared/errors.js';

export interface BrandSettings {
  name?: string | undefined;
  privacyUrl?: string | null | undefined;
  smsSender?: string | null | undefined;
  smsSignature?: string | null | undefined;
}

/** Brands are the deployment's tenants; only the deployment's own key (ADMIN_API_KEY) manages them. */
export class BrandService {
  constructor(private readonly db: Db) {}

  async create(input: { slug: string; name: string; privacyUrl?: string | undefined }, principal: Principal): Promise<Brand> {
    deploymentOnly(principal);
    try {
      return await this.db
        .insertInto('brands')
        .values({ slug: input.slug, name: input.name, privacy_url: input.privacyUrl ?? null })
        .returningAll()
        .executeTakeFirstOrThrow();
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(`A brand with slug ${input.slug} already exists`);
      throw err;
    }
  }

  async get(slug: string): Promise<Brand> {
    const brand = await this.db.selectFrom('brands').selectAll().where('slug', '=', slug).executeTakeFirst();
    if (!brand) throw notFound(`Brand ${slug}`);
    return brand;
  }

  /** Name, privacy link and the sender and signature of the brand's texts; null clears a setting. */
  async update(slug: string, input: BrandSettings, principal: Principal): Promise<Brand> {
    // Sender ids and numbers belong to the deployment's gateway account: a brand choosing any could
    // text as another brand (or another company). The operator sets them.
    if (input.smsSender !== undefined && principal.brandId !== null)
      throw new AppError(403, 'Forbidden', "Only the deployment key (ADMIN_API_KEY) sets a brand's SMS sender: it is the gateway account's");
    const set = {
      ...(input.name !== undefined && { name: input.name }),
      ...(input.privacyUrl !== undefined && { privacy_url: input.privacyUrl }),
      ...(input.smsSender !== undefined && { sms_sender: input.smsSender }),
      ...(input.smsSignature !== undefined && { sms_signature: input.smsSignature }),
    };
    if (Object.keys(set).length === 0) return this.get(slug);
    const brand = await this.db.updateTable('brands').set(set).where('slug', '=', slug).returningAll().executeTakeFirst();
    if (!brand) throw notFound(`Brand ${slug}`);
    return brand;
  }

  /** Every brand for the deployment key; a brand's own keys see their brand. */
  async list(principal: Principal): Promise<Brand[]> {
    let q = this.db.selectFrom('brands').selectAll().orderBy('created_at').orderBy('id');
    if (principal.brandId !== null) q = q.where('id', '=', principal.brandId);
    return q.execute();
  }
}

/** The sender id and signature of a brand's texts (null: the deployment's sender, no signature). */
export async function brandSender(db: Db, brandId: string): Promise<{ from: string | null; signature: string | null }> {
  const row = await db.selectFrom('brands').select(['sms_sender', 'sms_signature']).where('id', '=', brandId).executeTakeFirst();
  return { from: row?.sms_sender ?? null, signature: row?.sms_signature ?? null };
}

/** The first brand: where a one-brand deployment's programs go (everything that existed on upgrade). */
export async function firstBrandId(db: Db): Promise<string | undefined> {
  return (await db.selectFrom('brands').select('id').orderBy('created_at').orderBy('id').limit(1).executeTakeFirst())?.id;
}

function deploymentOnly(principal: Principal): void {
  if (principal.brandId !== null) throw new AppError(403, 'Forbidden', 'Only the deployment key (ADMIN_API_KEY) manages brands; this key belongs to a brand');
}

export function toBrandView(b: Brand) {
  return {
    id: b.id,
    slug: b.slug,
    name: b.name,
    privacyUrl: b.privacy_url,
    smsSender: b.sms_sender,
    smsSignature: b.sms_signature,
    createdAt: b.created_at.toISOString(),
  };
}
