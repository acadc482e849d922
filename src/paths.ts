import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The project folder, whether running from src/ (tsx, vitest) or from the build in dist/src/. */
export const PROJECT_ROOT = path.basename(path.dirname(here)) === 'dist' ? path.resolve(here, '../..') : path.resolve(here, '..');
export const TEMPLATES_DIR = path.join(PROJECT_ROOT, 'templates');
