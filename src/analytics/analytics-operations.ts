import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../platform/db/database.js';
import { operation } from '../platform/http/operation.js';
import { line } from '../platform/shared/text.js';
import type { ProgramService } from '../loyalty/programs/program-service.js';
import { attributionReport, reportCsv } from '../engagement/campaigns/campaign-report.js';
import { analyticsCsv, programAnalytics, WALLET_CHANNELS } from './program-analytics.js';

const marketing = ['admin', 'marketer'] as const;
const count = z.number().int();
const money = z.string().describe('in the program currency');
const slugParams = z.object({ slug: line().min(1).max(63) });
/** A calendar day the database takes (year 0 exists for ISO, not for PostgreSQL). */
const day = () => z.iso.date().refine((d) => d >= '1900-01-01' && d <= '2999-12-31', 'must be a day between 1900-01-01 and 2999-12-31');
const analyticsQuery = z.strictObject({
  from: day().describe("first day, in the program's time zone"),
  to: day().describe('last day (inclusive)'),
  groupBy: z.enum(['day', 'week', 'month']).default('day'),
  store: z.uuid().optional().describe('one store: its purchases, receipts, points and the cards issued there'),
});

const wallet = z.object({ installs: count, removals: count, atEnd: count.describe('cards with the pass in this wallet at the end') });
const figures = z.object({
  cardsIssued: z.object({ total: count, bySource: z.record(z.string(), count), byStore: z.record(z.string(), count) }),
  wallets: z.object(Object.fromEntries(WALLET_CHANNELS.map((c) => [c, wallet])) as Record<(typeof WALLET_CHANNELS)[number], typeof wallet>),
  activeCustomers: count,
  repeatCustomers: count,
  repeatRate: z.number().nullable(),
  purchases: count,
  revenue: money,
  averageCheck: money.nullable(),
  receiptsWithoutCard: count,
  revenueWithoutCard: money,
  averageCheckWithoutCard: money.nullable(),
  points: z.object({ issued: count, redeemed: count, expired: count, takenBack: count, adjusted: count, liabilityAtEnd: count }),
});
const analyticsView = z
  .object({
    program: z.string(),
    currency: z.string(),
    timezone: z.string(),
    from: z.iso.date(),
    to: z.iso.date(),
    groupBy: z.enum(['day', 'week', 'month']),
    storeId: z.uuid().nullable(),
    series: z.array(figures.extend({ period: z.iso.date().describe('first day of the bucket') })),
    totals: figures,
  })
  .meta({ id: 'ProgramAnalytics' });

const group = z.object({ members: count, converted: count, conversionRate: z.number().nullable(), revenue: money, revenuePerMember: money.nullable() });
const interval = z.object({ value: z.number(), low: z.number(), high: z.number() });
const reportView = z
  .object({
    campaigns: z.array(z.uuid()),
    window: z.object({ days: count, from: z.iso.datetime().nullable(), to: z.iso.datetime().nullable(), complete: z.boolean() }),
    audience: count,
    holdout: count,
    recipients: count,
    delivered: z.object({ appleDevice: count, googleNotified: count, googleSilent: count, notDelivered: count, skipped: count, pending: count }),
    conversion: z.object({
      recipients: group,
      holdout: group,
      uplift: interval.nullable().describe('conversion rate, recipients − holdout, with its 95 % interval'),
      revenuePerMemberUplift: z.object({ value: money, low: money, high: money }).nullable(),
    }),
    pointsGranted: count,
  })
  .meta({ id: 'AttributionReport' });

const monthQuery = z.strictObject({ month: z.string().regex(/^(19|2\d)\d\d-(0[1-9]|1[0-2])$/, 'must be YYYY-MM, 1900-01 to 2999-12') });
const automationParams = slugParams.extend({ kind: z.enum(['birthday', 'points-reminder']) });

const csv = (name: string, rows: Iterable<string>) => ({
  status: 200,
  type: 'text/csv; charset=utf-8',
  headers: { 'Content-Disposition': `attachment; filename="${name}.csv"` },
  stream: rows,
});

