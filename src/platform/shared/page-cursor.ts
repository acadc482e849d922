import { z } from 'zod';
import { invalidField } from './errors.js';

/**
 * Keyset paging for lists newest first: the cursor names the last row seen by its creation time and
 * id (opaque to callers), so a page is one index range however deep, and rows created meanwhile do
 * not shift the pages after them.
 */
export interface PageCursor {
  createdAt: Date;
  id: string;
}

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(200).optional().describe('`nextCursor` of the previous page'),
};

export function encodeCursor(row: { created_at: Date; id: string }): string {
  return Buffer.from(JSON.stringify([row.created_at.toISOString(), row.id])).toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function decodeCursor(cursor: string | undefined): PageCursor | undefined {
  if (cursor === undefined) return undefined;
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    const createdAt = new Date(String(at));
    if (typeof at === 'string' && typeof id === 'string' && UUID.test(id) && !Number.isNaN(createdAt.getTime())) return { createdAt, id };
  } catch {
    // falls through to the error below
  }
  throw invalidField('cursor', 'is not a cursor this list gave (use nextCursor as it came)');
}

/** The page and the cursor of the next one: `rows` were read with limit + 1. */
export function pageOf<T extends { created_at: Date; id: string }>(rows: T[], limit: number): { rows: T[]; nextCursor: string | null } {
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  return { rows: page, nextCursor: more ? encodeCursor(page[page.length - 1]!) : null };
}
