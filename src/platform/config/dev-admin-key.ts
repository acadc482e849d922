import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';

/**
 * Development convenience: without ADMIN_API_KEY, a key is generated once and kept in
 * DATA_DIR/admin-api-key (mode 0600), so `npm start` works with nothing configured.
 * Production refuses to start without ADMIN_API_KEY (see config.ts).
 */
export function ensureDevAdminKey(dataDir: string): { key: string; file: string } {
  const file = path.resolve(dataDir, 'admin-api-key');
  if (existsSync(file)) return { key: readFileSync(file, 'utf8').trim(), file };
  mkdirSync(dataDir, { recursive: true });
  const key = 'dev_' + randomBytes(32).toString('base64url');
  writeFileSync(file, key + '\n', { mode: 0o600 });
  return { key, file };
}
