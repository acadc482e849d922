import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { currencyExponent, fromMinorUnits } from '../../platform/shared/money.js';
import { notFound } from '../../platform/shared/errors.js';
import { csvLine } from '../../analytics/program-analytics.js';

/** 95 % two-sided normal quantile. */
const Z95 = 1.959964;

export interface GroupResult {
  members: number;
  converted: number;
  conversionRate: number | null;
  revenue: string;
  revenuePerMember: string | null;
}

export interface Estimate {
  value: number;
  low: number;
  high: number;
}

export interface AttributionReport {
  campaigns: string[];
  window: { days: number; from: string | null; to: string | null; complete: boolean };
  audience: number;
  holdout: number;
  recipients: number;
  delivered: { appleDevice: number; googleNotified: number; googleSilent: number; notDelivered: number; skipped: number; pending: number };
  conversion: {
    recipients: GroupResult;
    holdout: GroupResult;
    /** Recipients' conversion rate minus the holdout's, with its 95 % interval (null without a holdout). */
    uplift: Estimate | null;
    /** Revenue per member, recipients minus holdout, in the currency, with its 95 % interval. */
    revenuePerMemberUplift: { value: string; low: string; high: string } | null;
  };
  pointsGranted: number;
}

interface GroupRow {
  grp: 'recipients' | 'holdout';
  members: number;
  converted: number;
  revenue: string | null;
  mean: number | null;
  variance: number | null;
}

/**
 * What campaigns earned, against their holdout. The comparison is by intent to treat: every
 * consenting member not held out counts as a recipient (messaged, or skipped by a cap or a blocked
 * card), as the holdout was drawn from that same group; delivery says how many a wallet showed it
 * to. A member converts with a purchase (net of refunds) at one of the program's stores within the
 * window after the campaign's start. Several campaigns (an automation's month) are pooled.
 */
