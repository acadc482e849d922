import { promisify } from 'node:util';
import { crc32, deflate } from 'node:zlib';
import QRCode from 'qrcode';

const deflateAsync = promisify(deflate);

/** Error correction H (30 % of the symbol may be damaged or covered), quiet zone of 4 modules. */
export const QR_ERROR_CORRECTION = 'H';
export const QR_MARGIN = 4;

export interface QrOptions {
  errorCorrectionLevel?: 'L' | 'M' | 'Q' | 'H';
  /** Quiet zone in modules; 4 is what the standard asks for. */
  margin?: number;
}

export interface QrPngOptions extends QrOptions {
  /** Width = height in pixels. */
  size?: number;
}

export interface QrSvgOptions extends QrOptions {
  /** Sets width/height; without it the SVG only has a viewBox and scales to its container. */
  size?: number;
}

/** The symbol's side in modules, quiet zone included: a picture narrower than this loses modules. */
export function qrModuleCount(text: string, options: QrOptions = {}): number {
  const code = QRCode.create(text, { errorCorrectionLevel: options.errorCorrectionLevel ?? QR_ERROR_CORRECTION });
  return code.modules.size + 2 * (options.margin ?? QR_MARGIN);
}

/** An SVG QR code (one path), for pages and posters. */
export function qrSvg(text: string, options: QrSvgOptions = {}): Promise<string> {
  return QRCode.toString(text, {
    type: 'svg',
    errorCorrectionLevel: options.errorCorrectionLevel ?? QR_ERROR_CORRECTION,
    margin: options.margin ?? QR_MARGIN,
    ...(options.size !== undefined && { width: options.size }),
  });
}

/**
 * A black-and-white PNG (1 bit per pixel) of exactly size × size pixels. Written here rather than
 * with qrcode's PNG renderer: that one builds RGBA pixels and compresses them synchronously
 * (≈150 ms for 1024 px, ≈500 ms for 2048 px of blocked event loop); this one packs 1-bit rows
 * and compresses them on the libuv thread pool.
 */
export async function qrPng(text: string, options: QrPngOptions = {}): Promise<Buffer> {
  const code = QRCode.create(text, { errorCorrectionLevel: options.errorCorrectionLevel ?? QR_ERROR_CORRECTION });
  const margin = options.margin ?? QR_MARGIN;
  const n = code.modules.size;
  const total = n + 2 * margin;
  const size = options.size ?? 512;
  if (!Number.isInteger(size) || size < total) throw new RangeError(`a ${total}-module QR code needs at least ${total} px`);

  // Pixel → module (including the quiet zone), spreading the remainder evenly over the modules.
  const moduleAt = (px: number) => Math.floor((px * total) / size) - margin;
  const columns = Int32Array.from({ length: size }, (_, x) => moduleAt(x));
  const rowBytes = Math.ceil(size / 8);
  const stride = rowBytes + 1; // filter type byte (0: none) + packed pixels
  const raw = Buffer.alloc(stride * size);
  const rendered = new Map<number, Buffer>();

  for (let y = 0; y < size; y++) {
    const row = moduleAt(y);
    let line = rendered.get(row);
    if (!line) {
      line = Buffer.alloc(stride, 0xff); // 1 = white
      line[0] = 0;
      if (row >= 0 && row < n) {
        for (let x = 0; x < size; x++) {
          const col = columns[x]!;
          if (col >= 0 && col < n && code.modules.data[row * n + col]) line[1 + (x >> 3)]! &= ~(0x80 >> (x & 7));
        }
      }
      rendered.set(row, line);
    }
    line.copy(raw, y * stride);
  }

  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 1; // bit depth
  header[9] = 0; // greyscale
  // compression, filter and interlace methods: 0
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', header), chunk('IDAT', await deflateAsync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}
