import { readFileSync } from 'node:fs';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import type { Card, Customer, Program, Store } from '../src/platform/db/schema.js';
import { TEMPLATES_DIR } from '../src/platform/paths.js';
import { balanceFields, buildLoyaltyClass, buildLoyaltyObject, saveObjectFor, type RestockSubscription } from '../src/wallets/google/loyalty-resources.js';
import { MAX_SAVE_LINK_LENGTH, saveLink } from '../src/wallets/google/save-link.js';
import { createTestServiceAccount } from './support/fake-google.js';

const ISSUER = '3388000000022222222';
const account = createTestServiceAccount();

function program(overrides: Partial<Program> = {}): Program {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    brand_id: '00000000-0000-4000-8000-0000000000b1',
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
    verify_phone: null,
    refund_approval_above_minor: null,
    phone_regions: null,
    marketing_caps: { perDay: 1, perWeek: 3 },
    birthday_automation: null,
    points_reminder: null,
    created_at: new Date(0),
    updated_at: new Date(0),
    ...overrides,
  };
}

function card(overrides: Partial<Card> = {}): Card {
  return {
    id: '00000000-0000-4000-8000-000000000002',
    program_id: '00000000-0000-4000-8000-000000000001',
    customer_id: '00000000-0000-4000-8000-000000000003',
    card_number: '412345678903',
    serial_number: '6f1c2b8e-3d4a-4e5f-8a9b-0c1d2e3f4a5b',
    barcode_value: '412345678903',
    status: 'active',
    tier: 'Gold',
    balance: 1240,
    lifetime_spend_minor: 0,
    auth_token: 'auth-token',
    link_token: 'link-token',
    source: 'api',
    issued_store_id: null,
    message: null,
    pass_version: 1,
    pass_updated_at: new Date(0),
    pass_xid: '1',
    announce: null,
    message_seq: 0,
    apple_pass_type_id: null,
    created_at: new Date(0),
    updated_at: new Date(0),
    ...overrides,
  };
}

const customer: Customer = {
  id: '00000000-0000-4000-8000-000000000003',
  program_id: '00000000-0000-4000-8000-000000000001',
  name: 'Anna Karenina',
  phone: '+79161234567',
  email: null,
  birthday: null,
  home_store_id: null,
  marketing_consent: true,
  max_messages_per_week: null,
  created_at: new Date(0),
  updated_at: new Date(0),
  erased_at: null,
};

const stores: Store[] = [];

const subscription = (i: number, overrides: Partial<RestockSubscription> = {}): RestockSubscription => ({
  title: `Sneaker ${i}`,
  size: '42',
  unsubscribeUrl: `https://loyalty.example.com/restock/unsubscribe/token-${i}`,
  ...overrides,
});

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

describe('the loyalty object', () => {
  const build = (overrides: Partial<Parameters<typeof buildLoyaltyObject>[0]> = {}) =>
    buildLoyaltyObject({ issuerId: ISSUER, program: program(), card: card(), customer, stores, ...overrides });

  it('shows the tier on the front as the secondary points, localized like the points', () => {
    const obj = build();
    expect(obj.loyaltyPoints).toEqual({
      label: 'Points',
      localizedLabel: { defaultValue: { language: 'en', value: 'Points' }, translatedValues: [{ language: 'ru', value: 'Баллы' }] },
      balance: { int: 1240 },
    });
    expect(obj.secondaryLoyaltyPoints).toEqual({
      label: 'Tier',
      localizedLabel: { defaultValue: { language: 'en', value: 'Tier' }, translatedValues: [{ language: 'ru', value: 'Уровень' }] },
      balance: { string: 'Gold' },
    });
    expect(obj.textModulesData).toEqual([]); // no second copy of the tier in the details
  });

  it('links the card page, in English and Russian', () => {
    const obj = build({ cardPageUrl: 'https://loyalty.example.com/c/link-token' });
    expect(obj.linksModuleData?.uris).toEqual([
      {
        id: 'card',
        uri: 'https://loyalty.example.com/c/link-token',
        description: 'Your card',
        localizedDescription: { defaultValue: { language: 'en', value: 'Your card' }, translatedValues: [{ language: 'ru', value: 'Ваша карта' }] },
      },
    ]);
  });

  it('lists open back-in-stock subscriptions, each with its unsubscribe link', () => {
    const obj = build({ cardPageUrl: 'https://loyalty.example.com/c/t', restockSubscriptions: [subscription(1), subscription(2, { size: null })] });
    expect(obj.textModulesData).toEqual([
      {
        id: 'restock',
        header: 'Waiting for it to be back',
        localizedHeader: {
          defaultValue: { language: 'en', value: 'Waiting for it to be back' },
          translatedValues: [{ language: 'ru', value: 'Жду поступления' }],
        },
        body: 'Sneaker 1 (42)\nSneaker 2',
      },
    ]);
    const uris = obj.linksModuleData!.uris!;
    expect(uris.map((u) => u.id)).toEqual(['card', 'restock-1', 'restock-2']);
    expect(uris[1]).toEqual({
      id: 'restock-1',
      uri: 'https://loyalty.example.com/restock/unsubscribe/token-1',
      description: 'Stop waiting: Sneaker 1',
      localizedDescription: {
        defaultValue: { language: 'en', value: 'Stop waiting: Sneaker 1' },
        translatedValues: [{ language: 'ru', value: 'Отписаться: Sneaker 1' }],
      },
    });
  });

  it('stays within Google’s 10 links and keeps texts short, cutting between graphemes', () => {
    const emoji = '\u{1F45F}'; // two UTF-16 units
    const long = `${'x'.repeat(29)}${emoji}${'y'.repeat(100)}`;
    const many = Array.from({ length: 12 }, (_, i) => subscription(i + 1, { title: i === 0 ? long : `Item ${i + 1}`, size: i === 0 ? 'XXL' : null }));
    const obj = build({ cardPageUrl: 'https://loyalty.example.com/c/t', restockSubscriptions: many });
    const uris = obj.linksModuleData!.uris!;
    expect(uris).toHaveLength(10);
    expect(uris.at(-1)!.uri).toBe('https://loyalty.example.com/restock/unsubscribe/token-9');
    const body = obj.textModulesData![0]!.body!;
    expect(body.split('\n')).toHaveLength(9); // the ones with a link
    expect(body.length).toBeLessThanOrEqual(500);
    const firstLine = body.split('\n')[0]!;
    expect(firstLine.length).toBeLessThanOrEqual(50);
    expect(firstLine.startsWith(`${'x'.repeat(29)}${emoji}y`)).toBe(true);
    // The link's title is cut before the emoji it would split (29 + 2 > 30).
    expect(uris[1]!.description).toBe(`Stop waiting: ${'x'.repeat(29)}`);
  });

  it('always sends its text and link arrays, so a closed subscription is cleared at Google', () => {
    const obj = build();
    expect(obj.textModulesData).toEqual([]);
    expect(obj.linksModuleData).toEqual({ uris: [] });
  });

  it('shows a voided card no subscriptions and no personal link', () => {
    const obj = build({ card: card({ status: 'voided' }), cardPageUrl: 'https://loyalty.example.com/c/t', restockSubscriptions: [subscription(1)] });
    expect(obj.state).toBe('INACTIVE');
    expect(obj.textModulesData).toEqual([]);
    expect(obj.linksModuleData).toEqual({ uris: [] });
    expect(obj.messages).toEqual([]);
  });

  it('patches balance and tier without any array, so a balance update keeps the subscriptions module', () => {
    const fields = balanceFields(card({ balance: 7, tier: 'Silver' }));
    expect(Object.keys(fields).sort()).toEqual(['loyaltyPoints', 'secondaryLoyaltyPoints']);
    expect(fields.loyaltyPoints?.balance).toEqual({ int: 7 });
    expect(fields.secondaryLoyaltyPoints?.balance).toEqual({ string: 'Silver' });
    const full = build({ restockSubscriptions: [subscription(1)] });
    expect(full).toMatchObject(balanceFields(card())); // one source for both
  });
});

