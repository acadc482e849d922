import { readFileSync } from 'node:fs';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Program, Store } from '../src/platform/db/schema.js';
import { TEMPLATES_DIR } from '../src/platform/paths.js';
import { buildLoyaltyClass } from '../src/wallets/google/loyalty-resources.js';

const ISSUER = '3388000000022222222';

function program(overrides: Partial<Program> = {}): Program {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    slug: 'coffee',
    name: 'Coffee Club',
    currency: 'RUB',
    earn_rate_bp: 500,
    max_redeem_bp: 3000,
    welcome_bonus: 0,
    tiers: [{ name: 'Silver', minSpendMinor: 0, earnRateBp: 500 }],
    points_expire_after_months: null,
    timezone: 'Europe/Moscow',
    design: 'default',
    barcode_format: 'QR',
    terms: 'Terms apply.',
    privacy_policy_url: null,
    marketing_caps: { perDay: 1, perWeek: 3 },
    birthday_automation: null,
    points_reminder: null,
    created_at: new Date(0),
    updated_at: new Date(0),
    ...overrides,
  };
}

const stores: Store[] = [];

// ---------------------------------------------------------------------------------------------
// PNG reading: the IHDR, and the pixels of an 8-bit RGB non-interlaced image (what the script writes)
// ---------------------------------------------------------------------------------------------

function readPng(file: Buffer): { width: number; height: number; pixel: (x: number, y: number) => number[] } {
  expect(file.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(file.toString('ascii', 12, 16)).toBe('IHDR');
  const width = file.readUInt32BE(16);
  const height = file.readUInt32BE(20);
  expect([file[24], file[25], file[28]]).toEqual([8, 2, 0]); // bit depth 8, RGB, not interlaced
  const idat: Buffer[] = [];
  for (let at = 8; at < file.length;) {
    const length = file.readUInt32BE(at);
    if (file.toString('ascii', at + 4, at + 8) === 'IDAT') idat.push(file.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 3;
  const px = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const type = raw[y * (stride + 1)]!;
    for (let i = 0; i < stride; i++) {
      const v = raw[y * (stride + 1) + 1 + i]!;
      const a = i >= 3 ? px[y * stride + i - 3]! : 0;
      const b = y > 0 ? px[(y - 1) * stride + i]! : 0;
      const c = i >= 3 && y > 0 ? px[(y - 1) * stride + i - 3]! : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][type]!;
      px[y * stride + i] = (v + predictor) & 0xff;
    }
  }
  return { width, height, pixel: (x, y) => [...px.subarray((y * width + x) * 3, (y * width + x) * 3 + 3)] };
}

/** pass.json's backgroundColor, which the class also gets as hexBackgroundColor. */
const background = (() => {
  const pass = JSON.parse(readFileSync(path.join(TEMPLATES_DIR, 'default', 'pass.json'), 'utf8')) as { backgroundColor: string };
  return /rgb\((\d+),\s*(\d+),\s*(\d+)\)/.exec(pass.backgroundColor)!.slice(1, 4).map(Number);
})();

describe("the default design's Google images", () => {
  it('has a 660×660 logo whose mark survives Google’s circular mask', () => {
    const file = readFileSync(path.join(TEMPLATES_DIR, 'default', 'google-logo.png'));
    const png = readPng(file);
    expect([png.width, png.height]).toEqual([660, 660]);
    expect(file.length).toBeLessThan(40_000);
    // Everything outside 92% of the inscribed circle is plain background, so the mask cuts nothing.
    let marked = 0;
    for (let y = 0; y < 660; y += 3) {
      for (let x = 0; x < 660; x += 3) {
        const inside = Math.hypot(x + 0.5 - 330, y + 0.5 - 330) < 330 * 0.92;
        const isBackground = png.pixel(x, y).every((v, k) => v === background[k]);
        if (!inside) expect(isBackground, `pixel ${x},${y}`).toBe(true);
        else if (!isBackground) marked++;
      }
    }
    expect(marked).toBeGreaterThan(1000); // and there is a mark inside
  });

  it('has a 1032×336 hero on the design’s colour', () => {
    const file = readFileSync(path.join(TEMPLATES_DIR, 'default', 'google-hero.png'));
    const png = readPng(file);
    expect([png.width, png.height]).toEqual([1032, 336]);
    expect(file.length).toBeLessThan(40_000);
    expect(png.pixel(500, 330)).toEqual(background);
  });
});

describe('the loyalty class', () => {
  const input = {
    issuerId: ISSUER,
    program: program(),
    stores,
    logoUrl: 'https://loyalty.example.com/wallet/google/logo/default.png',
    callbackUrl: 'https://loyalty.example.com/wallet/google/callbacks',
    backgroundColor: '#163c38',
  };

  it('shows the design’s hero image, described for accessibility', () => {
    const cls = buildLoyaltyClass({ ...input, heroUrl: 'https://loyalty.example.com/wallet/google/hero/default.png' });
    expect(cls.heroImage).toEqual({
      sourceUri: { uri: 'https://loyalty.example.com/wallet/google/hero/default.png' },
      contentDescription: { defaultValue: { language: 'en', value: 'Coffee Club' } },
    });
    expect(cls.programLogo?.sourceUri?.uri).toBe(input.logoUrl);
  });

  it('has no hero when none is given', () => {
    expect(buildLoyaltyClass(input)).not.toHaveProperty('heroImage');
  });
});
