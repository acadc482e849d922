import { sql } from 'kysely';
import { z } from 'zod';
import { invalidField } from './errors.js';

/**
 * Keyset paging for lists newest first: the cursor names the last row seen by its creation time and
 * id (opaque to callers), so a page is one index range however deep, and rows created meanwhile do
 * not shift the pages after them. The time is the database's own, to the microsecond: a JavaScript
 * Date keeps milliseconds, and rows within one millisecond of a page's end would be skipped.
 */
export interface PageCursor {
  /** UTC, 'YYYY-MM-DDTHH:MM:SS.ffffffZ'. */
  createdAt: string;
  id: string;
}

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(200).optional().describe('`nextCursor` of the previous page'),
};

/** Selected beside a row (as `cursor_at`): its creation time as the cursor carries it. */
export const cursorTime = (column: string) => sql<string>`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TIME = /^(19|2\d)\d\d-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{6}Z$/;

export function decodeCursor(cursor: string | undefined): PageCursor | undefined {
  if (cursor === undefined) return undefined;
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    // A real calendar instant (no 30 February): the database would refuse it with a 500.
    const real = typeof createdAt === 'string' && TIME.test(createdAt) && new Date(createdAt).toISOString().slice(0, 19) === createdAt.slice(0, 19);
    if (real && typeof id === 'string' && UUID.test(id)) return { createdAt, id };
  } catch {
    // falls through to the error below
  }
  throw invalidField('cursor', 'is not a cursor this list gave (use nextCursor as it came)');
}

/** Rows after the cursor, for a list ordered by (created_at, id) descending. */
export const afterCursor = (c: PageCursor, createdAt: string, id: string) =>
  sql<boolean>`(${sql.ref(createdAt)}, ${sql.ref(id)}) < (${c.createdAt}::timestamptz, ${c.id}::uuid)`;

/** The page and the cursor of the next one: `rows` were read with limit + 1. */
export function pageOf<T extends { cursor_at: string; id: string }>(rows: T[], limit: number): { rows: T[]; nextCursor: string | null } {
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const last = page[page.length - 1];
  return { rows: page, nextCursor: more && last ? Buffer.from(JSON.stringify([last.cursor_at, last.id])).toString('base64url') : null };
}
