import { z } from 'zod';
import { line, multiline } from '../../platform/shared/text.js';
import { amountInput, isCurrencyCode, percentInput } from '../../platform/shared/money.js';

const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

export const tierInput = z.strictObject({
  name: line().trim().min(1).max(20),
  minSpend: amountInput,
  earnPercent: percentInput,
});

const programFields = {
  name: line().trim().min(1).max(100),
  currency: line().trim().toUpperCase().refine(isCurrencyCode, { message: 'must be an ISO 4217 currency code, e.g. "RUB"' }),
  earnPercent: percentInput,
  maxRedeemPercent: percentInput,
  welcomeBonus: z.number().int().min(0).max(1_000_000),
  tiers: z
    .array(tierInput)
    .min(1)
    .max(10)
    .refine((tiers) => new Set(tiers.map((t) => t.name.toLowerCase())).size === tiers.length, {
      message: 'tier names must be unique',
    }),
  pointsExpireAfterMonths: z.number().int().min(1).max(120).nullable(),
  timezone: line().refine(isTimeZone, { message: 'must be an IANA time zone, e.g. "Europe/Moscow"' }),
  design: line().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must name a folder in templates/'),
  barcodeFormat: z.enum(['QR', 'PDF417', 'CODE128']),
  terms: multiline().max(4000),
  privacyPolicyUrl: z.url({ protocol: /^https?$/ }).nullable(),
  /** Refunds above this amount need a store manager's PIN at the till (null: none do). */
  refundApprovalAbove: amountInput.nullable(),
  /** The join form texts a code to the phone first (null: whenever texts can reach phones). */
  verifyPhone: z.boolean().nullable(),
  /** Countries whose numbers may join by the form (null: the deployment's DEFAULT_PHONE_REGION). */
  phoneRegions: z
    .array(line().regex(/^[A-Z]{2}$/, 'must be a two-letter country code, e.g. RU'))
    .min(1)
    .max(50)
    .nullable(),
  /** At most this many marketing messages per card per day and per week. */
  marketingCaps: z.strictObject({ perDay: z.number().int().min(0).max(50), perWeek: z.number().int().min(0).max(200) }),
  birthdayAutomation: z
    .strictObject({
      daysBefore: z.number().int().min(0).max(30).default(0),
      sendHour: z.number().int().min(0).max(23).default(10),
      bonusPoints: z.number().int().min(0).max(1_000_000).default(0),
      text: multiline().trim().min(1).max(500),
      /** A share of each run kept as its control group (the automation's monthly report). */
      holdoutPercent: z.number().int().min(0).max(90).default(0),
    })
    .nullable(),
  pointsReminder: z
    .strictObject({
      daysBefore: z.number().int().min(1).max(90).default(14),
      sendHour: z.number().int().min(0).max(23).default(11),
      text: multiline().trim().min(1).max(500),
      holdoutPercent: z.number().int().min(0).max(90).default(0),
    })
    .nullable(),
};

export const createProgramInput = z
  .strictObject({
    slug: line().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be 2–63 lowercase letters, digits or dashes'),
    ...programFields,
    name: programFields.name,
    brand: line()
      .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be a brand slug')
      .describe("the brand (default: the key's own; for the deployment key, the first brand)"),
  })
  .partial()
  .required({ slug: true, name: true })
  .meta({ id: 'CreateProgram' });

export const updateProgramInput = z.strictObject(programFields).partial().meta({ id: 'UpdateProgram' });

/** The automations' settings on their own: a marketer sets them up without the program's other rules. */
export const birthdayAutomationInput = programFields.birthdayAutomation.unwrap().meta({ id: 'BirthdayAutomation' });
export const pointsReminderInput = programFields.pointsReminder.unwrap().meta({ id: 'PointsReminder' });

export type CreateProgramInput = z.infer<typeof createProgramInput>;
export type UpdateProgramInput = z.infer<typeof updateProgramInput>;
