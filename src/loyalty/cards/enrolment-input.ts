import { z } from 'zod';
import { line } from '../../platform/shared/text.js';
import { langSchema } from '../../platform/web/lang.js';

export const ENROLMENT_SOURCES = ['api', 'pos', 'qr', 'sms', 'poster', 'web', 'till'] as const;

export const birthdayDate = z.iso.date({ message: 'must be a date as YYYY-MM-DD' }).refine(
  (d) => {
    const year = Number(d.slice(0, 4));
    return year >= 1900 && new Date(d) <= new Date();
  },
  { message: 'must be a real birthday (1900 or later, not in the future)' },
);

export const customerInput = z.strictObject({
  name: line().trim().min(1).max(60),
  phone: line().trim().min(5).max(30),
  birthday: birthdayDate.optional(),
  email: z.email().max(200).optional(),
});

export const enrolmentInput = z
  .strictObject({
    program: line().min(1),
    customer: customerInput,
    consent: z.strictObject({
      personalData: z.literal(true, { error: 'must be true: a card needs consent to process personal data' }),
      marketing: z.boolean().default(false),
    }),
    homeStoreId: z.uuid().optional(),
    source: z.enum(ENROLMENT_SOURCES).optional(),
    /** Text the customer their personal card link (in this language). */
    sendSms: z.boolean().default(false),
    lang: langSchema.default('ru'),
  })
  .meta({ id: 'Enrolment' });

export type EnrolmentInput = z.infer<typeof enrolmentInput>;
