/**
 * Generates the committed assets of templates/default: the PNG image set, the UTF-16
 * pass.strings files and Google Wallet's logo and hero image. Run with
 * `npx tsx scripts/make-template-images.ts`.
 *
 * Idempotent: every pixel comes from a seeded generator, so a rerun produces identical bytes and
 * files are only rewritten when their content changed.
 *
 * The strip carries fine grain on purpose: real loyalty templates use photographic strips, and
 * the benchmark needs a realistic ~450 KB image set (zip and hashing cost scale with bytes).
 *
 * pass.strings is written as UTF-16LE with a BOM, the encoding Apple documents for .strings files
 * (Wallet reads it reliably; UTF-8 is accepted by recent iOS but is not what the documentation
 * promises). Git shows these files as binary, so edit the table below, not the files.
 *
 * Google's images (google-*.png, which the pass packager leaves out of the .pkpass) follow Google's
 * brand guidance instead: a square logo of at least 660 px that Google masks to a circle, and a
 * 1032×336 hero. They are flat colours on the design's background so they stay a few KB.
 */
import { deflateSync, crc32 } from 'node:zlib';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const TEMPLATE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'templates', 'default');

// ---------------------------------------------------------------------------------------------
// Localised strings used by templates/default/pass.json
// ---------------------------------------------------------------------------------------------

const STRINGS: Record<string, Record<string, string>> = {
  en: {
    pass_description: 'Loyalty card',
    tier_label: 'Tier',
    balance_label: 'Balance',
    balance_change: 'Balance: %@',
    name_label: 'Member',
    number_label: 'Card number',
    message_label: 'Message',
    terms_label: 'Terms and conditions',
    stores_label: 'Our stores',
    message_none: 'No news yet',
    restock_label: 'Waiting for it to be back',
    restock_unsubscribe: 'stop waiting',
    terms_none: 'Ask at the till for the program terms',
  },
  ru: {
    pass_description: 'Карта лояльности',
    tier_label: 'Уровень',
    balance_label: 'Баланс',
    balance_change: 'Баланс: %@',
    name_label: 'Участник',
    number_label: 'Номер карты',
    message_label: 'Сообщение',
    terms_label: 'Условия программы',
    stores_label: 'Наши магазины',
    message_none: 'Пока нет новостей',
    restock_label: 'Жду поступления',
    restock_unsubscribe: 'отписаться',
    terms_none: 'Условия программы — у кассира',
  },
};

function stringsFile(table: Record<string, string>): Buffer {
  const quote = (s: string): string => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  const text = Object.entries(table)
    .map(([key, value]) => `"${quote(key)}" = "${quote(value)}";\n`)
    .join('');
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
}

// ---------------------------------------------------------------------------------------------
// PNG encoding (8-bit RGB or RGBA, adaptive per-row filter, zlib level 9)
// ---------------------------------------------------------------------------------------------

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

