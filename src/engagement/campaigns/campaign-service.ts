import { sql, type ExpressionBuilder, type Expression } from 'kysely';
import { firstName } from '../../loyalty/cards/card-view.js';
import type { Db } from '../../platform/db/database.js';
import type { UnitOfWork } from '../../platform/db/unit-of-work.js';
import type { Campaign, CampaignKind, Database, Program } from '../../platform/db/schema.js';
import type { Logger } from '../../platform/log/logger.js';
import type { WalletOutbox } from '../../wallets/outbox/wallet-outbox.js';
import type { Ledger } from '../../loyalty/ledger/ledger.js';
import { expiryDate } from '../../loyalty/ledger/rules.js';
import { enqueueJobs } from '../../platform/jobs/job-queue.js';
import type { JobHandler } from '../../platform/jobs/job-runner.js';
import type { ProgramService } from '../../loyalty/programs/program-service.js';
import { conflict, notFound } from '../../platform/shared/errors.js';
import { audienceQuery, type Audience } from './audience.js';
import { afterCursor, cursorTime, decodeCursor, pageOf } from '../../platform/shared/page-cursor.js';

/**
 * Sends one message to the program's whole Google class when every object may receive it:
 * `recipients` is the subquery of the card ids this campaign may message right now.
 */
export type ClassBroadcast = (
  program: Program,
  text: string,
  recipients: (db: Db) => Expression<{ card_id: string }>,
) => Promise<'sent' | 'ineligible' | 'refused'>;

export interface NewCampaign {
  program: Program;
  kind: CampaignKind;
  message: string;
  audience: Audience;
  sendAt?: Date | undefined;
  bonusPoints: number;
  holdoutPercent?: number;
  attributionDays?: number;
  /** Automations name their run (e.g. "birthday:<program>:<date>") so a repeat creates nothing. */
  dedupeKey?: string;
}

/**
 * Campaigns: a message (and optional bonus) to a segment, delivered through the cards' message
 * field, so Apple shows it on the lock screen (changeMessage) and Google as a message. Delivery is a
 * row per card per campaign, written in the same transaction as the card's change: a re-run or a
 * worker killed mid-campaign never messages a card twice.
 */
