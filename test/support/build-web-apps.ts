import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * Vitest global setup for the browser tests: the web apps (till, console) are built once, fresh,
 * before any test file runs — so the browsers drive the code as it is, and two test files never build
 * into dist/web at the same time (the build empties it first).
 */
export default function setup(): void {
  const root = path.resolve(import.meta.dirname, '../..');
  execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  });
}