describe('the save link', () => {
  const claimsOf = (link: string) => {
    expect(link).toMatch(/^https:\/\/pay\.google\.com\/gp\/v\/save\/[\w-]+\.[\w-]+\.[\w-]+$/);
    return jwt.verify(link.split('/').at(-1)!, account.publicKeyPem, { algorithms: ['RS256'] }) as jwt.JwtPayload;
  };
  const link = (p: Program, c: Card) => saveLink({ clientEmail: account.client_email, privateKey: account.private_key, object: saveObjectFor(ISSUER, p, c) });

  it('carries a slim but complete object, so Google can create it on save', () => {
    const claims = claimsOf(link(program({ barcode_format: 'CODE128' }), card()));
    expect(claims).toMatchObject({ iss: account.client_email, aud: 'google', typ: 'savetowallet', origins: [] });
    expect(claims.payload).toEqual({
      loyaltyObjects: [
        {
          id: `${ISSUER}.6f1c2b8e-3d4a-4e5f-8a9b-0c1d2e3f4a5b`,
          classId: `${ISSUER}.coffee`,
          state: 'ACTIVE',
          accountId: '412345678903',
          ...balanceFields(card()),
          barcode: { type: 'CODE_128', value: '412345678903', alternateText: '412345678903' },
        },
      ],
    });
    // The same fields as the object we insert, and nothing personal (the link is readable by its holder).
    const full = buildLoyaltyObject({ issuerId: ISSUER, program: program({ barcode_format: 'CODE128' }), card: card(), customer, stores });
    expect(full).toMatchObject(claims.payload.loyaltyObjects[0]);
    expect(JSON.stringify(claims)).not.toContain('Anna');
  });

  it(`stays under ${MAX_SAVE_LINK_LENGTH} characters with the longest slug, tier and balance and a long card number and barcode`, () => {
    const p = program({ slug: 'p'.repeat(63) });
    const c = card({ card_number: '9'.repeat(20), barcode_value: 'B'.repeat(64), tier: 'T'.repeat(20), balance: 2 ** 31 - 1 });
    const url = link(p, c);
    expect(url.length).toBeLessThan(MAX_SAVE_LINK_LENGTH);
    expect(claimsOf(url).payload.loyaltyObjects[0].barcode.value).toBe('B'.repeat(64)); // still the full object
  });

  it('falls back to naming only the object and its class when the object would not fit', () => {
    const c = card({ barcode_value: 'B'.repeat(600) });
    const url = link(program(), c);
    expect(url.length).toBeLessThan(MAX_SAVE_LINK_LENGTH);
    expect(claimsOf(url).payload).toEqual({ loyaltyObjects: [{ id: `${ISSUER}.${c.serial_number}`, classId: `${ISSUER}.coffee` }] });
  });
});
