import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';
import { WEB_DIST_DIR } from '../platform/paths.js';
import { sendProblem } from '../platform/http/problem.js';

/**
 * The browser apps built from web/ (the till at /till, the console at /console). Their CSP is the pages' strict one plus what
 * a scanner needs: WebAssembly (the barcode decoder, no eval), the camera (Permissions-Policy), a
 * service worker and blob: frames. Only our own origin, for scripts, styles, images and the API.
 */
export const APP_CSP =
  "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob: mediastream:; connect-src 'self'; worker-src 'self'; manifest-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

export function webAppRoutes(dir = WEB_DIST_DIR): Router {
  const router = Router();
  const headers = (res: express.Response) =>
    res.set({
      'Content-Security-Policy': APP_CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
    });
  // Hashed file names: cached for a year.
  router.use('/app-assets', express.static(path.join(dir, 'app-assets'), { immutable: true, maxAge: '365d', fallthrough: false, setHeaders: headers }));
  // The pages (and the till's service worker) must be fresh: a new version reaches every device.
  const app = (name: 'till' | 'console', title: string, permissions: string) =>
    router.use(
      `/${name}`,
      (_req, res, next) => {
        if (!existsSync(path.join(dir, name, 'index.html')))
          return sendProblem(res, 503, 'Not built', `The ${title} is not built yet: run \`npm run build\` (npm start does it)`);
        next();
      },
      express.static(path.join(dir, name), {
        index: 'index.html',
        setHeaders: (res) => (headers(res), res.set({ 'Cache-Control': 'no-cache', 'Permissions-Policy': permissions })),
      }),
    );
  app('till', 'till app', 'camera=(self), microphone=(), geolocation=()');
  // No camera here: the console scans nothing.
  app('console', 'console', 'camera=(), microphone=(), geolocation=()');
  return router;
}