export class CampaignService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly programs: ProgramService,
    private readonly ledger: Ledger,
    private readonly outbox: WalletOutbox,
    private readonly logger: Logger,
    /** Google's class message, when Google Wallet is on: one request for a whole-program broadcast. */
    private readonly classBroadcast?: ClassBroadcast,
  ) {}
  private get db() {
    return this.uow.db;
  }

  async preview(programSlug: string, audience: Audience, sampleSize = 10) {
    const program = await this.programs.requireForInput(programSlug);
    const counts = await audienceQuery(this.db, program.id, audience)
      .select([
        sql<number>`count(*) filter (where customers.marketing_consent)`.as('consenting'),
        sql<number>`count(*) filter (where not customers.marketing_consent)`.as('without_consent'),
      ])
      .executeTakeFirstOrThrow();
    const sample = await audienceQuery(this.db, program.id, audience)
      .where('customers.marketing_consent', '=', true)
      .select(['cards.card_number', 'customers.name', 'cards.tier', 'cards.balance'])
      .orderBy('cards.created_at', 'desc')
      .limit(sampleSize)
      .execute();
    return {
      count: Number(counts.consenting),
      withoutConsent: Number(counts.without_consent),
      sample: sample.map((s) => ({ cardNumber: s.card_number, firstName: firstName(s.name), tier: s.tier, balance: s.balance })),
    };
  }

  /** Creates the campaign and its run job in one transaction; returns the existing one for a known dedupeKey. */
  async create(c: NewCampaign): Promise<{ campaign: Campaign; created: boolean }> {
    const result = await this.uow.run(async (trx) => {
      const campaign = await trx
        .insertInto('campaigns')
        .values({
          program_id: c.program.id,
          kind: c.kind,
          message: c.message,
          audience: JSON.stringify(c.audience),
          send_at: c.sendAt ?? new Date(),
          bonus_points: c.bonusPoints,
          holdout_percent: c.holdoutPercent ?? 0,
          attribution_days: c.attributionDays ?? 7,
          dedupe_key: c.dedupeKey ?? null,
        })
        .onConflict((oc) => oc.column('dedupe_key').doNothing())
        .returningAll()
        .executeTakeFirst();
      if (!campaign) {
        const existing = await trx.selectFrom('campaigns').selectAll().where('dedupe_key', '=', c.dedupeKey!).executeTakeFirstOrThrow();
        return { campaign: existing, created: false };
      }
      await enqueueJobs(trx, [{ kind: 'campaign.run', dedupeKey: campaign.id, payload: { campaignId: campaign.id }, runAt: campaign.send_at }]);
      return { campaign, created: true };
    });
    return result;
  }

  async get(id: string) {
    const campaign = await this.db.selectFrom('campaigns').selectAll().where('id', '=', id).executeTakeFirst();
    if (!campaign) throw notFound('Campaign');
    return (await this.#views([campaign]))[0]!;
  }

  /** The program's campaigns, newest first, a page at a time, with the same counts as `get`. */
  async list(programId: string, q: { status?: Campaign['status'] | undefined; kind?: CampaignKind | undefined; limit: number; cursor?: string | undefined }) {
    const after = decodeCursor(q.cursor);
    let query = this.db.selectFrom('campaigns').selectAll().select(cursorTime('created_at').as('cursor_at')).where('program_id', '=', programId);
    if (q.status) query = query.where('status', '=', q.status);
    if (q.kind) query = query.where('kind', '=', q.kind);
    if (after) query = query.where(afterCursor(after, 'created_at', 'id'));
    const rows = await query
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(q.limit + 1)
      .execute();
    const page = pageOf(rows, q.limit);
    return { items: await this.#views(page.rows), nextCursor: page.nextCursor };
  }

  /** Campaigns as the API shows them: each family of counts is one grouped query for all of them. */
  async #views(campaigns: Campaign[]) {
    if (!campaigns.length) return [];
    const ids = campaigns.map((c) => c.id);
    const [counts, silent, failed] = await Promise.all([
      this.db
        .selectFrom('campaign_deliveries')
        .select([
          'campaign_id',
          sql<number>`count(*)`.as('targeted'),
          sql<number>`count(*) filter (where status = 'sent')`.as('sent'),
          sql<number>`count(*) filter (where status = 'sent' and apple)`.as('sent_apple'),
          sql<number>`count(*) filter (where status = 'sent' and google)`.as('sent_google'),
          sql<number>`count(*) filter (where status = 'sent' and not apple and not google)`.as('sent_nowhere'),
          sql<number>`count(*) filter (where status = 'holdout')`.as('holdout'),
          sql<number>`count(*) filter (where status = 'pending')`.as('pending'),
          sql<number>`count(*) filter (where status = 'skipped_consent')`.as('skipped_consent'),
          sql<number>`count(*) filter (where status = 'skipped_cap')`.as('skipped_cap'),
          sql<number>`count(*) filter (where status = 'skipped_status')`.as('skipped_status'),
        ])
        .where('campaign_id', 'in', ids)
        .groupBy('campaign_id')
        .execute(),
      this.db
        .selectFrom('google_notifications as n')
        .innerJoin('campaign_deliveries as d', 'd.card_id', 'n.card_id')
        .innerJoin('campaigns as c', 'c.id', 'd.campaign_id')
        .select(['d.campaign_id', sql<number>`count(*)`.as('n')])
        .where('d.campaign_id', 'in', ids)
        .where('n.kind', '=', 'message')
        .where('n.notified', '=', false)
        .where(sql<boolean>`n.created_at >= coalesce(c.started_at, c.created_at)`)
        .groupBy('d.campaign_id')
        .execute(),
      this.db
        .selectFrom('jobs')
        .select(['dedupe_key', sql<number>`count(*)`.as('n')])
        .where('kind', '=', 'campaign.run')
        .where('dedupe_key', 'in', ids)
        .where('failed_at', 'is not', null)
        .groupBy('dedupe_key')
        .execute(),
    ]);
    const n = (v: unknown) => Number(v ?? 0);
    return campaigns.map((campaign) => {
      const rows = counts.find((r) => r.campaign_id === campaign.id);
      return {
        id: campaign.id,
        kind: campaign.kind,
        status: campaign.status,
        message: campaign.message,
        audience: campaign.audience,
        sendAt: campaign.send_at.toISOString(),
        bonusPoints: campaign.bonus_points,
        holdoutPercent: campaign.holdout_percent,
        attributionDays: campaign.attribution_days,
        createdAt: campaign.created_at.toISOString(),
        startedAt: campaign.started_at?.toISOString() ?? null,
        completedAt: campaign.completed_at?.toISOString() ?? null,
        counts: {
          targeted: n(rows?.targeted),
          sent: n(rows?.sent),
          sentApple: n(rows?.sent_apple),
          sentGoogle: n(rows?.sent_google),
          // The card got the message (its page shows it) but no wallet did: no device, nothing saved.
          notDelivered: n(rows?.sent_nowhere),
          holdout: n(rows?.holdout),
          pending: n(rows?.pending),
          skippedConsent: n(rows?.skipped_consent),
          skippedFrequencyCap: n(rows?.skipped_cap),
          skippedCardStatus: n(rows?.skipped_status),
          // Google's 3-a-day budget was spent: the message went to the card silently.
          googleSilent: n(silent.find((r) => r.campaign_id === campaign.id)?.n),
          failed: n(failed.find((r) => r.dedupe_key === campaign.id)?.n),
        },
      };
    });
  }

  async cancel(id: string): Promise<void> {
    const updated = await this.db
      .updateTable('campaigns')
      .set({ status: 'cancelled' })
      .where('id', '=', id)
      .where('status', '=', 'scheduled')
      .executeTakeFirst();
    if (updated.numUpdatedRows === 0n) {
      const exists = await this.db.selectFrom('campaigns').select('status').where('id', '=', id).executeTakeFirst();
      if (!exists) throw notFound('Campaign');
      throw conflict(`The campaign is ${exists.status}; only a scheduled campaign can be cancelled`);
    }
  }

  /** The 'campaign.run' job handler. */
  readonly runJob: JobHandler<'campaign.run'> = async (job) => {
    await this.run(job.payload.campaignId);
  };

  /**
   * Runs a campaign to the end (or for `maxBatches`): claims the audience once, then delivers in
   * batches, each one transaction holding its deliveries' row locks (SKIP LOCKED lets several
   * workers share a campaign).
   */
  async run(campaignId: string, options: { batchSize?: number; maxBatches?: number } = {}): Promise<void> {
    const batchSize = options.batchSize ?? 500;
    const campaign = await this.#start(campaignId);
    if (!campaign) return;
    const program = await this.db.selectFrom('programs').selectAll().where('id', '=', campaign.program_id).executeTakeFirstOrThrow();
    for (let batch = 0; batch < (options.maxBatches ?? Infinity); batch++) {
      const delivered = await this.#deliverBatch(campaign, program, batchSize);
      if (delivered === 0) {
        await this.db
          .updateTable('campaigns')
          .set({ status: 'completed', completed_at: new Date() })
          .where('id', '=', campaign.id)
          .where('status', '=', 'running')
          .execute();
        return;
      }
    }
  }

  /** scheduled → running, recording the audience as deliveries in the same transaction. */
  async #start(campaignId: string): Promise<Campaign | undefined> {
    const started = await this.uow.run(async (trx) => {
      const campaign = await trx.selectFrom('campaigns').selectAll().where('id', '=', campaignId).forUpdate().executeTakeFirst();
      if (!campaign || campaign.status === 'cancelled' || campaign.status === 'completed') return undefined;
      if (campaign.status === 'running') return { campaign, fresh: false };
      await trx
        .insertInto('campaign_deliveries')
        .columns(['campaign_id', 'card_id', 'status'])
        .expression(
          audienceQuery(trx, campaign.program_id, campaign.audience as Audience).select([
            sql<string>`${campaign.id}::uuid`.as('campaign_id'),
            'cards.id as card_id',
            sql<string>`case when customers.marketing_consent then 'pending' else 'skipped_consent' end`.as('status'),
          ]),
        )
        .onConflict((oc) => oc.columns(['campaign_id', 'card_id']).doNothing())
        .execute();
      if (campaign.holdout_percent > 0) await holdOut(trx, campaign);
      const running = await trx
        .updateTable('campaigns')
        .set({ status: 'running', started_at: new Date() })
        .where('id', '=', campaign.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return { campaign: running, fresh: true };
    });
    if (!started) return undefined;
    if (started.fresh && (await this.#maybeBroadcastToClass(started.campaign))) {
      return this.db.updateTable('campaigns').set({ google_class_message: true }).where('id', '=', campaignId).returningAll().executeTakeFirstOrThrow();
    }
    return started.campaign;
  }

  /**
   * Google gets one class message instead of one request per object (20 requests/s would make a
   * million cards a 14-hour job) — only when every object of the class may receive it: the card is
   * in this campaign, active, consented and within its caps (the Google side adds its budget).
   * Otherwise consent and caps decide per card.
   */
  async #maybeBroadcastToClass(campaign: Campaign): Promise<boolean> {
    if (!this.classBroadcast || Object.keys(campaign.audience).length > 0 || campaign.kind !== 'broadcast') return false;
    if (campaign.holdout_percent > 0) return false; // a class message would reach the holdout too
    if (/\{(name|points|date)\}/.test(campaign.message)) return false; // personalised: one message per card
    const program = await this.db.selectFrom('programs').selectAll().where('id', '=', campaign.program_id).executeTakeFirstOrThrow();
    const recipients = (db: Db) =>
      db
        .selectFrom('campaign_deliveries as d')
        .innerJoin('cards', 'cards.id', 'd.card_id')
        .innerJoin('customers', 'customers.id', 'cards.customer_id')
        .select('d.card_id')
        .where('d.campaign_id', '=', campaign.id)
        .where('d.status', '=', 'pending')
        .where('cards.status', '=', 'active')
        .where('customers.marketing_consent', '=', true)
        .where((eb) => eb.not(overCap(eb, program)));
    // Marked before the call: should Google's answer be lost, it may show, and no holder may get it
    // a second time per object.
    const mark = (sent: boolean) => this.db.updateTable('campaigns').set({ google_class_message: sent }).where('id', '=', campaign.id).execute();
    await mark(true);
    let outcome: 'sent' | 'ineligible' | 'refused';
    try {
      outcome = await this.classBroadcast(program, campaign.message, recipients);
    } catch (err) {
      this.logger.warn(
        { err: err instanceof Error ? err.message : String(err), campaignId: campaign.id },
        'class message: no answer from Google; it may show, so it is not sent again per object',
      );
      return true;
    }
    if (outcome !== 'sent') {
      await mark(false);
      if (outcome === 'refused') this.logger.warn({ campaignId: campaign.id }, 'class message refused by Google: one message per object instead');
      return false;
    }
    this.logger.info({ campaignId: campaign.id }, 'campaign sent to Google as one class message');
    return true;
  }

  async #deliverBatch(campaign: Campaign, program: Program, batchSize: number): Promise<number> {
    const count = await this.uow.run(async (trx) => {
      const pending = await trx
        .selectFrom('campaign_deliveries')
        .select('card_id')
        .where('campaign_id', '=', campaign.id)
        .where('status', '=', 'pending')
        .limit(batchSize)
        .forUpdate()
        .skipLocked()
        .execute();
      if (pending.length === 0) return 0;
      const ids = pending.map((p) => p.card_id);

      // Frequency caps: the program's (per day, per week) and the customer's own weekly limit.
      const capped = await trx
        .selectFrom('cards')
        .innerJoin('customers', 'customers.id', 'cards.customer_id')
        .select('cards.id')
        .where('cards.id', 'in', ids)
        .where((eb) => overCap(eb, program))
        .execute();
      const cappedIds = new Set(capped.map((c) => c.id));
      const inactive = await trx.selectFrom('cards').select('id').where('id', 'in', ids).where('status', '!=', 'active').execute();
      const inactiveIds = new Set(inactive.map((c) => c.id));
      let sendable = ids.filter((id) => !cappedIds.has(id) && !inactiveIds.has(id));
      if (campaign.kind === 'birthday' && sendable.length) {
        // One birthday greeting and bonus per customer per year, whatever runs or re-runs.
        const year = Number(/:(\d{4})-\d\d-\d\d$/.exec(campaign.dedupe_key ?? '')?.[1] ?? new Date().getUTCFullYear());
        const granted = await sql<{ id: string }>`
          with g as (
            insert into birthday_grants (customer_id, year, campaign_id)
            select customer_id, ${year}, ${campaign.id}::uuid from cards where id = any(${sendable}::uuid[])
            on conflict do nothing returning customer_id
          )
          select cards.id from cards join g on g.customer_id = cards.customer_id`.execute(trx);
        const grantedIds = new Set(granted.rows.map((r) => r.id));
        const already = sendable.filter((id) => !grantedIds.has(id));
        if (already.length) await this.#mark(trx, campaign.id, already, 'skipped_cap');
        sendable = sendable.filter((id) => grantedIds.has(id));
      }

      if (cappedIds.size) await this.#mark(trx, campaign.id, [...cappedIds], 'skipped_cap');
      if (inactiveIds.size) await this.#mark(trx, campaign.id, [...inactiveIds], 'skipped_status');
      if (sendable.length) {
        if (campaign.bonus_points > 0) {
          for (const cardId of sendable) {
            const card = await this.ledger.lockCard(trx, cardId);
            await this.ledger.post(trx, card, [
              {
                kind: campaign.kind === 'birthday' ? 'birthday' : 'bonus',
                points: campaign.bonus_points,
                reason: `Campaign ${campaign.id}`,
                expiresAt: expiryDate(new Date(), program.points_expire_after_months),
              },
            ]);
            await this.ledger.save(trx, card, false);
          }
        }
        // {name}, {points} and {date} are filled per card: {points} is the bonus, or for a points
        // reminder the points expiring on the reminded date ({date}).
        const expiring = (campaign.audience as Audience).pointsExpiringOn ?? null;
        await sql`
          update cards set message = replace(replace(replace(${campaign.message},
              '{name}', coalesce(split_part(customers.name, ' ', 1), '')),
              '{points}', case when ${expiring}::date is null then ${String(campaign.bonus_points)} else (
                select coalesce(sum(l.remaining), 0)::text from point_lots l
                where l.card_id = cards.id and l.remaining > 0 and (l.expires_at at time zone 'UTC')::date = ${expiring}::date) end),
              '{date}', coalesce(to_char(${expiring}::date, 'DD.MM.YYYY'), ''))
          from customers
          where customers.id = cards.customer_id and cards.id = any(${sendable}::uuid[])`.execute(trx);
        await this.outbox.cardChanged(trx, sendable, {}, 'message', { bulk: true, deliveredByClass: campaign.google_class_message });
        await trx
          .updateTable('campaign_deliveries')
          .set({
            status: 'sent',
            sent_at: new Date(),
            apple: sql<boolean>`exists (select 1 from apple_registrations r where r.card_id = campaign_deliveries.card_id)`,
            google: sql<boolean>`exists (select 1 from google_objects g where g.card_id = campaign_deliveries.card_id and g.saved)`,
          })
          .where('campaign_id', '=', campaign.id)
          .where('card_id', 'in', sendable)
          .execute();
      }
      return ids.length;
    });
    return count;
  }

  async #mark(trx: Db, campaignId: string, cardIds: string[], status: 'skipped_cap' | 'skipped_status'): Promise<void> {
    await trx.updateTable('campaign_deliveries').set({ status }).where('campaign_id', '=', campaignId).where('card_id', 'in', cardIds).execute();
  }
}

