import { firstBrandId } from '../../access/brands/brand-service.js';
import { sql } from 'kysely';
import type { UnitOfWork } from '../../platform/db/unit-of-work.js';
import type { Principal } from '../../platform/http/operation.js';
import type { Program, TierDefinition } from '../../platform/db/schema.js';
import { conflict, invalidField, notFound, ValidationError } from '../../platform/shared/errors.js';
import { bpToPercent, currencyExponent, fromMinorUnits, percentToBp, toMinorUnits } from '../../platform/shared/money.js';
import { isUniqueViolation } from '../../platform/db/errors.js';
import type { CreateProgramInput, UpdateProgramInput } from './program-input.js';
import type { WalletOutbox } from '../../wallets/outbox/wallet-outbox.js';

export const DEFAULT_TIER_NAME = 'Member';

/** Program settings shown on the cards: changing one refreshes every pass. */
const PASS_FIELDS = ['name', 'terms', 'design', 'barcodeFormat', 'tiers'] as const;

export class ProgramService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: WalletOutbox,
  ) {}
  private get db() {
    return this.uow.db;
  }

  /** brandId: the brand it belongs to (default: the first brand, as on a one-brand deployment). */
  async create(input: CreateProgramInput, brandId?: string): Promise<Program> {
    const brand = brandId ?? (await firstBrandId(this.db));
    if (!brand) throw new Error('no brand: the migrations create the first one');
    const currency = input.currency ?? 'RUB';
    const earnRateBp = percentToBp(input.earnPercent ?? 10);
    const tiers = input.tiers ? toTierDefinitions(input.tiers, currency) : [{ name: DEFAULT_TIER_NAME, minSpendMinor: 0, earnRateBp }];
    try {
      return await this.db
        .insertInto('programs')
        .values({
          brand_id: brand,
          slug: input.slug,
          name: input.name,
          currency,
          earn_rate_bp: earnRateBp,
          max_redeem_bp: percentToBp(input.maxRedeemPercent ?? 30),
          welcome_bonus: input.welcomeBonus ?? 0,
          tiers: JSON.stringify(tiers),
          points_expire_after_months: input.pointsExpireAfterMonths ?? null,
          timezone: input.timezone ?? 'UTC',
          design: input.design ?? 'default',
          barcode_format: input.barcodeFormat ?? 'QR',
          terms: input.terms ?? '',
          privacy_policy_url: input.privacyPolicyUrl ?? null,
          verify_phone: input.verifyPhone ?? null,
          refund_approval_above_minor: refundLimit(input.refundApprovalAbove, currency),
          phone_regions: input.phoneRegions ?? null,
          ...(input.marketingCaps && { marketing_caps: JSON.stringify(input.marketingCaps) }),
          birthday_automation: input.birthdayAutomation ? JSON.stringify(input.birthdayAutomation) : null,
          points_reminder: input.pointsReminder ? JSON.stringify(input.pointsReminder) : null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(`A program with slug "${input.slug}" already exists`);
      throw err;
    }
  }

  async findBySlug(slug: string): Promise<Program | undefined> {
    return this.db.selectFrom('programs').selectAll().where('slug', '=', slug).executeTakeFirst();
  }

  /** The programs a caller's scope reaches (its brand's, or the ones it is confined to), by name. */
  async listWithin(scope: Pick<Principal, 'brandId' | 'programIds'>): Promise<Program[]> {
    let q = this.uow.db.selectFrom('programs').selectAll();
    if (scope.brandId !== null) q = q.where('brand_id', '=', scope.brandId);
    if (scope.programIds !== null) q = scope.programIds.length ? q.where('id', 'in', scope.programIds) : q.where(sql<boolean>`false`);
    return q.orderBy('name').orderBy('slug').execute();
  }

  async getBySlug(slug: string): Promise<Program> {
    const program = await this.findBySlug(slug);
    if (!program) throw notFound(`Program "${slug}"`);
    return program;
  }

  /** Resolves a program named in a request body; an unknown one is a field error, not a 404. */
  async requireForInput(slug: string, field = 'program'): Promise<Program> {
    const program = await this.findBySlug(slug);
    if (!program) throw invalidField(field, `no program with slug "${slug}"`);
    return program;
  }

  async update(slug: string, input: UpdateProgramInput): Promise<Program> {
    const updated = await this.uow.run(async (trx) => {
      const current = await trx.selectFrom('programs').selectAll().where('slug', '=', slug).forUpdate().executeTakeFirst();
      if (!current) throw notFound(`Program "${slug}"`);
      const currency = input.currency ?? current.currency;
      if (input.currency && input.currency !== current.currency && !input.tiers) {
        throw invalidField('currency', 'changing the currency needs the tiers restated in the new currency');
      }
      const program = await trx
        .updateTable('programs')
        .set({
          ...(input.name !== undefined && { name: input.name }),
          ...(input.currency !== undefined && { currency }),
          ...(input.earnPercent !== undefined && { earn_rate_bp: percentToBp(input.earnPercent) }),
          ...(input.maxRedeemPercent !== undefined && { max_redeem_bp: percentToBp(input.maxRedeemPercent) }),
          ...(input.welcomeBonus !== undefined && { welcome_bonus: input.welcomeBonus }),
          ...(input.tiers !== undefined && { tiers: JSON.stringify(toTierDefinitions(input.tiers, currency)) }),
          ...(input.pointsExpireAfterMonths !== undefined && { points_expire_after_months: input.pointsExpireAfterMonths }),
          ...(input.timezone !== undefined && { timezone: input.timezone }),
          ...(input.design !== undefined && { design: input.design }),
          ...(input.barcodeFormat !== undefined && { barcode_format: input.barcodeFormat }),
          ...(input.terms !== undefined && { terms: input.terms }),
          ...(input.privacyPolicyUrl !== undefined && { privacy_policy_url: input.privacyPolicyUrl }),
          ...(input.verifyPhone !== undefined && { verify_phone: input.verifyPhone }),
          ...(input.refundApprovalAbove !== undefined && { refund_approval_above_minor: refundLimit(input.refundApprovalAbove, currency) }),
          ...(input.phoneRegions !== undefined && { phone_regions: input.phoneRegions }),
          ...(input.marketingCaps !== undefined && { marketing_caps: JSON.stringify(input.marketingCaps) }),
          ...(input.birthdayAutomation !== undefined && { birthday_automation: input.birthdayAutomation ? JSON.stringify(input.birthdayAutomation) : null }),
          ...(input.pointsReminder !== undefined && { points_reminder: input.pointsReminder ? JSON.stringify(input.pointsReminder) : null }),
          updated_at: new Date(),
        })
        .where('id', '=', current.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      if (PASS_FIELDS.some((field) => input[field] !== undefined)) await this.outbox.programChanged(trx, current.id);
      return program;
    });
    return updated;
  }
}

function toTierDefinitions(tiers: { name: string; minSpend: string | number; earnPercent: number }[], currency: string): TierDefinition[] {
  const exponent = currencyExponent(currency);
  const problems: { field: string; message: string }[] = [];
  const defs = tiers.map((tier, i) => {
    const minSpendMinor = toMinorUnits(tier.minSpend, exponent);
    if (minSpendMinor === null) problems.push({ field: `tiers.${i}.minSpend`, message: `must have at most ${exponent} decimals in ${currency}` });
    return { name: tier.name, minSpendMinor: minSpendMinor ?? 0, earnRateBp: percentToBp(tier.earnPercent) };
  });
  if (problems.length) throw new ValidationError(problems);
  defs.sort((a, b) => a.minSpendMinor - b.minSpendMinor);
  if (defs[0]?.minSpendMinor !== 0) throw invalidField('tiers', 'one tier must start at minSpend 0 so every customer has a tier');
  if (new Set(defs.map((d) => d.minSpendMinor)).size !== defs.length) throw invalidField('tiers', 'two tiers have the same minSpend');
  return defs;
}

/** The tier for an accumulated spend: the highest threshold reached. */
export function tierForSpend(tiers: TierDefinition[], spendMinor: number): TierDefinition {
  let current = tiers[0];
  for (const tier of tiers) if (spendMinor >= tier.minSpendMinor) current = tier;
  if (!current) throw new Error('program has no tiers');
  return current;
}

export function toProgramView(p: Program) {
  const exponent = currencyExponent(p.currency);
  return {
    id: p.id,
    brandId: p.brand_id,
    slug: p.slug,
    name: p.name,
    currency: p.currency,
    earnPercent: bpToPercent(p.earn_rate_bp),
    maxRedeemPercent: bpToPercent(p.max_redeem_bp),
    welcomeBonus: p.welcome_bonus,
    tiers: p.tiers.map((t) => ({ name: t.name, minSpend: fromMinorUnits(t.minSpendMinor, exponent), earnPercent: bpToPercent(t.earnRateBp) })),
    pointsExpireAfterMonths: p.points_expire_after_months,
    timezone: p.timezone,
    design: p.design,
    barcodeFormat: p.barcode_format,
    terms: p.terms,
    privacyPolicyUrl: p.privacy_policy_url,
    verifyPhone: p.verify_phone,
    refundApprovalAbove: p.refund_approval_above_minor === null ? null : fromMinorUnits(p.refund_approval_above_minor, exponent),
    phoneRegions: p.phone_regions,
    marketingCaps: p.marketing_caps,
    birthdayAutomation: p.birthday_automation && { ...p.birthday_automation, holdoutPercent: p.birthday_automation.holdoutPercent ?? 0 },
    pointsReminder: p.points_reminder && { ...p.points_reminder, holdoutPercent: p.points_reminder.holdoutPercent ?? 0 },
    createdAt: p.created_at.toISOString(),
    updatedAt: p.updated_at.toISOString(),
  };
}

/** The refund limit in minor units (null: no limit). */
function refundLimit(amount: string | number | null | undefined, currency: string): number | null {
  if (amount === undefined || amount === null) return null;
  const exponent = currencyExponent(currency);
  const minor = toMinorUnits(amount, exponent);
  if (minor === null || minor < 0) throw invalidField('refundApprovalAbove', `must be an amount in ${currency} with at most ${exponent} decimals`);
  return minor;
}
