import { inflateSync } from 'node:zlib';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qrPng, qrSvg } from '../src/platform/qr/qr-code.js';
import { joinUrl } from '../src/pages/qr/qr-operations.js';
import { createProgramWithStores, issueKey } from './support/fixtures.js';
import { ADMIN_KEY, startTestService, type TestService } from './support/test-service.js';

const PUBLIC_URL = 'https://loyalty.example.com';

let svc: TestService;
let base: string;
let stores: any[];
let betaStores: any[];

beforeAll(async () => {
  svc = await startTestService({ PUBLIC_URL });
  ({ stores } = await createProgramWithStores(svc));
  ({ stores: betaStores } = await createProgramWithStores(svc, 'beta'));
  base = svc.url;
});
afterAll(() => svc?.stop());

async function get(path: string, key: string = ADMIN_KEY, headers: Record<string, string> = {}) {
  const res = await fetch(base + path, { headers: { authorization: `Bearer ${key}`, ...headers } });
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body, json: () => JSON.parse(body.toString('utf8')) };
}

interface DecodedPng {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  /** 1-bit greyscale: true = black. */
  dark(x: number, y: number): boolean;
}

/** Reads the chunks (checking the signature) and unpacks a 1-bit greyscale image. */
function readPng(buf: Buffer): DecodedPng {
  expect(buf.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const chunks: Array<{ type: string; data: Buffer }> = [];
  for (let at = 8; at < buf.length;) {
    const length = buf.readUInt32BE(at);
    chunks.push({ type: buf.toString('latin1', at + 4, at + 8), data: buf.subarray(at + 8, at + 8 + length) });
    at += 12 + length;
  }
  expect(chunks[0]!.type).toBe('IHDR');
  expect(chunks.at(-1)!.type).toBe('IEND');
  const ihdr = chunks[0]!.data;
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  const raw = inflateSync(Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data)));
  const stride = Math.ceil(width / 8) + 1;
  return {
    width,
    height,
    bitDepth: ihdr[8]!,
    colorType: ihdr[9]!,
    dark: (x, y) => {
      expect(raw[y * stride]).toBe(0); // filter: none
      return (raw[y * stride + 1 + (x >> 3)]! & (0x80 >> (x & 7))) === 0;
    },
  };
}

/** The image's modules, sampled at their centres, must be the QR code of `text` (level H, margin 4). */
function expectPngEncodes(png: DecodedPng, text: string) {
  const code = QRCode.create(text, { errorCorrectionLevel: 'H' });
  const n = code.modules.size;
  const total = n + 8;
  const px = png.width / total;
  let mismatches = 0;
  for (let row = -4; row < n + 4; row++) {
    for (let col = -4; col < n + 4; col++) {
      const expected = row >= 0 && col >= 0 && row < n && col < n ? code.modules.get(row, col) === 1 : false;
      if (png.dark(Math.floor((col + 4.5) * px), Math.floor((row + 4.5) * px)) !== expected) mismatches++;
    }
  }
  expect(mismatches).toBe(0);
}

