import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../platform/config/config.js';
import { openDatabase, type DatabaseHandle } from '../platform/db/database.js';
import { migrateToLatest } from '../platform/db/migrate.js';
import { createLogger, type Logger } from '../platform/log/logger.js';
import { createServices, type Services } from './services.js';
import { createApp } from './http-app.js';

export interface RunningService {
  url: string;
  services: Services;
  server: http.Server;
  stop(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** PGlite in memory instead of DATA_DIR (tests). */
  inMemory?: boolean;
  /** PostgreSQL schema to use (tests isolate themselves this way). */
  schema?: string;
}

/** config → database → migrations → services → HTTP server. Used by main.ts and by the tests. */
export async function startService(config: Config, options: StartOptions = {}): Promise<RunningService> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const database: DatabaseHandle = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: options.inMemory ? undefined : config.dataDir,
    schema: options.schema,
    maxConnections: config.databasePoolSize,
  });
  try {
    const applied = await migrateToLatest(database.db);
    if (applied.length) logger.info({ migrations: applied }, 'database migrated');
  } catch (err) {
    await database.close();
    throw err;
  }
  let services: Services;
  try {
    services = await createServices(config, database.db, database.kind, logger);
  } catch (err) {
    await database.close();
    throw err;
  }
  if (config.workers) {
    services.jobs.start();
    services.periodic.every('ledger.expire-points', 3_600_000);
    services.periodic.every('automations.birthday', 3_600_000);
    services.periodic.every('automations.points-reminder', 3_600_000);
    services.periodic.every('audit.purge', 86_400_000);
    services.periodic.every('join.purge', 3_600_000);
    services.periodic.every('google.sweep', services.google.sweepEveryMs);
  }
  const app = createApp(services);
  const server = http.createServer(app);
  server.keepAliveTimeout = 65_000; // longer than common load-balancer idle timeouts
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let stopping: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    services,
    server,
    stop: () =>
      (stopping ??= (async () => {
        // Stop accepting, let in-flight requests finish, then close idle keep-alive sockets.
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const force = setTimeout(() => server.closeAllConnections(), 10_000);
        await closed;
        clearTimeout(force);
        await services.close();
        await database.close();
      })()),
  };
}
