import { createHash } from 'node:crypto';

/**
 * How every bearer secret is kept (API keys, sessions, device tokens, one-time links): only its
 * SHA-256. They are 256-bit random, so a fast hash is enough: there is nothing to brute-force.
 */
export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');
