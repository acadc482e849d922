import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The project folder, whether running from src/platform (tsx, vitest) or from dist/src/platform. */
const up = path.resolve(here, '../..');
export const PROJECT_ROOT = path.basename(up) === 'dist' ? path.dirname(up) : up;
export const TEMPLATES_DIR = path.join(PROJECT_ROOT, 'templates');
/** The built browser apps (`npm run build`: web/ → dist/web). */
export const WEB_DIST_DIR = path.join(PROJECT_ROOT, 'dist', 'web');