describe('program QR codes', () => {
  it('serves an SVG of the join link with store and source, level H, quiet zone 4', async () => {
    const store = stores[1].id as string;
    const res = await get(`/api/v1/programs/acme/qr.svg?store=${store}&src=poster`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('inline; filename="acme-join.svg"');
    expect(res.headers.get('cache-control')).toBe('private, max-age=86400');
    expect(res.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    const svg = res.body.toString('utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toMatch(/<path [^>]*d="M/);
    const url = `${PUBLIC_URL}/join/acme?store=${store}&src=poster`;
    expect(joinUrl(PUBLIC_URL, 'acme', { store, src: 'poster' })).toBe(url);
    expect(svg).toBe(await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'H', margin: 4 }));
    // Quiet zone: the symbol's modules plus 4 on each side.
    const modules = QRCode.create(url, { errorCorrectionLevel: 'H' }).modules.size;
    expect(svg).toContain(`viewBox="0 0 ${modules + 8} ${modules + 8}"`);
  });

  it('serves a PNG, 1024 px by default or the size asked for, encoding the join link', async () => {
    const res = await get('/api/v1/programs/acme/qr.png');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('content-disposition')).toBe('inline; filename="acme-join.png"');
    expect(res.headers.get('cache-control')).toBe('private, max-age=86400');
    const png = readPng(res.body);
    expect(png).toMatchObject({ width: 1024, height: 1024, bitDepth: 1, colorType: 0 });
    expectPngEncodes(png, `${PUBLIC_URL}/join/acme?src=qr`);

    for (const size of [128, 333, 2048]) {
      const sized = await get(`/api/v1/programs/acme/qr.png?size=${size}&src=sms&store=${stores[0].id}`);
      expect(sized.status).toBe(200);
      const decoded = readPng(sized.body);
      expect([decoded.width, decoded.height]).toEqual([size, size]);
      expectPngEncodes(decoded, `${PUBLIC_URL}/join/acme?store=${stores[0].id}&src=sms`);
    }
  });

  it('sets SVG dimensions when a size is given', async () => {
    const res = await get('/api/v1/programs/acme/qr.svg?size=512');
    expect(res.body.toString('utf8')).toContain('width="512" height="512"');
  });

  it('answers 304 to a matching If-None-Match, and a new ETag for other parameters', async () => {
    const first = await get('/api/v1/programs/acme/qr.png?size=256');
    const etag = first.headers.get('etag')!;
    const again = await get('/api/v1/programs/acme/qr.png?size=256', ADMIN_KEY, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect(again.headers.get('etag')).toBe(etag);
    expect((await get('/api/v1/programs/acme/qr.png?size=257')).headers.get('etag')).not.toBe(etag);
    expect((await get('/api/v1/programs/acme/qr.svg?size=256')).headers.get('etag')).not.toBe(etag);
  });

  it('400 names store for a store of another program or a malformed id; size and src are checked', async () => {
    const foreign = await get(`/api/v1/programs/acme/qr.svg?store=${betaStores[0].id}`);
    expect(foreign.status).toBe(400);
    expect(foreign.headers.get('content-type')).toContain('application/problem+json');
    expect(foreign.json().errors).toEqual([{ field: 'store', message: 'no such store in program "acme"' }]);
    expect((await get('/api/v1/programs/acme/qr.svg?store=00000000-0000-4000-8000-000000000000')).json().errors[0].field).toBe('store');
    expect((await get('/api/v1/programs/acme/qr.png?store=nope')).json().errors[0].field).toBe('store');
    for (const size of ['127', '2049', '12.5', 'big']) {
      const res = await get(`/api/v1/programs/acme/qr.png?size=${size}`);
      expect(res.status).toBe(400);
      expect(res.json().errors[0].field).toBe('size');
    }
    const src = await get('/api/v1/programs/acme/qr.png?src=billboard');
    expect(src.status).toBe(400);
    expect(src.json().errors[0].field).toBe('src');
    expect((await get('/api/v1/programs/nope/qr.svg')).status).toBe(404);
  });

  it('is for admin and marketer keys, and for a till (its own program: the counter shows it)', async () => {
    const marketer = await issueKey(svc, 'marketer');
    const pos = await issueKey(svc, 'pos', stores[0].id);
    expect((await get('/api/v1/programs/acme/qr.svg', marketer)).status).toBe(200);
    expect((await get(`/api/v1/programs/acme/qr.svg?store=${stores[0].id}&src=till`, pos)).status).toBe(200);
    expect((await get('/api/v1/programs/acme/qr.png', 'wlk_unknown')).status).toBe(401);
  });
});

describe('helpers for pages', () => {
  it('qrSvg and qrPng encode the given text', async () => {
    const text = `${PUBLIC_URL}/c/abcdefghijklmnopqrstuvwxyz012345`;
    expect(await qrSvg(text)).toBe(await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'H', margin: 4 }));
    const png = readPng(await qrPng(text, { size: 300 }));
    expect(png.width).toBe(300);
    expectPngEncodes(png, text);
  });

  it('refuses a PNG smaller than the symbol', async () => {
    await expect(qrPng('x'.repeat(200), { size: 21 })).rejects.toThrow(RangeError);
  });
});
