import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../platform/db/database.js';
import type { Program } from '../platform/db/schema.js';
import { currencyExponent, fromMinorUnits } from '../platform/shared/money.js';
import { invalidField } from '../platform/shared/errors.js';

export type GroupBy = 'day' | 'week' | 'month';
export const WALLET_CHANNELS = ['apple', 'google', 'android'] as const;
type Channel = (typeof WALLET_CHANNELS)[number];

export interface AnalyticsQuery {
  /** First and last day of the period (inclusive), in the program's time zone. */
  from: string;
  to: string;
  groupBy: GroupBy;
  /** Confines purchases, receipts, points and cards issued to one store of the program. */
  storeId?: string | undefined;
}

interface WalletFigures {
  installs: number;
  removals: number;
  /** Cards with the pass in this wallet at the end of the bucket (period). */
  atEnd: number;
}

export interface Figures {
  cardsIssued: { total: number; bySource: Record<string, number>; byStore: Record<string, number> };
  wallets: Record<Channel, WalletFigures>;
  activeCustomers: number;
  repeatCustomers: number;
  repeatRate: number | null;
  purchases: number;
  revenue: string;
  averageCheck: string | null;
  receiptsWithoutCard: number;
  revenueWithoutCard: string;
  averageCheckWithoutCard: string | null;
  points: { issued: number; redeemed: number; expired: number; takenBack: number; adjusted: number; liabilityAtEnd: number };
}

export interface ProgramAnalytics {
  program: string;
  currency: string;
  timezone: string;
  from: string;
  to: string;
  groupBy: GroupBy;
  storeId: string | null;
  series: Array<{ period: string } & Figures>;
  totals: Figures;
}

/** At most this many buckets: a year by day, ten years by month. */
const MAX_BUCKETS = 400;

/**
 * The program's figures over a period, bucketed by day, week or month in the program's time zone:
 * each family of figures is one SQL statement over its own table and index, computed by the
 * database (the same on PGlite and PostgreSQL). Definitions: README, "Analytics".
 */
