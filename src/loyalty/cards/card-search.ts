import { z } from 'zod';
import type { Db } from '../../platform/db/database.js';
import type { Card, Program } from '../../platform/db/schema.js';
import { maskPhone } from '../../platform/log/logger.js';
import { normalizePhone } from '../../platform/shared/phone.js';
import { afterCursor, cursorTime, decodeCursor, pageOf } from '../../platform/shared/page-cursor.js';

export const cardSummary = z
  .object({
    cardNumber: z.string(),
    status: z.string(),
    tier: z.string(),
    balance: z.number().int(),
    createdAt: z.iso.datetime(),
    customer: z.object({
      id: z.uuid(),
      name: z.string().nullable(),
      phone: z.string().nullable().describe('masked (+7916*****67): the full number is on the card (GET /cards/{cardNumber})'),
      erased: z.boolean(),
    }),
  })
  .meta({ id: 'CardSummary' });

export interface CardSearch {
  q?: string | undefined;
  status?: Card['status'] | undefined;
  limit: number;
  cursor?: string | undefined;
}

/**
 * A program's cards, newest first, found by what a marketer has at hand: a phone in any format (the
 * full number, or four or more of its digits), the card number or printed barcode, or part of the name.
 * Lists never carry a card's links (bearer credentials) nor a full phone number.
 */
export async function searchCards(db: Db, program: Program, defaultRegion: string, s: CardSearch) {
  const after = decodeCursor(s.cursor);
  let query = db
    .selectFrom('cards as c')
    .innerJoin('customers as u', 'u.id', 'c.customer_id')
    .select([
      'c.id',
      'c.card_number',
      'c.status',
      'c.tier',
      'c.balance',
      'c.created_at',
      'u.id as customer_id',
      'u.name',
      'u.phone',
      'u.erased_at',
      cursorTime('c.created_at').as('cursor_at'),
    ])
    .where('c.program_id', '=', program.id);
  const q = s.q?.trim();
  if (q) {
    const phone = normalizePhone(q, defaultRegion);
    const digits = q.replace(/[\s()+.-]/g, '');
    if (/^\d{4,}$/.test(digits)) {
      query = query.where((eb) =>
        eb.or([
          ...(phone ? [eb('u.phone', '=', phone)] : []),
          eb('u.phone', 'like', `%${digits}%`),
          eb('c.card_number', '=', digits),
          eb('c.barcode_value', '=', q),
        ]),
      );
    } else {
      const pattern = `%${q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
      query = query.where((eb) => eb.or([eb('u.name', 'ilike', pattern), eb('c.barcode_value', '=', q)]));
    }
  }
  if (s.status) query = query.where('c.status', '=', s.status);
  if (after) query = query.where(afterCursor(after, 'c.created_at', 'c.id'));
  const rows = await query
    .orderBy('c.created_at', 'desc')
    .orderBy('c.id', 'desc')
    .limit(s.limit + 1)
    .execute();
  const page = pageOf(rows, s.limit);
  return {
    items: page.rows.map((r) => ({
      cardNumber: r.card_number,
      status: r.status,
      tier: r.tier,
      balance: r.balance,
      createdAt: r.created_at.toISOString(),
      customer: { id: r.customer_id, name: r.name, phone: maskPhone(r.phone) ?? null, erased: r.erased_at !== null },
    })),
    nextCursor: page.nextCursor,
  };
}