/** The program's figures and campaigns' attribution, as JSON and as CSV. */
export const analyticsOperations = (db: Db, programs: ProgramService) => {
  const analytics = async (slug: string, query: z.output<typeof analyticsQuery>) =>
    programAnalytics(db, await programs.getBySlug(slug), { from: query.from, to: query.to, groupBy: query.groupBy, storeId: query.store });
  const programTargets = ({ params, query }: { params: { slug: string }; query: { store?: string | undefined } }) => [
    { program: params.slug },
    ...(query.store ? [{ store: query.store, field: 'store' }] : []),
  ];
  /** The automation's campaigns that started in the month (program time). */
  const automationCampaigns = async (slug: string, kind: 'birthday' | 'points-reminder', month: string) => {
    const program = await programs.getBySlug(slug);
    const rows = await sql<{ id: string }>`
      select id from campaigns where program_id = ${program.id} and kind = ${kind === 'birthday' ? 'birthday' : 'reminder'}
        and started_at >= (${`${month}-01`}::date::timestamp at time zone ${program.timezone})
        and started_at < ((${`${month}-01`}::date + interval '1 month')::timestamp at time zone ${program.timezone})`.execute(db);
    return rows.rows.map((r) => r.id);
  };
  return [
    operation({
      operationId: 'programAnalytics',
      method: 'get',
      path: '/programs/{slug}/analytics',
      tag: 'Analytics',
      summary: "The program's figures over a period, by day, week or month: cards, wallets, purchases, points",
      description: 'Every figure is defined in the README, "Analytics". Computed in the database at each call.',
      roles: marketing,
      params: slugParams,
      query: analyticsQuery,
      responses: { 200: { description: 'The series and the totals', schema: analyticsView } },
      errors: [404],
      targets: programTargets,
      handler: async ({ params, query }) => ({ status: 200, body: await analytics(params.slug, query) }),
    }),
    operation({
      operationId: 'exportProgramAnalytics',
      method: 'get',
      path: '/programs/{slug}/analytics/export',
      tag: 'Analytics',
      summary: 'The same series as CSV (one row per period, then the totals)',
      roles: marketing,
      params: slugParams,
      query: analyticsQuery,
      responses: { 200: { description: 'CSV', mediaType: 'text/csv' } },
      errors: [404],
      targets: programTargets,
      handler: async ({ params, query }) => csv(`${params.slug}-${query.from}-${query.to}`, analyticsCsv(await analytics(params.slug, query))),
    }),
    operation({
      operationId: 'campaignReport',
      method: 'get',
      path: '/campaigns/{id}/report',
      tag: 'Analytics',
      summary: 'What a campaign earned: delivered per channel, conversion and revenue of recipients against the holdout, uplift',
      roles: marketing,
      params: z.object({ id: z.uuid() }),
      responses: { 200: { description: 'The report', schema: reportView } },
      errors: [404],
      targets: ({ params }) => [{ campaign: params.id }],
      handler: async ({ params }) => ({ status: 200, body: await attributionReport(db, [params.id]) }),
    }),
    operation({
      operationId: 'exportCampaignReport',
      method: 'get',
      path: '/campaigns/{id}/report/export',
      tag: 'Analytics',
      summary: 'The campaign report as CSV',
      roles: marketing,
      params: z.object({ id: z.uuid() }),
      responses: { 200: { description: 'CSV', mediaType: 'text/csv' } },
      errors: [404],
      targets: ({ params }) => [{ campaign: params.id }],
      handler: async ({ params }) => csv(`campaign-${params.id}`, reportCsv(await attributionReport(db, [params.id]))),
    }),
    operation({
      operationId: 'automationReport',
      method: 'get',
      path: '/programs/{slug}/automations/{kind}/report',
      tag: 'Analytics',
      summary: "An automation's month: its runs pooled into one report, against their holdouts",
      roles: marketing,
      params: automationParams,
      query: monthQuery,
      responses: { 200: { description: 'The report', schema: reportView } },
      errors: [404],
      targets: ({ params }) => [{ program: params.slug }],
      handler: async ({ params, query }) => ({
        status: 200,
        body: await attributionReport(db, await automationCampaigns(params.slug, params.kind, query.month)),
      }),
    }),
  ];
};
