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

  // Each bucket's first instant in UTC (the first one is the period's start): rows are bucketed by a
  // binary search over them, not by converting every row's time to the local zone (three times dearer).
  const buckets = (
    await sql<{ period: string; starts: string }>`
      select to_char(b, 'YYYY-MM-DD') as period, greatest(b at time zone ${tz}, ${start})::text as starts from generate_series(
        date_trunc(${unit}, ${q.from}::date::timestamp), date_trunc(${unit}, ${q.to}::date::timestamp), ${sql.lit(`1 ${q.groupBy}`)}::interval) b
      order by b`.execute(db)
  ).rows;
  if (buckets.length > MAX_BUCKETS) throw invalidField('groupBy', `gives ${buckets.length} periods; at most ${MAX_BUCKETS} (choose a wider one)`);
  const periods = buckets.map((b) => b.period);
  const starts = sql`${buckets.map((b) => b.starts)}::timestamptz[]`;
  const bucket = (col: RawBuilder<unknown>) => sql<number>`width_bucket(${col}, ${starts})`;
  const period = (i: number) => periods[i - 1]!;

  const programStores = (await db.selectFrom('stores').select('id').where('program_id', '=', program.id).execute()).map((s) => s.id);
  if (q.storeId && !programStores.includes(q.storeId)) throw invalidField('store', `is not a store of program "${program.slug}"`);
  const storeIds = q.storeId ? [q.storeId] : programStores;
  const stores = sql`${storeIds}::uuid[]`;
  const storeFilter = (col: RawBuilder<unknown>) => (q.storeId ? sql`and ${col} = ${q.storeId}::uuid` : sql``);
  // Distinct customers from the purchase chain (migration 0023): a card's first purchase in a span is
  // the one whose previous is before the span, its second the one whose previous is in it and whose
  // one before is not. For one store, the chain at that store.
  const [prev, prev2] = q.storeId ? [sql.ref('prev_at_store'), sql.ref('prev2_at_store')] : [sql.ref('prev_at'), sql.ref('prev2_at')];
  const first = (since: RawBuilder<unknown>) => sql`(${prev} is null or ${prev} < ${since})`;
  const second = (since: RawBuilder<unknown>) => sql`(${prev} >= ${since} and (${prev2} is null or ${prev2} < ${since}))`;

  const [issued, wallet, walletBefore, purchases, receipts, points, programPurchases, liabilityAtPeriodEnd] = await Promise.all([
    sql<{ i: number; source: string; store_id: string | null; n: number }>`
      select ${bucket(sql`created_at`)} as i, source, issued_store_id as store_id, count(*)::int as n
      from cards where program_id = ${program.id} and created_at >= ${start} and created_at < ${end} ${storeFilter(sql`issued_store_id`)}
      group by 1, 2, 3`.execute(db),
    sql<{ i: number; channel: Channel; installs: number; removals: number; net: number }>`
      select ${bucket(sql`e.at`)} as i, e.channel, count(*) filter (where e.event = 'installed')::int as installs,
        count(*) filter (where e.event = 'removed')::int as removals, coalesce(sum(e.card_delta), 0)::int as net
      from wallet_events e ${q.storeId ? sql`join cards c on c.id = e.card_id and c.issued_store_id = ${q.storeId}::uuid` : sql``}
      where e.program_id = ${program.id} and e.event in ('installed', 'removed') and e.at >= ${start} and e.at < ${end}
      group by 1, 2`.execute(db),
    sql<{ channel: Channel; n: number }>`
      select e.channel, coalesce(sum(e.card_delta), 0)::int as n
      from wallet_events e ${q.storeId ? sql`join cards c on c.id = e.card_id and c.issued_store_id = ${q.storeId}::uuid` : sql``}
      where e.program_id = ${program.id} and e.event in ('installed', 'removed') and e.at < ${start}
      group by 1`.execute(db),
    // The period's purchases, bucket by bucket: each arm a plain aggregate over one range of an index
    // (parallel on PostgreSQL), where grouping by a computed bucket was one slow hash. A card's first
    // (second) purchase in the period lies in exactly one bucket, so the period's counts add up too.
    // A fully refunded purchase counts nowhere, but the points it earned and spent were posted.
    sql<PurchaseRow>`${sql.join(
      buckets.map(
        (b, index) => sql`
          select ${sql.lit(index + 1)}::int as i, count(*) filter (where counted)::int as purchases,
            coalesce(sum(amount_minor - refunded_minor) filter (where counted), 0)::text as revenue,
            count(*) filter (where counted and ${first(sql`${b.starts}::timestamptz`)})::int as active,
            count(*) filter (where counted and ${second(sql`${b.starts}::timestamptz`)})::int as repeat,
            count(*) filter (where counted and ${first(start)})::int as active_in_period,
            count(*) filter (where counted and ${second(start)})::int as repeat_in_period,
            coalesce(sum(earned_points), 0)::text as earned, coalesce(sum(redeemed_points), 0)::text as redeemed
          from (
            select amount_minor > refunded_minor as counted, amount_minor, refunded_minor, earned_points, redeemed_points, ${prev} as ${prev}, ${prev2} as ${prev2}
            from purchases
            where ${q.storeId ? sql`store_id = ${q.storeId}::uuid` : sql`program_id = ${program.id}`}
              and created_at >= ${b.starts}::timestamptz and created_at < ${buckets[index + 1] ? sql`${buckets[index + 1]!.starts}::timestamptz` : end}
          ) p`,
      ),
      sql` union all `,
    )}`.execute(db),
    sql<{ i: number; n: number; revenue: string }>`
      select ${bucket(sql`created_at`)} as i, count(*)::int as n, sum(amount_minor)::text as revenue
      from pos_receipts where store_id = any(${stores}) and created_at >= ${start} and created_at < ${end}
      group by 1`.execute(db),
    // The ledger's other kinds (welcome, bonuses, refunds, expiry, adjustments): a partial index.
    sql<{ i: number; kind: string; positive: string; negative: string; net: string; program_net: string }>`
      select ${bucket(sql`created_at`)} as i, kind,
        coalesce(sum(points) filter (where points > 0 ${storeFilter(sql`store_id`)}), 0)::text as positive,
        coalesce(sum(points) filter (where points < 0 ${storeFilter(sql`store_id`)}), 0)::text as negative,
        sum(points)::text as program_net
      from ledger_entries where program_id = ${program.id} and kind not in ('earn', 'redeem') and created_at >= ${start} and created_at < ${end}
      group by 1, 2`.execute(db),
    // For one store the liability still moves with the whole program's purchases.
    q.storeId
      ? sql<{ i: number; net: string }>`
          select ${bucket(sql`created_at`)} as i, sum(earned_points - redeemed_points)::text as net
          from purchases where program_id = ${program.id} and created_at >= ${start} and created_at < ${end}
          group by 1`.execute(db)
      : null,
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
    for (const acc of [at(period(r.i)), total]) {
      acc.cardsIssued.total += r.n;
      acc.cardsIssued.bySource[r.source] = (acc.cardsIssued.bySource[r.source] ?? 0) + r.n;
      const store = r.store_id ?? 'none';
      acc.cardsIssued.byStore[store] = (acc.cardsIssued.byStore[store] ?? 0) + r.n;
    }
  }
  const netOf = new Map<string, number>();
  for (const r of wallet.rows) {
    for (const acc of [at(period(r.i)), total]) {
      acc.wallets[r.channel].installs += r.installs;
      acc.wallets[r.channel].removals += r.removals;
    }
    netOf.set(`${r.i}:${r.channel}`, r.net);
  }
  const running: Record<Channel, number> = { apple: 0, google: 0, android: 0 };
  for (const r of walletBefore.rows) running[r.channel] = r.n;
  periods.forEach((p, index) => {
    for (const channel of WALLET_CHANNELS) {
      running[channel] += netOf.get(`${index + 1}:${channel}`) ?? 0;
      at(p).wallets[channel].atEnd = running[channel];
    }
  });
  for (const channel of WALLET_CHANNELS) total.wallets[channel].atEnd = running[channel];

  // Net movement per bucket, program-wide whatever the store: the liability is the program's.
  const netPoints = new Map<number, number>();
  const addNet = (i: number, n: number) => netPoints.set(i, (netPoints.get(i) ?? 0) + n);
  for (const r of programPurchases?.rows ?? []) addNet(r.i, Number(r.net));
  for (const r of purchases.rows) {
    for (const acc of [at(period(r.i)), total]) {
      acc.points.issued += Number(r.earned);
      acc.points.redeemed += Number(r.redeemed);
    }
    if (!programPurchases) addNet(r.i, Number(r.earned) - Number(r.redeemed));
    const acc = at(period(r.i));
    acc.purchases = r.purchases;
    acc.revenueMinor = Number(r.revenue);
    acc.activeCustomers = r.active;
    acc.repeatCustomers = r.repeat;
    total.purchases += r.purchases;
    total.revenueMinor += Number(r.revenue);
    total.activeCustomers += r.active_in_period;
    total.repeatCustomers += r.repeat_in_period;
  }
  for (const r of receipts.rows) {
    for (const acc of [at(period(r.i)), total]) {
      acc.receiptsWithoutCard += r.n;
      acc.receiptsMinor += Number(r.revenue);
    }
  }

  for (const r of points.rows) {
    const positive = Number(r.positive);
    const negative = -Number(r.negative);
    for (const acc of [at(period(r.i)), total]) {
      const p = acc.points;
      if (r.kind === 'welcome' || r.kind === 'birthday' || r.kind === 'bonus') p.issued += positive;
      else if (r.kind === 'refund_redeem')
        p.redeemed -= positive; // points given back on a refund were not spent
      else if (r.kind === 'refund_earn') p.takenBack += negative;
      else if (r.kind === 'expiry') p.expired += negative;
      else if (r.kind === 'adjustment') p.adjusted += positive - negative;
    }
    addNet(r.i, Number(r.program_net));
  }
  // Liability at the end of the last bucket = today's balances − everything after the period; earlier
  // bucket ends subtract the later buckets' movements in turn.
  let liability = Number(liabilityAtPeriodEnd.rows[0]?.n ?? 0);
  total.points.liabilityAtEnd = liability;
  for (let index = periods.length; index >= 1; index--) {
    at(period(index)).points.liabilityAtEnd = liability;
    liability -= netPoints.get(index) ?? 0;
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

interface PurchaseRow {
  i: number;
  purchases: number;
  revenue: string;
  active: number;
  repeat: number;
  active_in_period: number;
  repeat_in_period: number;
  earned: string;
  redeemed: string;
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