/**
 * Keeps the campaign's holdout share of its (consenting) audience out of it, recorded per card as
 * 'holdout'. Stratified by systematic sampling: the audience is ordered by tier, then in a wallet or
 * not, then a hash of the campaign and card ids, and every card where the running share crosses a
 * whole number is held out — so each stratum gives its share (to within one card, however small
 * the run: a birthday run of three still holds one out at 34 %), holdout and recipients are alike in
 * what most predicts a purchase, and a re-run picks the same cards.
 */
async function holdOut(trx: Db, campaign: Campaign): Promise<void> {
  await sql`
    with eligible as (
      select d.card_id, c.tier,
        (exists (select 1 from apple_registrations r where r.card_id = d.card_id)
          or exists (select 1 from google_objects g where g.card_id = d.card_id and g.saved)) as in_wallet
      from campaign_deliveries d join cards c on c.id = d.card_id
      where d.campaign_id = ${campaign.id} and d.status = 'pending'
    ), ranked as (
      select card_id, row_number() over (order by tier, in_wallet, md5(${campaign.id}::text || card_id::text)) as position
      from eligible
    )
    update campaign_deliveries d set status = 'holdout'
    from ranked r
    where d.campaign_id = ${campaign.id} and d.card_id = r.card_id
      and floor(r.position * ${campaign.holdout_percent} / 100.0) > floor((r.position - 1) * ${campaign.holdout_percent} / 100.0)`.execute(trx);
}

/** The program's frequency caps (per day, per week) and the customer's own weekly limit. */
function overCap(eb: ExpressionBuilder<Database, 'cards' | 'customers'>, program: Program) {
  return eb.or([
    eb(sentSince('1 day'), '>=', program.marketing_caps.perDay),
    eb(sentSince('7 days'), '>=', program.marketing_caps.perWeek),
    eb.and([eb('customers.max_messages_per_week', 'is not', null), eb(sentSince('7 days'), '>=', eb.ref('customers.max_messages_per_week'))]),
  ]);
}

/** Marketing messages this card was sent within the interval (every campaign kind counts; balance updates do not). */
function sentSince(interval: '1 day' | '7 days') {
  return sql<number>`(select count(*) from campaign_deliveries d where d.card_id = cards.id and d.status = 'sent' and d.sent_at > now() - ${sql.raw(`interval '${interval}'`)})`;
}