function encodePng(width: number, height: number, channels: 3 | 4, pixels: Uint8Array): Buffer {
  const stride = width * channels;
  const out = Buffer.alloc((stride + 1) * height);
  const candidate = Buffer.alloc(stride);
  for (let y = 0; y < height; y++) {
    const row = pixels.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : new Uint8Array(stride);
    // Pick the filter with the smallest sum of absolute residuals (the usual libpng heuristic).
    let bestScore = Infinity;
    for (let type = 0; type <= 4; type++) {
      let score = 0;
      for (let i = 0; i < stride; i++) {
        const a = i >= channels ? row[i - channels]! : 0;
        const b = prev[i]!;
        const c = i >= channels ? prev[i - channels]! : 0;
        const predictor = type === 0 ? 0 : type === 1 ? a : type === 2 ? b : type === 3 ? (a + b) >> 1 : paeth(a, b, c);
        const v = (row[i]! - predictor) & 0xff;
        candidate[i] = v;
        score += v < 128 ? v : 256 - v;
      }
      if (score < bestScore) {
        bestScore = score;
        out[y * (stride + 1)] = type;
        candidate.copy(out, y * (stride + 1) + 1);
      }
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = channels === 4 ? 6 : 2; // colour type: RGBA or RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(out, { level: 9 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---------------------------------------------------------------------------------------------
// A tiny premultiplied-alpha canvas with anti-aliased shapes (supersampled coverage)
// ---------------------------------------------------------------------------------------------

type Rgb = [number, number, number];

/** Seeded PRNG (mulberry32): the same seed gives the same image on every run and machine. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Canvas {
  readonly rgba: Float64Array; // premultiplied, 0..1

  constructor(
    readonly width: number,
    readonly height: number,
    /** Pixels per point (1, 2 or 3): shapes are described in points. */
    readonly scale: number,
  ) {
    this.rgba = new Float64Array(width * height * 4);
  }

  /** Paints every pixel with colour(xPt, yPt) at full opacity. */
  fill(colour: (x: number, y: number) => Rgb): void {
    for (let y = 0; y < this.height; y++) {
      for (let x = 0; x < this.width; x++) {
        const [r, g, b] = colour((x + 0.5) / this.scale, (y + 0.5) / this.scale);
        this.rgba.set([r, g, b, 1], (y * this.width + x) * 4);
      }
    }
  }

  /** Composites a shape (inside(xPt, yPt)) in one colour, 4x4 supersampled for smooth edges. */
  shape(inside: (x: number, y: number) => boolean, colour: Rgb | ((x: number, y: number) => Rgb), opacity = 1): void {
    const n = 4;
    for (let y = 0; y < this.height; y++) {
      for (let x = 0; x < this.width; x++) {
        let hits = 0;
        for (let sy = 0; sy < n; sy++) {
          for (let sx = 0; sx < n; sx++) {
            if (inside((x + (sx + 0.5) / n) / this.scale, (y + (sy + 0.5) / n) / this.scale)) hits++;
          }
        }
        if (hits === 0) continue;
        const a = (hits / (n * n)) * opacity;
        const c = typeof colour === 'function' ? colour((x + 0.5) / this.scale, (y + 0.5) / this.scale) : colour;
        const i = (y * this.width + x) * 4;
        for (let k = 0; k < 3; k++) this.rgba[i + k] = c[k]! * a + this.rgba[i + k]! * (1 - a);
        this.rgba[i + 3] = a + this.rgba[i + 3]! * (1 - a);
      }
    }
  }

  /**
   * Adds luminance grain (amplitude 0..1) to opaque pixels. The grain is drawn per cell of
   * `cellPt` points, like a photo's grain that does not get finer on denser screens.
   */
  grain(amplitude: number, cellPt: number, seed: number): void {
    const rnd = random(seed);
    const cell = Math.max(1, Math.round(cellPt * this.scale));
    const cols = Math.ceil(this.width / cell);
    const rows = Math.ceil(this.height / cell);
    // Sum of two uniforms: a soft, film-like triangular distribution.
    const noise = Float64Array.from({ length: cols * rows }, () => (rnd() + rnd() - 1) * amplitude);
    for (let y = 0; y < this.height; y++) {
      for (let x = 0; x < this.width; x++) {
        const i = (y * this.width + x) * 4;
        const n = noise[Math.floor(y / cell) * cols + Math.floor(x / cell)]! * this.rgba[i + 3]!;
        for (let k = 0; k < 3; k++) this.rgba[i + k] = this.rgba[i + k]! + n;
      }
    }
  }

  toPng(channels: 3 | 4): Buffer {
    const px = new Uint8Array(this.width * this.height * channels);
    for (let p = 0; p < this.width * this.height; p++) {
      const a = this.rgba[p * 4 + 3]!;
      for (let k = 0; k < 3; k++) {
        const straight = a > 0 ? this.rgba[p * 4 + k]! / a : 0;
        px[p * channels + k] = Math.round(Math.min(1, Math.max(0, straight)) * 255);
      }
      if (channels === 4) px[p * channels + 3] = Math.round(a * 255);
    }
    return encodePng(this.width, this.height, channels, px);
  }
}

const rgb = (r: number, g: number, b: number): Rgb => [r / 255, g / 255, b / 255];
const mix = (a: Rgb, b: Rgb, t: number): Rgb => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
const smoothstep = (t: number): number => (t <= 0 ? 0 : t >= 1 ? 1 : t * t * (3 - 2 * t));

// Palette shared with pass.json (backgroundColor rgb(22, 60, 56), labelColor rgb(167, 224, 206)).
const DEEP = rgb(16, 48, 46);
const TEAL = rgb(33, 104, 92);
const MINT = rgb(167, 224, 206);
const GOLD = rgb(236, 196, 118);
/** pass.json's backgroundColor: Google's images sit on the colour the class is given (hexBackgroundColor). */
const BACKGROUND = ((): Rgb => {
  const pass = JSON.parse(readFileSync(join(TEMPLATE_DIR, 'pass.json'), 'utf8')) as { backgroundColor?: string };
  const m = /rgb\((\d+),\s*(\d+),\s*(\d+)\)/.exec(pass.backgroundColor ?? '');
  if (!m) throw new Error('templates/default/pass.json: backgroundColor must be rgb(r, g, b)');
  return rgb(Number(m[1]), Number(m[2]), Number(m[3]));
})();

const circle = (cx: number, cy: number, r: number) => (x: number, y: number) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
const ring = (cx: number, cy: number, r: number, width: number) => (x: number, y: number) => {
  const d = Math.hypot(x - cx, y - cy);
  return d <= r && d >= r - width;
};
const roundedRect = (x0: number, y0: number, w: number, h: number, r: number) => (x: number, y: number) => {
  const dx = Math.max(x0 + r - x, 0, x - (x0 + w - r));
  const dy = Math.max(y0 + r - y, 0, y - (y0 + h - r));
  return x >= x0 && x <= x0 + w && y >= y0 && y <= y0 + h && dx * dx + dy * dy <= r * r;
};
/** Five-pointed star, point up, as a polygon tested with the even-odd rule. */
const star = (cx: number, cy: number, outer: number, inner: number) => {
  const pts: Array<[number, number]> = [];
  for (let i = 0; i < 10; i++) {
    const r = i % 2 === 0 ? outer : inner;
    const angle = -Math.PI / 2 + (i * Math.PI) / 5;
    pts.push([cx + r * Math.cos(angle), cy + r * Math.sin(angle)]);
  }
  return (x: number, y: number) => {
    let inside = false;
    for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) {
      const [xi, yi] = pts[i]!;
      const [xj, yj] = pts[j]!;
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  };
};

// ---------------------------------------------------------------------------------------------
// The three designs (sizes in points; Wallet wants @1x, @2x and @3x)
// ---------------------------------------------------------------------------------------------

function drawIcon(scale: number): Buffer {
  const c = new Canvas(29 * scale, 29 * scale, scale);
  c.fill((x, y) => mix(TEAL, DEEP, smoothstep((x + y) / 58)));
  c.shape(ring(14.5, 14.5, 10.5, 1.6), GOLD);
  c.shape(star(14.5, 15, 6.6, 2.8), GOLD);
  return c.toPng(3);
}

function drawLogo(scale: number): Buffer {
  const c = new Canvas(160 * scale, 50 * scale, scale); // transparent background
  c.shape(circle(25, 25, 19), (x, y) => mix(TEAL, DEEP, smoothstep((x + y - 12) / 40)));
  c.shape(ring(25, 25, 19, 1.8), GOLD);
  c.shape(star(25, 26, 11, 4.6), GOLD);
  // A neutral "wordmark" placeholder: operators replace logo.png with their own brand.
  c.shape(roundedRect(54, 15, 92, 9, 4.5), rgb(255, 255, 255), 0.92);
  c.shape(roundedRect(54, 29, 58, 6, 3), MINT, 0.85);
  return c.toPng(4);
}

// Grain amplitude, tuned so the whole image set is about 450 KB like a photographic strip.
const GRAIN = 0.075;
function drawStrip(scale: number): Buffer {
  const c = new Canvas(375 * scale, 144 * scale, scale);
  c.fill((x, y) => {
    // Diagonal teal gradient, a warm glow top-right, and soft waves suggesting fabric or water.
    let colour = mix(DEEP, TEAL, smoothstep((x / 375) * 0.8 + (1 - y / 144) * 0.35));
    const glow = Math.exp(-(((x - 320) / 120) ** 2 + ((y - 10) / 70) ** 2));
    colour = mix(colour, GOLD, glow * 0.45);
    const wave = Math.sin(x / 23 + Math.sin(y / 17) * 1.7) * Math.sin(y / 31 + x / 97);
    const shade = 1 + wave * 0.06;
    return [colour[0] * shade, colour[1] * shade, colour[2] * shade];
  });
  // Large translucent circles: depth without competing with the white balance text on top.
  c.shape(circle(300, 120, 70), MINT, 0.06);
  c.shape(circle(350, 40, 40), rgb(255, 255, 255), 0.05);
  c.shape(circle(40, 150, 60), DEEP, 0.25);
  c.grain(GRAIN, 1, 0x5151 + scale);
  return c.toPng(3);
}

// ---------------------------------------------------------------------------------------------
// Google Wallet's images (pixel sizes, not points: Google scales them itself)
// ---------------------------------------------------------------------------------------------

/**
 * The class logo: 660×660, Google's minimum. Google crops it to a circle, so the mark keeps well
 * inside the inscribed circle (radius 21 of 33 points) and the square's corners are plain background.
 */
function drawGoogleLogo(): Buffer {
  const c = new Canvas(660, 660, 10); // a 66-point design at 10 px per point
  c.fill(() => BACKGROUND);
  c.shape(ring(33, 33, 21, 2.4), GOLD);
  c.shape(star(33, 34, 13, 5.5), GOLD);
  return c.toPng(3);
}

/**
 * The hero banner under the card's header, 1032×336 as Google recommends. No text: the program's
 * name and logo are already above it. Large flat circles give depth without grain, so it compresses.
 */
function drawGoogleHero(): Buffer {
  const c = new Canvas(1032, 336, 3); // a 344×112-point design at 3 px per point
  c.fill(() => BACKGROUND);
  c.shape(circle(300, 120, 70), MINT, 0.08);
  c.shape(circle(330, 10, 42), GOLD, 0.18);
  c.shape(circle(20, 120, 60), DEEP, 0.45);
  c.shape(ring(172, 56, 30, 2.2), GOLD);
  c.shape(star(172, 57, 18, 7.6), GOLD);
  return c.toPng(3);
}

// ---------------------------------------------------------------------------------------------

function writeIfChanged(path: string, content: Buffer): boolean {
  let current: Buffer | undefined;
  try {
    current = readFileSync(path);
  } catch {
    current = undefined;
  }
  if (current?.equals(content)) return false;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  return true;
}

const outputs: Array<[string, () => Buffer]> = [];
for (const scale of [1, 2, 3]) {
  const suffix = scale === 1 ? '' : `@${scale}x`;
  outputs.push([`icon${suffix}.png`, () => drawIcon(scale)]);
  outputs.push([`logo${suffix}.png`, () => drawLogo(scale)]);
  outputs.push([`strip${suffix}.png`, () => drawStrip(scale)]);
}
outputs.push(['google-logo.png', drawGoogleLogo]);
outputs.push(['google-hero.png', drawGoogleHero]);
for (const [lang, table] of Object.entries(STRINGS)) {
  outputs.push([`${lang}.lproj/pass.strings`, () => stringsFile(table)]);
}

let total = 0;
for (const [name, make] of outputs) {
  const content = make();
  const path = join(TEMPLATE_DIR, name);
  const changed = writeIfChanged(path, content);
  total += content.length;
  console.log(`${changed ? 'wrote    ' : 'unchanged'} ${relative(process.cwd(), path).padEnd(40)} ${(content.length / 1024).toFixed(1).padStart(7)} KB`);
}
console.log(`total ${(total / 1024).toFixed(1)} KB`);
