import { z } from 'zod';
import { operation } from '../../platform/http/operation.js';
import { line } from '../../platform/shared/text.js';
import { pageQuery } from '../../platform/shared/page-cursor.js';
import type { ProgramService } from '../../loyalty/programs/program-service.js';
import type { BirthdayAutomation } from './birthday-automation.js';
import type { PointsReminderAutomation } from './points-reminder.js';
import { createCampaignInput, previewInput } from './campaign-input.js';
import type { CampaignService } from './campaign-service.js';

export const automationRunInput = z.strictObject({ program: line().min(1), date: z.iso.date() });

const count = z.number().int();
export const campaignView = z
  .object({
    id: z.uuid(),
    kind: z.enum(['broadcast', 'birthday', 'reminder']),
    status: z.enum(['scheduled', 'running', 'completed', 'cancelled']),
    message: z.string(),
    audience: z.record(z.string(), z.unknown()),
    sendAt: z.iso.datetime(),
    bonusPoints: count,
    holdoutPercent: count,
    attributionDays: count,
    createdAt: z.iso.datetime(),
    startedAt: z.iso.datetime().nullable(),
    completedAt: z.iso.datetime().nullable(),
    counts: z.object({
      targeted: count,
      sent: count,
      sentApple: count,
      sentGoogle: count,
      notDelivered: count.describe('sent, but in no wallet: no Apple device registered, no Google object saved'),
      holdout: count.describe('kept out as the control group'),
      pending: count,
      skippedConsent: count,
      skippedFrequencyCap: count,
      skippedCardStatus: count,
      googleSilent: count.describe("Google's 3-a-day budget was spent: the message went to the card silently"),
      failed: count,
    }),
  })
  .meta({ id: 'Campaign' });

const idParams = z.object({ id: z.uuid() });
const marketing = ['admin', 'marketer'] as const;

export const campaignOperations = (
  campaigns: CampaignService,
  birthdays: BirthdayAutomation,
  reminders: PointsReminderAutomation,
  programs: ProgramService,
) => [
  operation({
    operationId: 'previewSegment',
    method: 'post',
    path: '/segments/preview',
    tag: 'Campaigns',
    summary: 'Count an audience (members with marketing consent) and show a sample',
    roles: marketing,
    body: previewInput,
    responses: {
      200: {
        description: 'The audience',
        schema: z.object({
          count: count.describe('members with marketing consent'),
          withoutConsent: count,
          sample: z.array(z.object({ cardNumber: z.string(), firstName: z.string(), tier: z.string(), balance: count })),
        }),
      },
    },
    targets: ({ body }) => [{ program: body.program, field: 'program' }],
    handler: async ({ body }) => ({ status: 200, body: await campaigns.preview(body.program, body.audience) }),
  }),
  operation({
    operationId: 'createCampaign',
    method: 'post',
    path: '/campaigns',
    tag: 'Campaigns',
    summary: 'Send a message (and optional bonus points) to a segment, now or at sendAt',
    description: 'Delivered through the cards’ message field within the frequency caps; GET the campaign for its counts.',
    roles: marketing,
    body: createCampaignInput,
    responses: { 202: { description: 'The campaign, scheduled or running', schema: campaignView, headers: { Location: 'The campaign' } } },
    targets: ({ body }) => [{ program: body.program, field: 'program' }],
    handler: async ({ body }) => {
      const program = await programs.requireForInput(body.program);
      const { campaign } = await campaigns.create({
        program,
        kind: 'broadcast',
        message: body.message,
        audience: body.audience,
        sendAt: body.sendAt ? new Date(body.sendAt) : undefined,
        bonusPoints: body.bonusPoints,
        holdoutPercent: body.holdoutPercent,
        attributionDays: body.attributionDays,
      });
      return { status: 202, headers: { Location: `/api/v1/campaigns/${campaign.id}` }, body: await campaigns.get(campaign.id) };
    },
  }),
  operation({
    operationId: 'listCampaigns',
    method: 'get',
    path: '/campaigns',
    tag: 'Campaigns',
    summary: "A program's campaigns and automation runs, newest first, with their delivery counts",
    description: 'Pages of `limit` (25, at most 100); the next page with `cursor` = `nextCursor` (null on the last page).',
    roles: marketing,
    query: z.object({
      program: line({ error: 'is required (a program slug)' }).min(1).describe('the program slug'),
      status: campaignView.shape.status.optional(),
      kind: campaignView.shape.kind.optional(),
      ...pageQuery,
    }),
    responses: { 200: { description: 'A page of campaigns', schema: z.object({ items: z.array(campaignView), nextCursor: z.string().nullable() }) } },
    errors: [404],
    targets: ({ query }) => [{ program: query.program, field: 'program' }],
    handler: async ({ query }) => {
      const program = await programs.requireForInput(query.program);
      return { status: 200, body: await campaigns.list(program.id, query) };
    },
  }),
  operation({
    operationId: 'getCampaign',
    method: 'get',
    path: '/campaigns/{id}',
    tag: 'Campaigns',
    summary: 'A campaign with its delivery counts',
    roles: marketing,
    params: idParams,
    responses: { 200: { description: 'The campaign', schema: campaignView } },
    errors: [404],
    targets: ({ params }) => [{ campaign: params.id }],
    handler: async ({ params }) => ({ status: 200, body: await campaigns.get(params.id) }),
  }),
  operation({
    operationId: 'cancelCampaign',
    method: 'post',
    path: '/campaigns/{id}/cancel',
    tag: 'Campaigns',
    summary: 'Cancel a scheduled campaign',
    roles: marketing,
    params: idParams,
    responses: { 200: { description: 'The campaign, cancelled', schema: campaignView } },
    errors: [404, 409],
    targets: ({ params }) => [{ campaign: params.id }],
    handler: async ({ params }) => {
      await campaigns.cancel(params.id);
      return { status: 200, body: await campaigns.get(params.id) };
    },
  }),
  operation({
    operationId: 'runBirthdayAutomation',
    method: 'post',
    path: '/automations/birthday/run',
    tag: 'Campaigns',
    summary: "Run the program's birthday greetings for a date (idempotent: a date runs once)",
    roles: marketing,
    body: automationRunInput,
    responses: {
      202: {
        description: 'The campaign of that date',
        schema: z.object({
          campaignId: z.uuid(),
          birthday: z.iso.date().describe('the birthday greeted (run date + daysBefore)'),
          created: z.boolean(),
          campaign: campaignView,
        }),
      },
    },
    errors: [409],
    targets: ({ body }) => [{ program: body.program, field: 'program' }],
    handler: async ({ body }) => {
      const run = await birthdays.runFor(await programs.requireForInput(body.program), body.date);
      return { status: 202, body: { ...run, campaign: await campaigns.get(run.campaignId) } };
    },
  }),
  operation({
    operationId: 'runPointsReminder',
    method: 'post',
    path: '/automations/points-reminder/run',
    tag: 'Campaigns',
    summary: 'Remind the members whose points expire soon, for a date (idempotent per expiry date)',
    roles: marketing,
    body: automationRunInput,
    responses: {
      202: {
        description: 'The campaign of that date',
        schema: z.object({ campaignId: z.uuid(), expiresOn: z.string(), created: z.boolean(), campaign: campaignView }),
      },
    },
    errors: [409],
    targets: ({ body }) => [{ program: body.program, field: 'program' }],
    handler: async ({ body }) => {
      const run = await reminders.runFor(await programs.requireForInput(body.program), body.date);
      return { status: 202, body: { ...run, campaign: await campaigns.get(run.campaignId) } };
    },
  }),
];