export async function programAnalytics(db: Db, program: Program, q: AnalyticsQuery): Promise<ProgramAnalytics> {
  if (q.to < q.from) throw invalidField('to', 'must not be before from');
  const tz = program.timezone;
  const unit = sql.lit(q.groupBy);
  // [start, end) in UTC, from local midnights.
  const start = sql`(${q.from}::date::timestamp at time zone ${tz})`;
  const end = sql`((${q.to}::date + 1)::timestamp at time zone ${tz})`;
  // A date, not to_char: formatting every row costs twice the grouping (the driver gives 'YYYY-MM-DD').
  const bucket = (col: RawBuilder<unknown>) => sql<string>`date_trunc(${unit}, ${col} at time zone ${tz})::date`;

  const periods = (
    await sql<{ period: string }>`
      select to_char(b, 'YYYY-MM-DD') as period from generate_series(
        date_trunc(${unit}, ${q.from}::date::timestamp), date_trunc(${unit}, ${q.to}::date::timestamp), ${sql.lit(`1 ${q.groupBy}`)}::interval) b`.execute(db)
  ).rows.map((r) => r.period);
  if (periods.length > MAX_BUCKETS) throw invalidField('groupBy', `gives ${periods.length} periods; at most ${MAX_BUCKETS} (choose a wider one)`);

  const programStores = (await db.selectFrom('stores').select('id').where('program_id', '=', program.id).execute()).map((s) => s.id);
  if (q.storeId && !programStores.includes(q.storeId)) throw invalidField('store', `is not a store of program "${program.slug}"`);
  const storeIds = q.storeId ? [q.storeId] : programStores;
  const stores = sql`${storeIds}::uuid[]`;
  const storeFilter = (col: RawBuilder<unknown>) => (q.storeId ? sql`and ${col} = ${q.storeId}::uuid` : sql``);

  const [issued, wallet, walletBefore, purchases, purchaseTotals, receipts, points, liabilityAtPeriodEnd] = await Promise.all([
    sql<{ period: string; source: string; store_id: string | null; n: number }>`
      select ${bucket(sql`created_at`)} as period, source, issued_store_id as store_id, count(*)::int as n
      from cards where program_id = ${program.id} and created_at >= ${start} and created_at < ${end} ${storeFilter(sql`issued_store_id`)}
      group by 1, 2, 3`.execute(db),
    sql<{ period: string; channel: Channel; installs: number; removals: number; net: number }>`
      select ${bucket(sql`e.at`)} as period, e.channel, count(*) filter (where e.event = 'installed')::int as installs,
        count(*) filter (where e.event = 'removed')::int as removals, coalesce(sum(e.card_delta), 0)::int as net
      from wallet_events e ${q.storeId ? sql`join cards c on c.id = e.card_id and c.issued_store_id = ${q.storeId}::uuid` : sql``}
      where e.program_id = ${program.id} and e.event in ('installed', 'removed') and e.at >= ${start} and e.at < ${end}
      group by 1, 2`.execute(db),
    sql<{ channel: Channel; n: number }>`
      select e.channel, coalesce(sum(e.card_delta), 0)::int as n
      from wallet_events e ${q.storeId ? sql`join cards c on c.id = e.card_id and c.issued_store_id = ${q.storeId}::uuid` : sql``}
      where e.program_id = ${program.id} and e.event in ('installed', 'removed') and e.at < ${start}
      group by 1`.execute(db),
    // Per bucket, per card first: active customers and those with two or more purchases in the bucket.
    sql<{ period: string; purchases: number; revenue: string; active: number; repeat: number }>`
      select period, sum(n)::int as purchases, sum(revenue)::text as revenue, count(*)::int as active, count(*) filter (where n >= 2)::int as repeat
      from (
        select ${bucket(sql`created_at`)} as period, card_id, count(*) as n, sum(amount_minor - refunded_minor) as revenue
        from purchases where store_id = any(${stores}) and created_at >= ${start} and created_at < ${end} and amount_minor > refunded_minor
        group by 1, 2
      ) per_card group by 1`.execute(db),
    sql<{ purchases: number; revenue: string | null; active: number; repeat: number }>`
      select coalesce(sum(n), 0)::int as purchases, sum(revenue)::text as revenue, count(*)::int as active, count(*) filter (where n >= 2)::int as repeat
      from (
        select card_id, count(*) as n, sum(amount_minor - refunded_minor) as revenue
        from purchases where store_id = any(${stores}) and created_at >= ${start} and created_at < ${end} and amount_minor > refunded_minor
        group by card_id
      ) per_card`.execute(db),
    sql<{ period: string; n: number; revenue: string }>`
      select ${bucket(sql`created_at`)} as period, count(*)::int as n, sum(amount_minor)::text as revenue
      from pos_receipts where store_id = any(${stores}) and created_at >= ${start} and created_at < ${end}
      group by 1`.execute(db),
    sql<{ period: string; kind: string; positive: string; negative: string; net: string }>`
      select ${bucket(sql`created_at`)} as period, kind,
        coalesce(sum(points) filter (where points > 0), 0)::text as positive, coalesce(sum(points) filter (where points < 0), 0)::text as negative,
        sum(points)::text as net
      from ledger_entries where program_id = ${program.id} and created_at >= ${start} and created_at < ${end} ${storeFilter(sql`store_id`)}
      group by 1, 2`.execute(db),
    // The liability is program-wide: today's balances less what moved after the period's end, read
    // in one statement (one snapshot: a purchase committing in between would count on one side only).
    sql<{ n: string | null }>`
      select (coalesce((select sum(balance) from cards where program_id = ${program.id}), 0)
        - coalesce((select sum(points) from ledger_entries where program_id = ${program.id} and created_at >= ${end}), 0))::text as n`.execute(db),
  ]);

  const exponent = currencyExponent(program.currency);
  const money = (minor: number) => fromMinorUnits(Math.round(minor), exponent);
  const empty = (): Omit<Figures, 'revenue' | 'averageCheck' | 'revenueWithoutCard' | 'averageCheckWithoutCard' | 'repeatRate'> & {
    revenueMinor: number;
    receiptsMinor: number;
  } => ({
    cardsIssued: { total: 0, bySource: {}, byStore: {} },
    wallets: { apple: { installs: 0, removals: 0, atEnd: 0 }, google: { installs: 0, removals: 0, atEnd: 0 }, android: { installs: 0, removals: 0, atEnd: 0 } },
    activeCustomers: 0,
    repeatCustomers: 0,
    purchases: 0,
    revenueMinor: 0,
    receiptsWithoutCard: 0,
    receiptsMinor: 0,
    points: { issued: 0, redeemed: 0, expired: 0, takenBack: 0, adjusted: 0, liabilityAtEnd: 0 },
  });
  type Acc = ReturnType<typeof empty>;
  const byPeriod = new Map<string, Acc>(periods.map((p) => [p, empty()]));
  const total = empty();
  const at = (period: string) => byPeriod.get(period)!;

  for (const r of issued.rows) {
    for (const acc of [at(r.period), total]) {
      acc.cardsIssued.total += r.n;
      acc.cardsIssued.bySource[r.source] = (acc.cardsIssued.bySource[r.source] ?? 0) + r.n;
      const store = r.store_id ?? 'none';
      acc.cardsIssued.byStore[store] = (acc.cardsIssued.byStore[store] ?? 0) + r.n;
    }
  }
  const netOf = new Map<string, number>();
  for (const r of wallet.rows) {
    for (const acc of [at(r.period), total]) {
      acc.wallets[r.channel].installs += r.installs;
      acc.wallets[r.channel].removals += r.removals;
    }
    netOf.set(`${r.period}:${r.channel}`, r.net);
  }
  const running: Record<Channel, number> = { apple: 0, google: 0, android: 0 };
  for (const r of walletBefore.rows) running[r.channel] = r.n;
  for (const period of periods) {
    for (const channel of WALLET_CHANNELS) {
      running[channel] += netOf.get(`${period}:${channel}`) ?? 0;
      at(period).wallets[channel].atEnd = running[channel];
    }
  }
  for (const channel of WALLET_CHANNELS) total.wallets[channel].atEnd = running[channel];

  for (const r of purchases.rows) {
    const acc = at(r.period);
    acc.purchases = r.purchases;
    acc.revenueMinor = Number(r.revenue);
    acc.activeCustomers = r.active;
    acc.repeatCustomers = r.repeat;
  }
  const pt = purchaseTotals.rows[0]!;
  Object.assign(total, { purchases: pt.purchases, revenueMinor: Number(pt.revenue ?? 0), activeCustomers: pt.active, repeatCustomers: pt.repeat });
  for (const r of receipts.rows) {
    for (const acc of [at(r.period), total]) {
      acc.receiptsWithoutCard += r.n;
      acc.receiptsMinor += Number(r.revenue);
    }
  }

  const netPoints = new Map<string, number>();
  for (const r of points.rows) {
    const positive = Number(r.positive);
    const negative = -Number(r.negative);
    for (const acc of [at(r.period), total]) {
      const p = acc.points;
      if (r.kind === 'earn' || r.kind === 'welcome' || r.kind === 'birthday' || r.kind === 'bonus') p.issued += positive;
      else if (r.kind === 'redeem') p.redeemed += negative;
      else if (r.kind === 'refund_redeem')
        p.redeemed -= positive; // points given back on a refund were not spent
      else if (r.kind === 'refund_earn') p.takenBack += negative;
      else if (r.kind === 'expiry') p.expired += negative;
      else if (r.kind === 'adjustment') p.adjusted += positive - negative;
    }
    netPoints.set(r.period, (netPoints.get(r.period) ?? 0) + Number(r.net));
  }
  // Liability at the end of the last bucket = today's balances − everything after the period; earlier
  // bucket ends subtract the later buckets' movements in turn (program-wide, whatever the store).
  let liability = Number(liabilityAtPeriodEnd.rows[0]?.n ?? 0);
  total.points.liabilityAtEnd = liability;
  if (q.storeId) {
    // The store's own movements are not the program's: the liability stays program-wide, per bucket too.
    const programNet = await sql<{ period: string; net: string }>`
      select ${bucket(sql`created_at`)} as period, sum(points)::text as net from ledger_entries
      where program_id = ${program.id} and created_at >= ${start} and created_at < ${end} group by 1`.execute(db);
    netPoints.clear();
    for (const r of programNet.rows) netPoints.set(r.period, Number(r.net));
  }
  for (const period of [...periods].reverse()) {
    at(period).points.liabilityAtEnd = liability;
    liability -= netPoints.get(period) ?? 0;
  }

  const finish = (acc: Acc): Figures => {
    const { revenueMinor, receiptsMinor, ...rest } = acc;
    return {
      ...rest,
      repeatRate: acc.activeCustomers ? round4(acc.repeatCustomers / acc.activeCustomers) : null,
      revenue: money(revenueMinor),
      averageCheck: acc.purchases ? money(revenueMinor / acc.purchases) : null,
      revenueWithoutCard: money(receiptsMinor),
      averageCheckWithoutCard: acc.receiptsWithoutCard ? money(receiptsMinor / acc.receiptsWithoutCard) : null,
    };
  };
  return {
    program: program.slug,
    currency: program.currency,
    timezone: tz,
    from: q.from,
    to: q.to,
    groupBy: q.groupBy,
    storeId: q.storeId ?? null,
    series: periods.map((period) => ({ period, ...finish(at(period)) })),
    totals: finish(total),
  };
}

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

