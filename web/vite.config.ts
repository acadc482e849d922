import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The browser apps (the till at /till, the console at /console), one toolchain: Vite + TypeScript + Preact.
 * Built into dist/web by `npm run build`; the service serves them from there. No CDN at run time:
 * every file, the barcode decoder's WebAssembly included, is ours.
 */
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/',
  publicDir: here('public'),
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: here('../dist/web'),
    emptyOutDir: true,
    assetsDir: 'app-assets',
    assetsInlineLimit: 0,
    rollupOptions: { input: { till: here('till/index.html'), console: here('console/index.html') } },
  },
});
