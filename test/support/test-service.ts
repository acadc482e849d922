import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig, type Config } from '../../src/platform/config/config.js';
import { createLogger, type Logger } from '../../src/platform/log/logger.js';
import { startService, type RunningService } from '../../src/app/server.js';

export const ADMIN_KEY = 'test-admin-key-0123456789abcdef';

export interface TestService extends RunningService {
  /** The PostgreSQL schema it runs in (undefined on PGlite): a second process may share it. */
  schema: string | undefined;
  /** fetch against the service with the admin key (or another key) and a JSON body. */
  api(
    method: string,
    path: string,
    body?: unknown,
    key?: string | null,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: any; headers: Headers }>;
}

/**
 * The real service on an ephemeral port: PGlite in memory by default, or, when DATABASE_URL is set,
 * PostgreSQL in a schema of its own that is dropped afterwards (so parallel runs never collide).
 */
export async function startTestService(
  env: Record<string, string> = {},
  options: { shareSchemaWith?: TestService; logger?: Logger } = {},
): Promise<TestService> {
  const databaseUrl = process.env.DATABASE_URL;
  // Another process of the same deployment: same schema, which the first one owns (and drops).
  const shared = options.shareSchemaWith?.schema;
  if (options.shareSchemaWith && !shared) throw new Error('sharing a database needs PostgreSQL (DATABASE_URL)');
  const schema = shared ?? (databaseUrl ? `t_${randomBytes(6).toString('hex')}` : undefined);
  // Development certificates and other files go to a directory of this test's own.
  const dataDir = env.DATA_DIR ? undefined : mkdtempSync(path.join(tmpdir(), 'wl-test-'));
  // A known port, so PUBLIC_URL (and every link the service hands out) points at this server.
  const port = await freePort();
  const config: Config = loadConfig({
    NODE_ENV: 'test',
    ...(dataDir && { DATA_DIR: dataDir }),
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    HOST: '127.0.0.1',
    ADMIN_API_KEY: ADMIN_KEY,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    // Wallet jobs due at once, so a test can drain the queue; the coalescing test sets its own window.
    WALLET_COALESCE_MS: '0',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...env,
  });
  const dropSchema = async () => {
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (databaseUrl && schema && !shared) {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      await client.query(`drop schema if exists "${schema}" cascade`);
      await client.end();
    }
  };
  const running = await startService(config, { inMemory: true, logger: options.logger ?? createLogger(config.logLevel), ...(schema ? { schema } : {}) }).catch(
    async (err: unknown) => {
      await dropSchema();
      throw err;
    },
  );
  const stop = async () => {
    await running.stop();
    await dropSchema();
  };
  return {
    ...running,
    schema,
    stop,
    async api(method, path, body, key = ADMIN_KEY, extraHeaders = {}) {
      const headers: Record<string, string> = { ...extraHeaders };
      if (key) headers.authorization = `Bearer ${key}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(running.url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        /* not JSON: keep the text */
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
