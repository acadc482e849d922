import { createHash } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { allow } from '../../platform/http/auth.js';
import { parseInput, pathParam } from '../../platform/http/validate.js';
import type { ProgramService } from '../../loyalty/programs/program-service.js';
import type { StoreService } from '../../loyalty/stores/store-service.js';
import { AppError, invalidField } from '../../platform/shared/errors.js';
import { qrModuleCount, qrPng, qrSvg, QR_ERROR_CORRECTION, QR_MARGIN } from '../../platform/qr/qr-code.js';


export const JOIN_SOURCES = ['qr', 'sms', 'poster'] as const;
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
 * QR codes for posters, table tents and receipts: GET /programs/:slug/qr.svg and /qr.png encode the
 * program's join link (?store=&src=); error correction H, quiet zone 4 modules.
 */
export function qrRoutes(programs: ProgramService, publicUrl: string, stores: StoreService): Router {
  const router = Router();

  async function target(req: Request): Promise<{ slug: string; url: string; size: number | undefined }> {
    const query = parseInput(qrQuery, req.query);
    const program = await programs.getBySlug(pathParam(req, 'slug'));
    if (query.store) {
      const store = await stores.get(query.store).catch((err: unknown) => {
        if (err instanceof AppError && err.status === 404) return undefined;
        throw err;
      });
      if (store?.program_id !== program.id) throw invalidField('store', `no such store in program "${program.slug}"`);
    }
    const url = joinUrl(publicUrl, program.slug, { store: query.store, src: query.src });
    if (query.size !== undefined && query.size < qrModuleCount(url)) throw invalidField('size', `must be at least ${qrModuleCount(url)} px for this code`);
    return { slug: program.slug, url, size: query.size };
  }

  /** Cache headers, and true when the client's copy is current (a 304 has been sent). */
  function fresh(req: Request, res: Response, parts: string[]): boolean {
    const etag = `"${createHash('sha256').update([RENDER_VERSION, QR_ERROR_CORRECTION, QR_MARGIN, ...parts].join('\n')).digest('base64url').slice(0, 27)}"`;
    res.set({ ETag: etag, 'Cache-Control': CACHE_CONTROL, 'X-Content-Type-Options': 'nosniff' });
    const match = req.get('if-none-match');
    if (!match) return false;
    const tags = match.split(',').map((t) => t.trim().replace(/^W\//, ''));
    if (!tags.includes(etag) && !tags.includes('*')) return false;
    res.status(304).end();
    return true;
  }

  router.get('/programs/:slug/qr.svg', allow('admin', 'marketer'), async (req, res) => {
    const { slug, url, size } = await target(req);
    if (fresh(req, res, ['svg', String(size ?? ''), url])) return;
    const svg = await qrSvg(url, size !== undefined ? { size } : {});
    res
      .set({ 'Content-Disposition': `inline; filename="${slug}-join.svg"`, 'Content-Security-Policy': "default-src 'none'" })
      .type('image/svg+xml')
      .send(svg);
  });

  router.get('/programs/:slug/qr.png', allow('admin', 'marketer'), async (req, res) => {
    const { slug, url, size = DEFAULT_PNG_SIZE } = await target(req);
    if (fresh(req, res, ['png', String(size), url])) return;
    const png = await qrPng(url, { size });
    res.set('Content-Disposition', `inline; filename="${slug}-join.png"`).type('image/png').send(png);
  });

  return router;
}

/** For buildOpenApi(publicUrl, extraPaths). */
export const qrOpenApiPaths = Object.fromEntries(
  (['svg', 'png'] as const).map((format) => [
    `/api/v1/programs/{slug}/qr.${format}`,
    {
      get: {
        summary: `The program's join QR code as ${format.toUpperCase()} (roles admin, marketer)`,
        parameters: [
          { name: 'slug', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'store', in: 'query', required: false, schema: { type: 'string', format: 'uuid' }, description: 'a store of this program' },
          { name: 'src', in: 'query', required: false, schema: { type: 'string', enum: [...JOIN_SOURCES], default: 'qr' } },
          { name: 'size', in: 'query', required: false, schema: { type: 'integer', minimum: 128, maximum: 2048, ...(format === 'png' && { default: DEFAULT_PNG_SIZE }) } },
        ],
        responses: {
          '200': { description: 'The image', content: { [format === 'svg' ? 'image/svg+xml' : 'image/png']: {} } },
          '304': { description: 'Not modified (If-None-Match)' },
          '400': { description: 'Invalid store, src or size' },
          '404': { description: 'No such program' },
        },
      },
    },
  ]),
);
