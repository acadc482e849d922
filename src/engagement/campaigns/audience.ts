import { sql, type SelectQueryBuilder } from 'kysely';
import { z } from 'zod';
import { line } from '../../platform/shared/text.js';
import type { Database } from '../../platform/db/schema.js';
import type { Db } from '../../platform/db/database.js';

const monthDay = line().regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'must be MM-DD');

/** Who a campaign is for. Every condition narrows; no condition = the whole program. */
export const audienceInput = z
  .strictObject({
    tiers: z.array(line().min(1)).min(1).max(10),
    homeStoreIds: z.array(z.uuid()).min(1).max(100),
    /** "New": enrolled within N days. */
    enrolledWithinDays: z.number().int().min(1).max(3650),
    /** "Active": a purchase within N days. */
    activeWithinDays: z.number().int().min(1).max(3650),
    /** "Sleeping": no purchase within N days. */
    sleepingForDays: z.number().int().min(1).max(3650),
    /** Birthday in a calendar range (wraps over New Year when from > to). */
    birthdayBetween: z.strictObject({ from: monthDay, to: monthDay }),
    balanceAbove: z.number().int().min(0),
    inAppleWallet: z.boolean(),
    inGoogleWallet: z.boolean(),
    /** Cards with points that expire on this (UTC) date: the points-reminder automation. */
    pointsExpiringOn: z.iso.date(),
  })
  .partial();

export type Audience = z.infer<typeof audienceInput>;

type AudienceQuery = SelectQueryBuilder<Database, 'cards' | 'customers', object>;

/**
 * The segment as SQL over active cards of the program, evaluated in the database. Consent is not
 * applied here: campaigns record non-consenting members as skipped, previews count both.
 */
export function audienceQuery(db: Db, programId: string, a: Audience): AudienceQuery {
  let q: AudienceQuery = db
    .selectFrom('cards')
    .innerJoin('customers', 'customers.id', 'cards.customer_id')
    .where('cards.program_id', '=', programId)
    .where('cards.status', '=', 'active')
    .where('customers.erased_at', 'is', null);
  if (a.tiers) q = q.where('cards.tier', 'in', a.tiers);
  if (a.homeStoreIds) q = q.where('customers.home_store_id', 'in', a.homeStoreIds);
  if (a.enrolledWithinDays) q = q.where('cards.created_at', '>=', daysAgo(a.enrolledWithinDays));
  if (a.activeWithinDays)
    q = q.where(sql<boolean>`exists (select 1 from purchases p where p.card_id = cards.id and p.created_at >= ${daysAgo(a.activeWithinDays)})`);
  if (a.sleepingForDays)
    q = q.where(sql<boolean>`not exists (select 1 from purchases p where p.card_id = cards.id and p.created_at >= ${daysAgo(a.sleepingForDays)})`);
  if (a.birthdayBetween) {
    const { from, to } = a.birthdayBetween;
    const md = sql<string>`to_char(customers.birthday, 'MM-DD')`;
    q = from <= to ? q.where(sql<boolean>`${md} between ${from} and ${to}`) : q.where(sql<boolean>`(${md} >= ${from} or ${md} <= ${to})`);
  }
  if (a.balanceAbove !== undefined) q = q.where('cards.balance', '>', a.balanceAbove);
  if (a.inAppleWallet !== undefined) {
    const apple = sql<boolean>`exists (select 1 from apple_registrations r where r.card_id = cards.id)`;
    q = q.where(a.inAppleWallet ? apple : sql<boolean>`not ${apple}`);
  }
  if (a.inGoogleWallet !== undefined) {
    const google = sql<boolean>`exists (select 1 from google_objects g where g.card_id = cards.id and g.saved)`;
    q = q.where(a.inGoogleWallet ? google : sql<boolean>`not ${google}`);
  }
  if (a.pointsExpiringOn) {
    q = q.where(
      sql<boolean>`exists (select 1 from point_lots l where l.card_id = cards.id and l.remaining > 0 and (l.expires_at at time zone 'UTC')::date = ${a.pointsExpiringOn}::date)`,
    );
  }
  return q;
}

function daysAgo(days: number): Date {
  return new Date(Date.now() - days * 86_400_000);
}
