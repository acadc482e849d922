import express, { Router } from 'express';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * Interactive API documentation at /docs: Swagger UI (swagger-ui-dist, static files with no
 * dependencies, served from the package, no CDN) rendering /openapi.json, with "Try it out".
 */
export function apiDocsRoutes(openApiPath: string): Router {
  const assets = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const router = Router();
  // Swagger UI sets style attributes at run time; scripts stay same-origin only.
  const csp = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";
  router.get('/docs', (_req, res) => {
    res.set({ 'Content-Security-Policy': csp, 'Cache-Control': 'no-cache' }).type('html').send(PAGE);
  });
  router.get('/docs/init.js', (_req, res) => {
    res
      .type('application/javascript')
      .send(
        `window.ui = SwaggerUIBundle({ url: ${JSON.stringify(openApiPath)}, dom_id: '#swagger-ui', deepLinking: true, ` +
          `presets: [SwaggerUIBundle.presets.apis], layout: 'BaseLayout', persistAuthorization: false, tryItOutEnabled: false });`,
      );
  });
  router.use(
    '/docs/assets',
    (_req, res, next) => {
      res.set('Content-Security-Policy', csp);
      next();
    },
    express.static(assets, { index: false, maxAge: '1d' }),
  );
  return router;
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Wallet loyalty API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
<link rel="icon" href="/docs/assets/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`;
