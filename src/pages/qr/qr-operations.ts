import { createHash } from 'node:crypto';
import { z } from 'zod';
import { operation, type Reply } from '../../platform/http/operation.js';
import { line } from '../../platform/shared/text.js';
import type { ProgramService } from '../../loyalty/programs/program-service.js';
import type { StoreService } from '../../loyalty/stores/store-service.js';
import { AppError, invalidField } from '../../platform/shared/errors.js';
import { qrModuleCount, qrPng, qrSvg, QR_ERROR_CORRECTION, QR_MARGIN } from '../../platform/qr/qr-code.js';

export const JOIN_SOURCES = ['qr', 'sms', 'poster', 'till'] as const;
export type JoinSource = (typeof JOIN_SOURCES)[number];

export const qrQuery = z.object({
  store: z.uuid({ message: 'must be the id (uuid) of a store of this program' }).optional(),
  src: z.enum(JOIN_SOURCES).default('qr'),
  size: z.coerce.number().int().min(128).max(2048).optional(),
});

const DEFAULT_PNG_SIZE = 1024;
/** Slugs and store ids never change, so a code is good for long; a day keeps mistakes short-lived. */
const CACHE_CONTROL = 'private, max-age=86400';
/** Part of every ETag: bump when the rendering changes. */
const RENDER_VERSION = 'qr1';

/** The enrolment page a program's QR code leads to, with the store and channel it was scanned at. */
export function joinUrl(publicUrl: string, slug: string, params: { store?: string | undefined; src: JoinSource }): string {
  const query = new URLSearchParams();
  if (params.store) query.set('store', params.store);
  query.set('src', params.src);
  return `${publicUrl.replace(/\/+$/, '')}/join/${encodeURIComponent(slug)}?${query.toString()}`;
}

/**
 * QR codes for posters, table tents and receipts: GET /programs/{slug}/qr.svg and /qr.png encode
 * the program's join link (?store=&src=); error correction H, quiet zone 4 modules.
 */
export function qrOperations(programs: ProgramService, publicUrl: string, stores: StoreService) {
  async function target(slug: string, query: z.output<typeof qrQuery>): Promise<{ slug: string; url: string }> {
    const program = await programs.getBySlug(slug);
    if (query.store) {
      const store = await stores.get(query.store).catch((err: unknown) => {
        if (err instanceof AppError && err.status === 404) return undefined;
        throw err;
      });
      if (store?.program_id !== program.id) throw invalidField('store', `no such store in program "${program.slug}"`);
    }
    const url = joinUrl(publicUrl, program.slug, { store: query.store, src: query.src });
    if (query.size !== undefined && query.size < qrModuleCount(url)) throw invalidField('size', `must be at least ${qrModuleCount(url)} px for this code`);
    return { slug: program.slug, url };
  }

  /** Cache headers, and a 304 when the client's copy (If-None-Match) is current. */
  function cached(ifNoneMatch: string | undefined, parts: string[], render: () => Promise<Reply>): Promise<Reply> | Reply {
    const etag = `"${createHash('sha256')
      .update([RENDER_VERSION, QR_ERROR_CORRECTION, QR_MARGIN, ...parts].join('\n'))
      .digest('base64url')
      .slice(0, 27)}"`;
    const headers = { ETag: etag, 'Cache-Control': CACHE_CONTROL, 'X-Content-Type-Options': 'nosniff' };
    const tags = (ifNoneMatch ?? '').split(',').map((t) => t.trim().replace(/^W\//, ''));
    if (ifNoneMatch && (tags.includes(etag) || tags.includes('*'))) return { status: 304, headers };
    return render().then((reply) => ({ ...reply, headers: { ...headers, ...reply.headers } }));
  }

  return (['svg', 'png'] as const).map((format) =>
    operation({
      operationId: format === 'svg' ? 'getProgramQrSvg' : 'getProgramQrPng',
      method: 'get',
      path: `/programs/{slug}/qr.${format}`,
      tag: 'Programs',
      summary: `The program's join QR code as ${format.toUpperCase()} (for posters, table tents, receipts)`,
      // A till shows it on the counter's screen: the customer joins on their own phone.
      roles: ['admin', 'marketer', 'pos'],
      params: z.object({ slug: line().min(1).max(63) }),
      query: qrQuery,
      responses: {
        200: { description: 'The image', mediaType: format === 'svg' ? 'image/svg+xml' : 'image/png', headers: { ETag: 'Changes when the code does' } },
        304: { description: 'Not modified (If-None-Match)' },
      },
      errors: [404],
      targets: ({ params, query }) => [{ program: params.slug }, ...(query.store ? [{ store: query.store, field: 'store' }] : [])],
      handler: async ({ params, query, header }) => {
        const { slug, url } = await target(params.slug, query);
        if (format === 'svg') {
          return cached(header('if-none-match'), ['svg', String(query.size ?? ''), url], async () => ({
            status: 200,
            type: 'image/svg+xml',
            headers: { 'Content-Disposition': `inline; filename="${slug}-join.svg"`, 'Content-Security-Policy': "default-src 'none'" },
            body: await qrSvg(url, query.size !== undefined ? { size: query.size } : {}),
          }));
        }
        const size = query.size ?? DEFAULT_PNG_SIZE;
        return cached(header('if-none-match'), ['png', String(size), url], async () => ({
          status: 200,
          type: 'image/png',
          headers: { 'Content-Disposition': `inline; filename="${slug}-join.png"` },
          body: await qrPng(url, { size }),
        }));
      },
    }),
  );
}