/** The series as CSV rows (a header, then one row per period, then the totals), streamed by the caller. */
export function* analyticsCsv(a: ProgramAnalytics): Generator<string> {
  const sources = [...new Set([...a.series.flatMap((s) => Object.keys(s.cardsIssued.bySource)), ...Object.keys(a.totals.cardsIssued.bySource)])].sort();
  const columns: [string, (f: Figures) => string | number | null][] = [
    ['cards_issued', (f) => f.cardsIssued.total],
    ...sources.map((s): [string, (f: Figures) => number] => [`cards_issued_${s}`, (f) => f.cardsIssued.bySource[s] ?? 0]),
    ...WALLET_CHANNELS.flatMap((c): [string, (f: Figures) => number][] => [
      [`${c}_installs`, (f) => f.wallets[c].installs],
      [`${c}_removals`, (f) => f.wallets[c].removals],
      [`${c}_in_wallet_at_end`, (f) => f.wallets[c].atEnd],
    ]),
    ['active_customers', (f) => f.activeCustomers],
    ['repeat_customers', (f) => f.repeatCustomers],
    ['repeat_rate', (f) => f.repeatRate],
    ['purchases', (f) => f.purchases],
    ['revenue', (f) => f.revenue],
    ['average_check', (f) => f.averageCheck],
    ['receipts_without_card', (f) => f.receiptsWithoutCard],
    ['average_check_without_card', (f) => f.averageCheckWithoutCard],
    ['points_issued', (f) => f.points.issued],
    ['points_redeemed', (f) => f.points.redeemed],
    ['points_expired', (f) => f.points.expired],
    ['points_taken_back', (f) => f.points.takenBack],
    ['points_adjusted', (f) => f.points.adjusted],
    ['points_liability_at_end', (f) => f.points.liabilityAtEnd],
  ];
  yield csvLine(['period', ...columns.map(([name]) => name)]);
  for (const s of a.series) yield csvLine([s.period, ...columns.map(([, get]) => get(s))]);
  yield csvLine(['total', ...columns.map(([, get]) => get(a.totals))]);
}

/** One CSV line (RFC 4180 quoting); a cell starting like a formula is prefixed so spreadsheets do not run it. */
export function csvLine(cells: Array<string | number | null | undefined>): string {
  return (
    cells
      .map((c) => {
        if (c === null || c === undefined) return '';
        let v = String(c);
        if (typeof c === 'string' && /^[=+\-@\t\r]/.test(v) && !/^-?\d/.test(v)) v = `'${v}`;
        return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
      })
      .join(',') + '\r\n'
  );
}
