import createClient from 'openapi-fetch';
import type { paths } from './schema.js';

/**
 * The service's API, typed from its OpenAPI document. Same origin: the staff cookie signs the
 * requests in, and the browser's Sec-Fetch-Site: same-origin is what lets a cookie write.
 */
export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });

/** An answer's problem+json detail, for the screen. */
export function problemText(error: unknown, fallback: string): string {
  if (error && typeof error === 'object' && 'detail' in error && typeof (error as { detail: unknown }).detail === 'string')
    return (error as { detail: string }).detail;
  return fallback;
}
