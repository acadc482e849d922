/**
 * Builds signed .pkpass archives from a template in about a millisecond.
 *
 * A .pkpass is a zip holding pass.json, the images and localisations, manifest.json (SHA-1 hex of
 * every other file) and `signature` (detached CMS over manifest.json). For one template only
 * pass.json differs between passes, so everything about the static files is computed once in
 * createPassPackager: SHA-1, CRC-32 and the finished zip local-file entries and central-directory
 * records. build() then hashes one small JSON, signs once (native RSA) and concatenates.
 *
 * Why a small zip writer of our own: general zip libraries (and passkit-generator's writer)
 * re-read, re-CRC and often re-compress every file for every archive; with a realistic ~450 KB
 * image set that is tens of milliseconds per pass, versus reusing pre-encoded entries here. The
 * subset needed is small: stored/deflated entries with sizes known up front (no data
 * descriptors), no zip64, no encryption.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import type { SigningIdentity } from './signing-identity.js';

export interface PassTemplate {
  /** The template's pass.json, parsed: the static part every pass of the template shares. */
  passJson: Record<string, unknown>;
  /** Every other file, keyed by its path inside the pass with "/" separators (e.g. "en.lproj/pass.strings"). */
  files: Record<string, Buffer>;
}

export interface PassPackager {
  /** Serialises pass.json, writes manifest.json and signature, and returns the .pkpass bytes. */
  build(passJson: Record<string, unknown>): Buffer;
  /**
   * The same archive as consecutive chunks, without copying: the first chunk is the template's
   * static entries, shared by every pass (never modify it). Suits streaming (`res.write` per
   * chunk) and caching many passes, where only the few KB after the first chunk are per pass.
   */
  buildParts(passJson: Record<string, unknown>): Buffer[];
}

/** Names the packager writes itself; a template must not ship its own. */
const GENERATED_FILES = new Set(['pass.json', 'manifest.json', 'signature']);

/** A design's Google Wallet images (google-logo.png, google-hero.png) live beside the pass's files. */
const isGoogleImage = (name: string): boolean => name.startsWith('google-');

/**
 * Reads a template folder: pass.json plus every other file below it (images, *.lproj folders).
 * Hidden files (.DS_Store, .gitkeep), a stale manifest.json/signature and the design's Google
 * images (served by the Google routes; they would only add bytes to every pass) are skipped.
 */
