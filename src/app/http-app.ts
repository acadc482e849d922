import express, { Router, type RequestHandler } from 'express';
import { randomUUID } from 'node:crypto';
import { authenticate } from '../platform/http/auth.js';
import { errorHandler, notFoundHandler } from '../platform/http/problem.js';
import { buildOpenApi } from '../platform/http/openapi.js';
import { redactPath } from '../platform/log/logger.js';
import type { Services } from './services.js';
import { apiKeyRoutes } from '../access/api-keys/api-key-routes.js';
import { programRoutes } from '../loyalty/programs/program-routes.js';
import { storeRoutes } from '../loyalty/stores/store-routes.js';
import { cardRoutes } from '../loyalty/cards/card-routes.js';
import { customerRoutes } from '../loyalty/customers/customer-routes.js';
import { healthRoutes } from './health-routes.js';
import { pointsRoutes } from '../loyalty/ledger/points-routes.js';
import { posRoutes } from '../loyalty/pos/pos-routes.js';
import { webRoutes } from '../pages/web-routes.js';
import { campaignRoutes } from '../engagement/campaigns/campaign-routes.js';
import { smsRoutes, smsOpenApiPaths } from '../engagement/sms/sms-routes.js';
import { textCardLink } from '../engagement/sms/card-link-sms.js';
import { qrRoutes, qrOpenApiPaths } from '../pages/qr/qr-routes.js';
import { restockRoutes, restockOpenApiPaths } from '../engagement/restock/restock-routes.js';
import { restockPageRoutes } from '../engagement/restock/restock-pages.js';
import { APPLE_WEB_SERVICE_PATH } from '../wallets/apple/apple-wallet.js';

export function createApp(services: Services): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.set('etag', false);
  app.use(requestLog(services));

  app.use(healthRoutes(services.db, services.dbKind));
  const openApi = buildOpenApi(services.config.publicUrl, { ...smsOpenApiPaths, ...qrOpenApiPaths, ...restockOpenApiPaths });
  app.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });

  if (services.apple) {
    app.use(APPLE_WEB_SERVICE_PATH, services.apple.webService);
    for (const routes of services.apple.routes) app.use(routes);
  }

  if (services.google) app.use(services.google.routes);
  app.use(
    webRoutes({
      db: services.db,
      programs: services.programs,
      cards: services.cards,
      cardLinks: services.cardLinks,
      publicUrl: services.config.publicUrl,
      defaultPhoneRegion: services.config.defaultPhoneRegion,
      logger: services.logger,
      sendExistingCardLink: async (card, customer, program, lang) => {
        // The page says "we texted you" whatever happens here: it must not tell a stranger
        // anything about the number (a refused or failed SMS is only logged).
        await textCardLink(services.sms, services.config.publicUrl, { card, customer, program, lang, keyId: 'join-page' }).catch((err: unknown) =>
          services.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'card link SMS for a known phone not sent'),
        );
      },
    }),
  );

  const api = Router();
  api.use(express.json({ limit: '100kb' }));
  api.use(authenticate(services.apiKeys));
  api.use(apiKeyRoutes(services.apiKeys));
  api.use(programRoutes(services.programs));
  api.use(storeRoutes(services.stores));
  api.use(cardRoutes(services.cards, services.messages, services.cardLinks, (input) => textCardLink(services.sms, services.config.publicUrl, input)));
  api.use(smsRoutes(services.cards, services.sms, services.config.publicUrl));
  api.use(qrRoutes(services.programs, services.config.publicUrl, services.stores));
  api.use(customerRoutes(services.erasure, services.db));
  api.use(pointsRoutes(services.uow, services.db, services.cards, services.points));
  api.use(posRoutes(services.uow, services.db, services.purchases, services.ledger));
  api.use(campaignRoutes(services.campaigns, services.birthdays, services.reminders, services.programs));
  api.use(restockRoutes(services.restock, services.config.publicUrl));
  app.use('/api/v1', api);
  app.use(restockPageRoutes(services.restock));

  app.use(notFoundHandler);
  app.use(errorHandler(services.logger));
  return app;
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