export async function attributionReport(db: Db, campaignIds: string[]): Promise<AttributionReport> {
  const campaigns = await db
    .selectFrom('campaigns')
    .selectAll()
    .where('id', 'in', campaignIds.length ? campaignIds : ['00000000-0000-0000-0000-000000000000'])
    .execute();
  if (campaignIds.length === 1 && campaigns.length === 0) throw notFound('Campaign');
  const program = campaigns[0]
    ? await db.selectFrom('programs').select(['id', 'currency']).where('id', '=', campaigns[0].program_id).executeTakeFirstOrThrow()
    : undefined;
  const exponent = currencyExponent(program?.currency ?? 'RUB');
  const money = (minor: number) => fromMinorUnits(Math.round(minor), exponent);
  const ids = campaigns.map((c) => c.id);
  const days = Math.max(0, ...campaigns.map((c) => c.attribution_days));
  const starts = campaigns.map((c) => c.started_at).filter((d): d is Date => d !== null);
  const windowFrom = starts.length ? new Date(Math.min(...starts.map((d) => d.getTime()))) : null;
  const windowTo = starts.length ? new Date(Math.max(...campaigns.map((c) => (c.started_at?.getTime() ?? 0) + c.attribution_days * 86_400_000))) : null;

  const empty = { appleDevice: 0, googleNotified: 0, googleSilent: 0, notDelivered: 0, skipped: 0, pending: 0 };
  if (ids.length === 0) {
    const none: GroupResult = { members: 0, converted: 0, conversionRate: null, revenue: money(0), revenuePerMember: null };
    return {
      campaigns: [],
      window: { days, from: null, to: null, complete: false },
      audience: 0,
      holdout: 0,
      recipients: 0,
      delivered: empty,
      conversion: { recipients: none, holdout: none, uplift: null, revenuePerMemberUplift: null },
      pointsGranted: 0,
    };
  }

  const [delivery, groups, points] = await Promise.all([
    sql<Record<keyof typeof empty, number>>`
      select
        count(*) filter (where d.status = 'sent' and d.apple)::int as "appleDevice",
        count(*) filter (where d.status = 'sent' and d.google and not silent.any)::int as "googleNotified",
        count(*) filter (where d.status = 'sent' and d.google and silent.any)::int as "googleSilent",
        count(*) filter (where d.status = 'sent' and not d.apple and not d.google)::int as "notDelivered",
        count(*) filter (where d.status in ('skipped_cap', 'skipped_status'))::int as skipped,
        count(*) filter (where d.status = 'pending')::int as pending
      from campaign_deliveries d
      join campaigns c on c.id = d.campaign_id
      cross join lateral (
        select exists (
          select 1 from google_notifications n where n.card_id = d.card_id and n.kind = 'message' and not n.notified
            and n.created_at >= coalesce(d.sent_at, c.created_at) and n.created_at < coalesce(d.sent_at, c.created_at) + interval '1 day'
        ) as any
      ) silent
      where d.campaign_id = any(${ids}::uuid[])`.execute(db),
    // Per member: revenue within its campaign's window; then per group: members, converted, mean, variance.
    sql<GroupRow>`
      with members as (
        select case when d.status = 'holdout' then 'holdout' else 'recipients' end as grp, d.card_id,
          c.started_at as w_from, c.started_at + make_interval(days => c.attribution_days) as w_to
        from campaign_deliveries d join campaigns c on c.id = d.campaign_id
        where d.campaign_id = any(${ids}::uuid[]) and d.status != 'skipped_consent' and c.started_at is not null
      ), per_member as (
        -- One index probe per member (purchases by card and time): a join would hash every purchase.
        select m.grp, x.n, x.revenue
        from members m cross join lateral (
          select count(*) as n, coalesce(sum(p.amount_minor - p.refunded_minor), 0)::float8 as revenue from purchases p
          where p.card_id = m.card_id and p.created_at >= m.w_from and p.created_at < m.w_to and p.amount_minor > p.refunded_minor
        ) x
      )
      select grp, count(*)::int as members, count(*) filter (where n > 0)::int as converted, sum(revenue)::text as revenue,
        avg(revenue)::float8 as mean, coalesce(var_samp(revenue), 0)::float8 as variance
      from per_member group by grp`.execute(db),
    sql<{ n: string | null }>`
      select sum(points)::text as n from ledger_entries
      where program_id = ${program!.id} and kind in ('bonus', 'birthday') and reason = any(${ids.map((id) => `Campaign ${id}`)}::text[])`.execute(db),
  ]);

  const group = (name: GroupRow['grp']): GroupRow =>
    groups.rows.find((g) => g.grp === name) ?? { grp: name, members: 0, converted: 0, revenue: '0', mean: null, variance: 0 };
  const r = group('recipients');
  const h = group('holdout');
  const view = (g: GroupRow): GroupResult => ({
    members: g.members,
    converted: g.converted,
    conversionRate: g.members ? round4(g.converted / g.members) : null,
    revenue: money(Number(g.revenue ?? 0)),
    revenuePerMember: g.members ? money(g.mean ?? 0) : null,
  });
  let uplift: Estimate | null = null;
  let revenueUplift: AttributionReport['conversion']['revenuePerMemberUplift'] = null;
  if (r.members > 0 && h.members > 0) {
    const diff = r.converted / r.members - h.converted / h.members;
    // Agresti–Caffo: one success and one failure added to each group. Unlike the plain (Wald)
    // interval it does not collapse to a point when a group converts 0 % or 100 %.
    const pr = (r.converted + 1) / (r.members + 2);
    const ph = (h.converted + 1) / (h.members + 2);
    const centre = pr - ph;
    const se = Math.sqrt((pr * (1 - pr)) / (r.members + 2) + (ph * (1 - ph)) / (h.members + 2));
    uplift = { value: round4(diff), low: round4(Math.max(-1, centre - Z95 * se)), high: round4(Math.min(1, centre + Z95 * se)) };
  }
  // Welch's interval needs a variance in each group: two members at least.
  if (r.members > 1 && h.members > 1) {
    const diff = (r.mean ?? 0) - (h.mean ?? 0);
    const seRev = Math.sqrt((r.variance ?? 0) / r.members + (h.variance ?? 0) / h.members);
    revenueUplift = { value: money(diff), low: money(diff - Z95 * seRev), high: money(diff + Z95 * seRev) };
  }
  const d = delivery.rows[0]!;
  return {
    campaigns: ids,
    window: {
      days,
      from: windowFrom?.toISOString() ?? null,
      to: windowTo?.toISOString() ?? null,
      complete: windowTo !== null && windowTo.getTime() <= Date.now(),
    },
    audience: r.members + h.members,
    holdout: h.members,
    recipients: r.members,
    delivered: { ...d },
    conversion: { recipients: view(r), holdout: view(h), uplift, revenuePerMemberUplift: revenueUplift },
    pointsGranted: Number(points.rows[0]?.n ?? 0),
  };
}

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

/** The report as CSV: one figure per line (figure, recipients, holdout, difference, low, high). */
export function* reportCsv(report: AttributionReport): Generator<string> {
  const c = report.conversion;
  yield csvLine(['figure', 'recipients', 'holdout', 'difference', 'low_95', 'high_95']);
  yield csvLine(['members', c.recipients.members, c.holdout.members]);
  yield csvLine(['converted', c.recipients.converted, c.holdout.converted]);
  yield csvLine(['conversion_rate', c.recipients.conversionRate, c.holdout.conversionRate, c.uplift?.value, c.uplift?.low, c.uplift?.high]);
  yield csvLine(['revenue', c.recipients.revenue, c.holdout.revenue]);
  yield csvLine([
    'revenue_per_member',
    c.recipients.revenuePerMember,
    c.holdout.revenuePerMember,
    c.revenuePerMemberUplift?.value,
    c.revenuePerMemberUplift?.low,
    c.revenuePerMemberUplift?.high,
  ]);
  for (const [name, n] of Object.entries(report.delivered)) yield csvLine([`delivered_${name}`, n]);
  yield csvLine(['points_granted', report.pointsGranted]);
}
