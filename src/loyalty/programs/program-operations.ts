import { z } from 'zod';
import { operation } from '../../platform/http/operation.js';
import { line } from '../../platform/shared/text.js';
import { birthdayAutomationInput, createProgramInput, pointsReminderInput, updateProgramInput } from './program-input.js';
import { toProgramView, type ProgramService } from './program-service.js';
import type { ScopeGuard } from '../../access/scope/scope-guard.js';

export const slugParams = z.object({ slug: line().min(1).max(63) });

const money = z.string().describe('an amount in major units, e.g. "1000.00"');

export const programView = z
  .object({
    id: z.uuid(),
    brandId: z.uuid(),
    slug: z.string(),
    name: z.string(),
    currency: z.string(),
    earnPercent: z.number(),
    maxRedeemPercent: z.number(),
    welcomeBonus: z.number().int(),
    tiers: z.array(z.object({ name: z.string(), minSpend: money, earnPercent: z.number() })),
    pointsExpireAfterMonths: z.number().int().nullable(),
    timezone: z.string(),
    design: z.string(),
    barcodeFormat: z.enum(['QR', 'PDF417', 'CODE128']),
    terms: z.string(),
    privacyPolicyUrl: z.string().nullable(),
    refundApprovalAbove: money.nullable().meta({ description: "refunds above it need a store manager's PIN at the till" }),
    verifyPhone: z.boolean().nullable().meta({ description: 'null: the join form asks for a texted code whenever texts can reach phones' }),
    phoneRegions: z.array(z.string()).nullable().meta({ description: "null: the deployment's DEFAULT_PHONE_REGION" }),
    marketingCaps: z.object({ perDay: z.number().int(), perWeek: z.number().int() }),
    birthdayAutomation: z
      .object({ daysBefore: z.number().int(), sendHour: z.number().int(), bonusPoints: z.number().int(), text: z.string(), holdoutPercent: z.number().int() })
      .nullable(),
    pointsReminder: z.object({ daysBefore: z.number().int(), sendHour: z.number().int(), text: z.string(), holdoutPercent: z.number().int() }).nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Program' });

export const programOperations = (programs: ProgramService, guard: ScopeGuard) => [
  operation({
    operationId: 'createProgram',
    method: 'post',
    path: '/programs',
    tag: 'Programs',
    summary: 'Create a loyalty program (defaults for everything but slug and name)',
    roles: ['admin'],
    body: createProgramInput,
    responses: { 201: { description: 'The program', schema: programView, headers: { Location: 'The program' } } },
    errors: [409],
    // The program goes to the caller's brand.
    targets: () => [],
    handler: async ({ body, principal }) => {
      const program = await programs.create(body, await guard.brandForNewProgram(principal, body.brand));
      return { status: 201, headers: { Location: `/api/v1/programs/${program.slug}` }, body: toProgramView(program) };
    },
  }),
  operation({
    operationId: 'listPrograms',
    method: 'get',
    path: '/programs',
    tag: 'Programs',
    summary: 'The programs within the caller’s scope, by name (what a console offers to choose from)',
    roles: ['admin', 'marketer'],
    responses: { 200: { description: 'The programs', schema: z.object({ items: z.array(programView) }) } },
    targets: () => [],
    handler: async ({ principal }) => ({ status: 200, body: { items: (await programs.listWithin(principal)).map(toProgramView) } }),
  }),
  operation({
    operationId: 'getProgram',
    method: 'get',
    path: '/programs/{slug}',
    tag: 'Programs',
    summary: 'Get a program',
    roles: ['admin', 'marketer'],
    params: slugParams,
    responses: { 200: { description: 'The program', schema: programView } },
    errors: [404],
    targets: ({ params }) => [{ program: params.slug }],
    handler: async ({ params }) => ({ status: 200, body: toProgramView(await programs.getBySlug(params.slug)) }),
  }),
  operation({
    operationId: 'updateProgram',
    method: 'patch',
    path: '/programs/{slug}',
    tag: 'Programs',
    summary: 'Change a program; a change to what the cards show (name, terms, design, barcode, tiers) refreshes every pass',
    roles: ['admin'],
    params: slugParams,
    body: updateProgramInput,
    responses: { 200: { description: 'The program', schema: programView } },
    errors: [404],
    targets: ({ params }) => [{ program: params.slug }],
    handler: async ({ params, body }) => ({ status: 200, body: toProgramView(await programs.update(params.slug, body)) }),
  }),
  ...(
    [
      [
        'birthday',
        'birthdayAutomation',
        birthdayAutomationInput,
        'Set up the birthday message (with optional points), sent each day to those whose birthday it is',
      ],
      ['points-reminder', 'pointsReminder', pointsReminderInput, 'Set up the reminder of points about to expire'],
    ] as const
  ).flatMap(([kind, field, input, summary]) => [
    operation({
      operationId: field === 'birthdayAutomation' ? 'setBirthdayAutomation' : 'setPointsReminder',
      method: 'put',
      path: `/programs/{slug}/automations/${kind}`,
      tag: 'Campaigns',
      summary,
      description: 'For marketers as for admins (the rest of the program is the admin’s). The program shows it as `' + field + '`.',
      roles: ['admin', 'marketer'],
      params: slugParams,
      body: input,
      responses: { 200: { description: 'The program', schema: programView } },
      errors: [404],
      targets: ({ params }) => [{ program: params.slug }],
      handler: async ({ params, body }) => ({ status: 200, body: toProgramView(await programs.update(params.slug, { [field]: body })) }),
    }),
    operation({
      operationId: field === 'birthdayAutomation' ? 'stopBirthdayAutomation' : 'stopPointsReminder',
      method: 'delete',
      path: `/programs/{slug}/automations/${kind}`,
      tag: 'Campaigns',
      summary: `Turn the ${kind === 'birthday' ? 'birthday message' : 'points reminder'} off`,
      roles: ['admin', 'marketer'],
      params: slugParams,
      responses: { 200: { description: 'The program', schema: programView } },
      errors: [404],
      targets: ({ params }) => [{ program: params.slug }],
      handler: async ({ params }) => ({ status: 200, body: toProgramView(await programs.update(params.slug, { [field]: null })) }),
    }),
  ]),
];
