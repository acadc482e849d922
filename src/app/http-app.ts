import express, { type RequestHandler } from 'express';
import { randomUUID } from 'node:crypto';
import { errorHandler, notFoundHandler } from '../platform/http/problem.js';
import { refuseControlCharacters } from '../platform/http/control-characters.js';
import { buildOpenApi } from '../platform/http/openapi.js';
import { routeTable } from '../platform/http/route-table.js';
import { apiDocsRoutes } from '../platform/http/api-docs.js';
import { redactPath } from '../platform/log/logger.js';
import { staffPages } from '../access/staff/staff-pages.js';
import { DEVICE_TOKEN_PREFIX } from '../access/till-devices/till-device-service.js';
import type { Services } from './services.js';
import { API_BASE, apiOperations } from './api.js';
import { healthRoutes, healthOpenApiPaths } from './health-routes.js';
import { webRoutes } from '../pages/web-routes.js';
import { restockPageRoutes, RESTOCK_UNSUBSCRIBE_PATH } from '../engagement/restock/restock-pages.js';
import { refuseCrossSitePosts } from '../platform/web/cross-site.js';
import { webAppRoutes } from '../apps/web-apps.js';
import { updatePreferences } from '../loyalty/customers/customer-preferences.js';
import { APPLE_WEB_SERVICE_PATH } from '../wallets/apple/apple-wallet.js';

export function createApp(services: Services): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.set('etag', false);
  app.use(requestLog(services));
  app.use(refuseControlCharacters);

  app.use(
    healthRoutes(services.db, services.dbKind, {
      ...(services.apple && { apple: services.apple.health }),
      google: async () => (services.google.active() ? services.google.health() : undefined),
    }),
  );
  const operations = apiOperations(services);
  const openApi = buildOpenApi(operations, {
    title: 'Wallet loyalty service',
    version: '1.0.0',
    description:
      'Loyalty cards in Apple Wallet and Google Wallet. Authenticate with an API key (`Authorization: Bearer …`); each operation lists the roles that may call it (x-roles). Errors are RFC 9457 problem+json.',
    basePath: API_BASE,
    serverUrl: services.config.publicUrl,
    extraPaths: healthOpenApiPaths,
  });
  app.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  app.use(apiDocsRoutes('/openapi.json'));

  if (services.apple) {
    app.use(APPLE_WEB_SERVICE_PATH, services.apple.webService);
    for (const routes of services.apple.routes) app.use(routes);
  }

  app.use(services.google.routes);
  // The customer forms take no cookie, but a cross-site post could still enrol or unsubscribe.
  app.use(['/join', RESTOCK_UNSUBSCRIBE_PATH, '/c'], refuseCrossSitePosts(services.config.publicUrl));
  app.use(
    webRoutes({
      db: services.db,
      programs: services.programs,
      cards: services.cards,
      cardLinks: services.cardLinks,
      publicUrl: services.config.publicUrl,
      defaultPhoneRegion: services.config.defaultPhoneRegion,
      logger: services.logger,
      verification: services.verification,
      setMarketing: async (customerId, granted) =>
        void (await updatePreferences(services.uow, customerId, { marketingConsent: granted, source: 'card-page' }, 'customer')),
      // On unless the program turns it off, or no text can reach a phone (the log provider in production).
      verifies: (program) => program.verify_phone ?? (!services.config.isProduction || services.config.sms.provider.kind !== 'log'),
      sendExistingCardLink: async (card, customer, program, lang) => {
        // The page says "we texted you" whatever happens here: it must not tell a stranger
        // anything about the number (a refused or failed SMS is only logged).
        await services.cardLinkSms
          .send({ card, customer, program, lang, keyId: 'join-page' })
          .catch((err: unknown) => services.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'card link SMS for a known phone not sent'));
      },
    }),
  );

  app.use(
    API_BASE,
    routeTable(operations, {
      // Bearer credentials: an API key, a till device's token, or a cashier's till session.
      authenticate: (token) =>
        token.startsWith('wls_')
          ? services.staff.authenticateSession(token)
          : token.startsWith(DEVICE_TOKEN_PREFIX)
            ? services.tillDevices.authenticate(token)
            : services.apiKeys.authenticate(token),
      authenticateSession: services.staff.authenticateSession,
      origin: new URL(services.config.publicUrl).origin,
      confine: services.scope.confine,
      audit: async (e) => services.audit.record({ ...e, brandId: e.principal.brandId ?? (await firstBrand(services, e.targets)) }),
      checkResponses: services.config.env === 'test',
    }),
  );
  app.use(restockPageRoutes(services.restock));
  app.use(webAppRoutes());
  app.use(
    staffPages({
      staff: services.staff,
      origin: new URL(services.config.publicUrl).origin,
      secureCookies: services.config.env === 'production' || services.config.publicUrl.startsWith('https:'),
    }),
  );

  app.use(notFoundHandler);
  app.use(errorHandler(services.logger));
  return app;
}

/** The brand of the first target that has one: where the deployment key's write happened. */
async function firstBrand(services: Services, targets: Record<string, string>[]): Promise<string | null> {
  for (const t of targets) {
    const brand = await services.scope.brandOf(t);
    if (brand) return brand;
  }
  return null;
}

/** One line per request; paths are redacted where they carry secrets, headers are never logged. */
function requestLog(services: Services): RequestHandler {
  const log = services.logger;
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const id = randomUUID();
    res.setHeader('X-Request-Id', id);
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      log.info({ reqId: id, method: req.method, path: redactPath(req.originalUrl), status: res.statusCode, ms: Math.round(ms * 10) / 10 }, 'request');
    });
    next();
  };
}
