import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The pass.json inside a .pkpass, read with unzip (a tool we did not write). */
export function passJsonOf(bytes: Buffer): any {
  const dir = mkdtempSync(path.join(tmpdir(), 'wl-passjson-'));
  try {
    writeFileSync(path.join(dir, 'p.pkpass'), bytes);
    return JSON.parse(execFileSync('unzip', ['-p', 'p.pkpass', 'pass.json'], { cwd: dir }).toString('utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The fields of a pass.json by key, across its sections. */
export function fieldsOf(pass: any): Record<string, { value: unknown; changeMessage?: string }> {
  const style = pass.storeCard ?? pass.generic ?? {};
  return Object.fromEntries(Object.values(style).flatMap((section: any) => section.map((f: any) => [f.key, f])));
}
