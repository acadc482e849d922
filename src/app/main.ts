import { ConfigError, loadConfig } from '../platform/config/config.js';
import { ensureDevAdminKey } from '../platform/config/dev-admin-key.js';
import { createLogger } from '../platform/log/logger.js';
import { seedDemoIfEmpty } from './demo-seed.js';
import { startService } from './server.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  let devKeyFile: string | undefined;
  if (!config.adminApiKey && !config.isProduction) {
    const dev = ensureDevAdminKey(config.dataDir);
    config = { ...config, adminApiKey: dev.key };
    devKeyFile = dev.file;
  }

  const service = await startService(config, { logger });
  logger.info({ url: config.publicUrl, database: service.services.dbKind }, 'listening');

  if (!config.isProduction) {
    const seeded = await seedDemoIfEmpty(service.services);
    const key = devKeyFile ? `$(cat ${devKeyFile})` : '$ADMIN_API_KEY';
    console.log(
      [
        '',
        `  Wallet loyalty service is running at ${config.publicUrl} (${service.services.dbKind === 'pglite' ? `embedded PGlite in ${config.dataDir}` : 'PostgreSQL'})`,
        seeded ? '  Seeded a demo program "demo" with three stores.' : '',
        `  API docs:   ${config.publicUrl}/docs (OpenAPI: ${config.publicUrl}/openapi.json)`,
        `  Try:        curl -s -H "Authorization: Bearer ${key}" ${config.publicUrl}/api/v1/programs/demo`,
        `  Issue card: curl -s -H "Authorization: Bearer ${key}" -H 'Content-Type: application/json' \\`,
        `                -d '{"program":"demo","customer":{"name":"Anna","phone":"+79161234567"},"consent":{"personalData":true,"marketing":true}}' \\`,
        `                ${config.publicUrl}/api/v1/cards`,
        '',
      ]
        .filter((l) => l !== '')
        .join('\n'),
    );
  }

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    service.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