export async function loadPassTemplate(dir: string): Promise<PassTemplate> {
  let passJsonText: string;
  try {
    passJsonText = await readFile(join(dir, 'pass.json'), 'utf8');
  } catch (err) {
    throw new Error(`Pass template ${dir}: cannot read pass.json (${(err as Error).message})`, { cause: err });
  }
  let passJson: unknown;
  try {
    passJson = JSON.parse(passJsonText);
  } catch (err) {
    throw new Error(`Pass template ${dir}: pass.json is not valid JSON (${(err as Error).message})`, { cause: err });
  }
  if (typeof passJson !== 'object' || passJson === null || Array.isArray(passJson)) {
    throw new Error(`Pass template ${dir}: pass.json must hold a JSON object`);
  }

  const names: string[] = [];
  async function walk(relative: string): Promise<void> {
    for (const entry of await readdir(join(dir, relative), { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const name = relative ? `${relative}/${entry.name}` : entry.name;
      // stat (not the dirent) so that symlinked files and folders are followed.
      const info = await stat(join(dir, name));
      if (info.isDirectory()) await walk(name);
      else if (info.isFile() && !(relative === '' && (GENERATED_FILES.has(entry.name) || isGoogleImage(entry.name)))) names.push(name);
    }
  }
  await walk('');
  names.sort();
  if (!names.includes('icon.png')) throw new Error(`Pass template ${dir}: icon.png is missing (Wallet requires it)`);

  const files: Record<string, Buffer> = {};
  for (const name of names) files[name] = await readFile(join(dir, name));
  return { passJson: passJson as Record<string, unknown>, files };
}

// ---------------------------------------------------------------------------------------------
// Zip records (APPNOTE.TXT 4.3.7 local header, 4.3.12 central directory, 4.3.16 end record)
// ---------------------------------------------------------------------------------------------

const METHOD_STORE = 0;
const METHOD_DEFLATE = 8;
const VERSION_NEEDED = 20; // 2.0: deflate
const VERSION_MADE_BY = (3 << 8) | 20; // Unix host, so the external attributes carry file modes
const FLAG_UTF8_NAME = 1 << 11;
const UNIX_FILE_MODE = 0o100644;

interface ZipEntry {
  name: Buffer;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  dosTime: number;
  dosDate: number;
}

function dosDateTime(date: Date): { dosTime: number; dosDate: number } {
  return {
    dosTime: (date.getHours() << 11) | (date.getMinutes() << 5) | (date.getSeconds() >> 1),
    dosDate: ((Math.max(date.getFullYear(), 1980) - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate(),
  };
}

function nameFlags(name: Buffer): number {
  return name.some((b) => b >= 0x80) ? FLAG_UTF8_NAME : 0;
}

function localHeader(e: ZipEntry): Buffer {
  const h = Buffer.alloc(30);
  h.writeUInt32LE(0x04034b50, 0);
  h.writeUInt16LE(VERSION_NEEDED, 4);
  h.writeUInt16LE(nameFlags(e.name), 6);
  h.writeUInt16LE(e.method, 8);
  h.writeUInt16LE(e.dosTime, 10);
  h.writeUInt16LE(e.dosDate, 12);
  h.writeUInt32LE(e.crc, 14);
  h.writeUInt32LE(e.compressedSize, 18);
  h.writeUInt32LE(e.size, 22);
  h.writeUInt16LE(e.name.length, 26);
  h.writeUInt16LE(0, 28); // extra field length
  return Buffer.concat([h, e.name]);
}

function centralRecord(e: ZipEntry, localHeaderOffset: number): Buffer {
  const h = Buffer.alloc(46);
  h.writeUInt32LE(0x02014b50, 0);
  h.writeUInt16LE(VERSION_MADE_BY, 4);
  h.writeUInt16LE(VERSION_NEEDED, 6);
  h.writeUInt16LE(nameFlags(e.name), 8);
  h.writeUInt16LE(e.method, 10);
  h.writeUInt16LE(e.dosTime, 12);
  h.writeUInt16LE(e.dosDate, 14);
  h.writeUInt32LE(e.crc, 16);
  h.writeUInt32LE(e.compressedSize, 20);
  h.writeUInt32LE(e.size, 24);
  h.writeUInt16LE(e.name.length, 28);
  // 30 extra length, 32 comment length, 34 disk number, 36 internal attributes: all 0
  h.writeUInt32LE((UNIX_FILE_MODE << 16) >>> 0, 38);
  h.writeUInt32LE(localHeaderOffset, 42);
  return Buffer.concat([h, e.name]);
}

function endOfCentralDirectory(entries: number, centralSize: number, centralOffset: number): Buffer {
  const h = Buffer.alloc(22);
  h.writeUInt32LE(0x06054b50, 0);
  // 4 disk number, 6 disk with central directory: 0
  h.writeUInt16LE(entries, 8);
  h.writeUInt16LE(entries, 10);
  h.writeUInt32LE(centralSize, 12);
  h.writeUInt32LE(centralOffset, 16);
  // 20 comment length: 0
  return h;
}

/** A stored (uncompressed) entry for per-pass content: small, and compressing would cost more than it saves. */
function storedEntry(name: string, data: Buffer, when: { dosTime: number; dosDate: number }): ZipEntry {
  return { name: Buffer.from(name, 'utf8'), method: METHOD_STORE, crc: crc32(data), compressedSize: data.length, size: data.length, ...when };
}

const sha1Hex = (data: Buffer): string => createHash('sha1').update(data).digest('hex');

/**
 * Precomputes everything about the template's static files; the returned build() only handles
 * pass.json, manifest.json and signature. Throws at once if the template cannot be packaged.
 */
export function createPassPackager(template: PassTemplate, identity: SigningIdentity): PassPackager {
  const createdAt = dosDateTime(new Date());
  const staticParts: Buffer[] = [];
  const staticCentral: Buffer[] = [];
  const hashes: Record<string, string> = {};
  let offset = 0;

  for (const [name, data] of Object.entries(template.files)) {
    if (GENERATED_FILES.has(name)) throw new Error(`Pass template must not contain ${name}: the packager writes it`);
    hashes[name] = sha1Hex(data);
    // Images are already deflated inside PNG: storing them costs nothing in size and saves
    // inflate time on the phone. Text (pass.strings) is deflated when that clearly pays off.
    const deflated = name.endsWith('.png') ? undefined : deflateRawSync(data, { level: 9 });
    const useDeflate = deflated !== undefined && deflated.length < data.length * 0.9;
    const body = useDeflate ? deflated : data;
    const entry: ZipEntry = {
      name: Buffer.from(name, 'utf8'),
      method: useDeflate ? METHOD_DEFLATE : METHOD_STORE,
      crc: crc32(data),
      compressedSize: body.length,
      size: data.length,
      ...createdAt,
    };
    const header = localHeader(entry);
    staticCentral.push(centralRecord(entry, offset));
    staticParts.push(header, body);
    offset += header.length + body.length;
  }
  const staticLocal = Buffer.concat(staticParts);
  const staticCentralDirectory = Buffer.concat(staticCentral);
  const entryCount = staticCentral.length + 3; // + pass.json, manifest.json, signature
  if (staticLocal.length > 0x7fffffff || entryCount > 0xffff) throw new Error('Pass template is too large for a pass');

  // manifest.json = the static hashes plus pass.json's; the constant prefix is serialised once.
  const staticManifest = JSON.stringify(hashes);
  const manifestPrefix = `${staticManifest.slice(0, -1)}${staticManifest === '{}' ? '' : ','}"pass.json":"`;

  function buildParts(passJson: Record<string, unknown>): Buffer[] {
    if (passJson.passTypeIdentifier !== identity.passTypeIdentifier || passJson.teamIdentifier !== identity.teamIdentifier) {
      throw new Error(
        `pass.json passTypeIdentifier/teamIdentifier ("${String(passJson.passTypeIdentifier)}"/"${String(passJson.teamIdentifier)}") ` +
          `must equal the signing certificate's ("${identity.passTypeIdentifier}"/"${identity.teamIdentifier}")`,
      );
    }
    const now = new Date();
    const when = dosDateTime(now);
    const passJsonBytes = Buffer.from(JSON.stringify(passJson), 'utf8');
    const manifest = Buffer.from(`${manifestPrefix}${sha1Hex(passJsonBytes)}"}`, 'utf8');
    const signature = identity.signManifest(manifest, now);

    const parts: Buffer[] = [staticLocal];
    const central: Buffer[] = [staticCentralDirectory];
    let position = staticLocal.length;
    for (const [name, data] of [
      ['pass.json', passJsonBytes],
      ['manifest.json', manifest],
      ['signature', signature],
    ] as const) {
      const entry = storedEntry(name, data, when);
      const header = localHeader(entry);
      central.push(centralRecord(entry, position));
      parts.push(header, data);
      position += header.length + data.length;
    }
    const centralDirectory = Buffer.concat(central);
    parts.push(centralDirectory, endOfCentralDirectory(entryCount, centralDirectory.length, position));
    return parts;
  }

  return {
    buildParts,
    build: (passJson) => Buffer.concat(buildParts(passJson)),
  };
}
